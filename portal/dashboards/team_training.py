"""The training panel of the team view: the assigned courses due in the period, completed, due
and overdue (portal.training.status: complete once completed and, with an assessment, passed;
overdue from the day after the due date), with rates, overall and per direct report.

An item is one (person, course) as the training pages count it (several assignments of one
course: the earliest due date). People: at or below the node whose training the viewer may see
(Area.TRAINING), active, narrowed by market and segment.

Statements: the direct reports, the items (portal.training.assignments.training_items, one
statement), and which direct report each person falls under. Three, whatever the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area
from portal.training.assignments import TrainingItem, training_items
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
    """Counts by standing and the number of people (pure)."""
    items = list(items)
    return TrainingFigures(
        count_statuses(item.standing.status for item in items),
        len({item.person_id for item in items}),
    )


def split_by_child(
    items: Iterable[TrainingItem], child_of: Mapping[int, int]
) -> dict[int, list[TrainingItem]]:
    """The items grouped by the direct report whose subtree holds their person (pure)."""
    groups: dict[int, list[TrainingItem]] = {}
    for item in items:
        child = child_of.get(item.person_id)
        if child is not None:
            groups.setdefault(child, []).append(item)
    return groups


def child_map(people, node: Person) -> dict[int, int]:  # noqa: ANN001
    """person id -> the node's direct report above them (or themselves), in one statement."""
    child = aliased(Person)
    stmt = (
        select(Person.id, child.id)
        .join(child, Person.path.startswith(child.path))
        .where(child.manager_id == node.id, Person.id.in_(people))
    )
    return {int(pid): int(cid) for pid, cid in db.session.execute(stmt)}


def team_training(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, today: date
) -> TeamTraining:
    """Everything the training panel shows, in three statements."""
    children = kpi_queries.children_of(viewer, node, Area.TRAINING)
    people = kpi_queries.population(viewer, node, filters, Area.TRAINING)
    items = training_items(people, today, due_between=(period.start, period.end))
    rows: list[TrainingChild] = []
    if children:
        groups = split_by_child(items, child_map(people, node))
        rows = [TrainingChild(c, figures_of(groups.get(c.id, []))) for c in children]
        if filters.narrows_people:
            rows = [row for row in rows if row.figures.counts.total]
    return TeamTraining(figures_of(items), rows)
