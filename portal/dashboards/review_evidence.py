"""The evidence beside a review's ratings: for the person reviewed and the cycle's period, each
goal's check-ins, the QA average with its n and 95 % interval, the KPIs against their targets,
the weekly 1:1s held of those due, and the training completed of that assigned (and overdue).

A read-only roll-up over the features (the goals blueprint calls it; features never import it).
Each figure is read through the viewer's scope of its own area (Area.GOALS for check-ins,
Area.QA, Area.KPIS, Area.COACHING, Area.TRAINING), with the features' own queries and rules:
portal.qa.rollup_queries and rollups (Student's t interval), portal.kpis.queries and maths
(targets: the review's team, else its market), portal.coaching.cells (1:1 cells in SQL) and
portal.training.assignments (items due in the period, standing's rule as CASEs).

Statements, whatever the number of goals, check-ins, evaluations, KPI values, meetings or
assignments: one for the check-ins, one for QA, three for the KPIs (sums, definitions,
targets), the 1:1 cells' four (five on SQLite), one for training.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, and_, case, func, not_, select

from portal import policy
from portal.coaching import cells as one_on_one_cells
from portal.coaching.completion import Tally
from portal.coaching.models import OneOnOneSeries
from portal.dashboards.kpi_figures import KpiInfo
from portal.dashboards.team_one_on_ones import add as add_tally
from portal.dashboards.team_one_on_ones import period_weeks
from portal.dashboards.team_qa import zone_name
from portal.extensions import db
from portal.goals import figures as goal_maths
from portal.goals.models import CheckIn, Goal, Review
from portal.kpis import maths as kpi_maths
from portal.kpis import queries as kpi_queries
from portal.kpis.maths import Figure, Sums, TargetSet
from portal.kpis.models import Kpi, KpiTarget
from portal.kpis.periods import Period, PeriodKind
from portal.org.models import Person
from portal.policy import Area
from portal.qa import rollup_queries, rollups
from portal.training.assignments import is_complete_sql, items_statement
from portal.training.status import StatusCounts

# ---- pure figures ---------------------------------------------------------------------------


def _one_place(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QaFigure:
    """The QA average as shown: rounded once to one decimal, the interval clipped to the
    0-100 scale; `mean` None below the minimum of evaluations (the n is still shown)."""

    n: int
    minimum: int
    mean: Decimal | None
    low: Decimal | None  # None when n < 2 (one score says nothing about the spread)
    high: Decimal | None


def qa_figure(summary: rollups.Summary, minimum: int) -> QaFigure:
    """What the evidence panel shows of a QA summary made with `minimum` (pure)."""
    score = summary.score
    if summary.mean is None:
        return QaFigure(score.n, minimum, None, None, None)
    low = high = None
    if score.low is not None and score.high is not None:
        low, high = _one_place(max(score.low, 0.0)), _one_place(min(score.high, 100.0))
    return QaFigure(score.n, minimum, _one_place(score.mean), low, high)


@dataclass(frozen=True)
class KpiEvidence:
    kpi: KpiInfo
    figure: Figure
    target: Decimal | None
    meets: bool | None
    attainment: Decimal | None


def kpi_evidence(
    kpis: Iterable[KpiInfo], sums: Mapping[int, Sums], team_id: int | None, market_id: int | None
) -> list[KpiEvidence]:
    """One row per KPI with values in the period (in the order given): the figure over them,
    the target of the review's team (else its market), whether it is met (pure)."""
    rows = []
    for kpi in kpis:
        found = sums.get(kpi.id)
        if found is None or not found.n:
            continue
        figure = kpi.figure(found)
        target = kpi_maths.target_for(kpi.targets, [team_id], [market_id])
        rows.append(
            KpiEvidence(
                kpi=kpi,
                figure=figure,
                target=target,
                meets=kpi_maths.meets(kpi.direction, figure.value, target),
                attainment=kpi_maths.attainment(kpi.direction, figure.value, target),
            )
        )
    return rows


@dataclass(frozen=True)
class TrainingEvidence:
    counts: StatusCounts

    @property
    def assigned(self) -> int:
        return self.counts.total

    @property
    def completed(self) -> int:
        return self.counts.completed

    @property
    def overdue(self) -> int:
        return self.counts.overdue


@dataclass(frozen=True)
class GoalEvidence:
    goal: Goal
    figures: goal_maths.GoalFigures
    check_ins: tuple[CheckIn, ...]  # oldest first


def goal_evidence(goals: Iterable[Goal], check_ins: Iterable[CheckIn]) -> dict[int, GoalEvidence]:
    """Each goal's figures (progress from baseline, target and latest value) and check-ins."""
    by_goal: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in check_ins:
        by_goal[check_in.goal_id].append(check_in)
    return {
        goal.id: GoalEvidence(
            goal,
            goal_maths.goal_figures(goal.direction, goal.baseline, goal.target, goal.latest_value),
            tuple(sorted(by_goal.get(goal.id, []), key=lambda c: (c.created_at, c.id))),
        )
        for goal in goals
    }


@dataclass(frozen=True)
class Evidence:
    start: date
    end: date
    goals: dict[int, GoalEvidence]
    qa: QaFigure
    kpis: list[KpiEvidence]
    one_on_ones: Tally  # held of expected (the weeks due so far)
    training: TrainingEvidence


# ---- reading --------------------------------------------------------------------------------


def _one_person(viewer: Person, person: Person, area: Area) -> Select:
    """The person's id when the viewer may see their `area` records (else nothing)."""
    return select(Person.id).where(
        Person.id == person.id, Person.id.in_(policy.visible_person_ids(viewer, area))
    )


def _check_ins(viewer: Person, review: Review) -> list[CheckIn]:
    stmt = (
        select(CheckIn)
        .join(Goal, Goal.id == CheckIn.goal_id)
        .where(Goal.review_id == review.id)
        .order_by(CheckIn.goal_id, CheckIn.created_at, CheckIn.id)
    )
    return list(db.session.execute(policy.scoped(stmt, Goal, viewer, Area.GOALS)).scalars())


def _qa(viewer: Person, person: Person, start: date, end: date, minimum: int) -> QaFigure:
    filters = rollup_queries.RollupFilters(
        start_on=start,
        end_on=end,
        group=("agent", person.id),
        time_zone=zone_name(person.time_zone),
    )
    return qa_figure(rollup_queries.summary_for(viewer, filters, minimum), minimum)


def _kpis(viewer: Person, review: Review, start: date, end: date) -> list[KpiEvidence]:
    people = _one_person(viewer, review.person, Area.KPIS)
    sums = kpi_queries.totals(people, start, end)
    ids = sorted(sums)
    kpis = list(
        db.session.execute(
            select(Kpi.id, Kpi.code, Kpi.name, Kpi.unit, Kpi.direction, Kpi.aggregation)
            .add_columns(Kpi.decimals)
            .where(Kpi.id.in_(ids), Kpi.is_archived.is_(False))
            .order_by(Kpi.name, Kpi.id)
        ).all()
    )
    by_market: dict[int, dict[int, Decimal]] = defaultdict(dict)
    by_team: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for kpi_id, team_id, market_id, target in db.session.execute(
        select(KpiTarget.kpi_id, KpiTarget.team_id, KpiTarget.market_id, KpiTarget.target).where(
            KpiTarget.kpi_id.in_(ids)
        )
    ):
        if team_id:
            by_team[kpi_id][team_id] = target
        elif market_id:
            by_market[kpi_id][market_id] = target
    infos = [
        KpiInfo(
            id=row.id,
            code=row.code,
            name=row.name,
            unit=row.unit,
            direction=row.direction,
            aggregation=row.aggregation,
            decimals=row.decimals,
            targets=TargetSet(by_market=by_market[row.id], by_team=by_team[row.id]),
        )
        for row in kpis
    ]
    return kpi_evidence(infos, sums, review.team_id, review.market_id)


def _one_on_ones(viewer: Person, person: Person, start: date, end: date, now: datetime) -> Tally:
    weeks = [(monday, 1) for monday in period_weeks(Period(PeriodKind.CUSTOM, start, end))]
    total = Tally()
    rows = one_on_one_cells.cell_counts(
        viewer, [OneOnOneSeries.person_id == person.id], weeks, now, ["person_id"]
    )
    for _values, _tag, tally in rows:
        add_tally(total, tally)
    return total


def _training(
    viewer: Person, person: Person, start: date, end: date, today: date
) -> TrainingEvidence:
    people = _one_person(viewer, person, Area.TRAINING)
    items = items_statement(people, due_between=(start, end)).order_by(None).subquery("items")
    done = is_complete_sql(items)
    overdue = and_(not_(done), items.c.due_on < today)
    total, completed, late = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((done, 1), else_=0)), 0),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        ).select_from(items)
    ).one()
    completed, late = int(completed or 0), int(late or 0)
    return TrainingEvidence(
        StatusCounts(completed=completed, due=int(total or 0) - completed - late, overdue=late)
    )


def qa_evidence(viewer: Person, review: Review, minimum: int) -> QaFigure:
    """The review's person's QA average over the cycle's period (their own days), as the
    viewer may see it: the one figure the review page and the calibration room show."""
    cycle = review.cycle
    return _qa(viewer, review.person, cycle.starts_on, cycle.ends_on, minimum)


def review_evidence(
    viewer: Person, review: Review, *, now: datetime, today: date, qa_minimum: int
) -> Evidence:
    """Everything the evidence panel shows of the review's person over the cycle's period, as
    the viewer may see it, in a fixed number of statements."""
    cycle, person = review.cycle, review.person
    start, end = cycle.starts_on, cycle.ends_on
    return Evidence(
        start=start,
        end=end,
        goals=goal_evidence(review.goals, _check_ins(viewer, review)),
        qa=qa_evidence(viewer, review, qa_minimum),
        kpis=_kpis(viewer, review, start, end),
        one_on_ones=_one_on_ones(viewer, person, start, end, now),
        training=_training(viewer, person, start, end, today),
    )
