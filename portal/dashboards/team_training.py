"""The training panel of the team view: the assigned courses due in the period, completed, due
and overdue (portal.training.status: complete once completed and, with an assessment, passed;
overdue from the day after the due date), with rates, overall and per direct report.

An item is one (person, course) as the training pages count it (several assignments of one
course: the earliest due date). People: at or below the node whose training the viewer may see
(Area.TRAINING), active, narrowed by market and segment.

Statements: the direct reports, and one aggregate of the items (the statement behind
portal.training.assignments.training_items, grouped by direct report, with status.standing's
rule as CASEs, tested equal to it). Two, whatever the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import Select, and_, case, func, not_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area
from portal.training.assignments import TrainingItem, is_complete_sql, items_statement
from portal.training.status import StatusCounts, count_statuses


def rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class TrainingFigures:
    counts: StatusCounts
    people: int  # people with at least one item

    @property
    def completed_rate(self) -> Fraction | None:
        return rate(self.counts.completed, self.counts.total)

    @property
    def overdue_rate(self) -> Fraction | None:
        return rate(self.counts.overdue, self.counts.total)


@dataclass(frozen=True)
class TrainingChild:
    person: Person
    figures: TrainingFigures


@dataclass(frozen=True)
class TeamTraining:
    figures: TrainingFigures
    children: list[TrainingChild]


def figures_of(items: Iterable[TrainingItem]) -> TrainingFigures:
    """Counts by standing and the number of people, from items (pure; the SQL counts below
    are tested equal to it)."""
    items = list(items)
    return TrainingFigures(
        count_statuses(item.standing.status for item in items),
        len({item.person_id for item in items}),
    )


def counts_by_child(
    people: Select, node: Person, period: Period, today: date
) -> dict[int | None, TrainingFigures]:
    """Direct report id (None: the node itself) -> counts of the items due in the period, in
    one statement: status.standing's rule as CASEs over assignments.items_statement."""
    items = (
        items_statement(people, due_between=(period.start, period.end))
        .order_by(None)
        .subquery("items")
    )
    done = is_complete_sql(items)
    overdue = and_(not_(done), items.c.due_on < today)
    member = aliased(Person)
    # The direct report from the path segment after the node's: no LIKE join with every child.
    child = kpi_queries.child_below(member.path, node)
    stmt = (
        select(
            child,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.count(func.distinct(items.c.person_id)),
        )
        .select_from(items)
        .join(member, member.id == items.c.person_id)
        .group_by(child)
    )
    result = {}
    for child_id, total, completed, late, persons in db.session.execute(stmt):
        completed, late = int(completed or 0), int(late or 0)
        result[child_id] = TrainingFigures(
            StatusCounts(completed=completed, due=int(total) - completed - late, overdue=late),
            int(persons),
        )
    return result


def team_training(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, today: date
) -> TeamTraining:
    """Everything the training panel shows, in two statements."""
    children = kpi_queries.children_of(viewer, node, Area.TRAINING)
    people = kpi_queries.population(viewer, node, filters, Area.TRAINING)
    found = counts_by_child(people, node, period, today)
    total = StatusCounts(
        completed=sum(f.counts.completed for f in found.values()),
        due=sum(f.counts.due for f in found.values()),
        overdue=sum(f.counts.overdue for f in found.values()),
    )
    empty = TrainingFigures(StatusCounts(0, 0, 0), 0)
    rows = [TrainingChild(c, found.get(c.id, empty)) for c in children]
    if filters.narrows_people:
        rows = [row for row in rows if row.figures.counts.total]
    return TeamTraining(TrainingFigures(total, sum(f.people for f in found.values())), rows)
