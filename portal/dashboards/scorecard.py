"""The agent scorecard: one person's own figures for a period, area by area, as the team view's
panels count them for a node that is that person alone (their own records, never their
subtree's).

Each area is read only when the viewer may see that area of the person (`areas`, decided by
the caller with policy.sees_area), through kpis.queries.population narrowed to the person (so
visibility, the market and segment filters and the counting rules are the panels' own):
- KPIs: dashboards.team_kpis.kpi_table (value, n, target of the person's team else market,
  attainment, the previous period, the trend);
- QA: the QA roll-ups of the evaluations about the person (rollup_queries, group "agent"),
  this period, the previous one, the weekly trend and the questions failed most;
- 1:1s: the person's own weekly 1:1s (as the report) of the weeks due, this period and the
  previous one (coaching.cells, the rules of coaching.completion);
- goals: the newest review cycle started by the period's end, the person's goals with their
  progress (goals.figures) and the average as the goals panel computes it;
- training: the courses due in the period (dashboards.team_training's statement);
- recognition: kudos received in the period and the previous one, by value.

No HTTP here: the viewer, the person and the clock are arguments. Statements, whatever the
data: KPIs 5, QA 2, 1:1s 4 (5 on SQLite), goals 4, training 1, recognition 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select

from portal.coaching import cells as one_on_one_cells
from portal.coaching.completion import Tally
from portal.coaching.models import OneOnOneSeries
from portal.dashboards import team_goals, team_kpis, team_qa, team_recognition, team_training
from portal.dashboards.kpi_figures import KpiRow
from portal.dashboards.team_one_on_ones import add as add_tally
from portal.dashboards.team_one_on_ones import period_weeks
from portal.extensions import db
from portal.goals import figures as goal_maths
from portal.goals.models import Goal, ReviewCycle
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Comparison, Period, comparison
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area
from portal.qa import rollup_queries
from portal.qa.rollups import QuestionFailures, Summary, TrendPoint
from portal.training.models import Kudos
from portal.training.status import StatusCounts

TOP_QUESTIONS = 5


@dataclass(frozen=True)
class QaCard:
    minimum: int
    current: Summary
    previous: Summary
    weekly: list[TrendPoint]
    questions: list[QuestionFailures]

    @property
    def change(self) -> float | None:
        if self.current.mean is None or self.previous.mean is None:
            return None
        return self.current.mean - self.previous.mean


@dataclass(frozen=True)
class OneOnOneCard:
    weeks: list[date]
    total: Tally
    previous: Tally


@dataclass(frozen=True)
class GoalLine:
    title: str
    metric: str
    unit: str
    weight: int
    baseline: Decimal
    target: Decimal
    latest: Decimal | None
    due_on: date
    figures: goal_maths.GoalFigures


@dataclass(frozen=True)
class GoalsCard:
    cycle: ReviewCycle | None
    progress: team_goals.ProgressSums
    goals: list[GoalLine]


@dataclass(frozen=True)
class RecognitionCard:
    total: team_recognition.KudosCount
    previous: team_recognition.KudosCount
    by_value: list[tuple[str, int]]


@dataclass(frozen=True)
class Scorecard:
    person: Person
    period: Period
    compared: Comparison  # the days shown against the days compared with
    areas: frozenset[Area]
    kpis: list[KpiRow] | None = None
    qa: QaCard | None = None
    one_on_ones: OneOnOneCard | None = None
    goals: GoalsCard | None = None
    training: team_training.TrainingFigures | None = None
    recognition: RecognitionCard | None = None


# ---- pure ------------------------------------------------------------------------------------


def kpi_rows_with_data(rows: Sequence[KpiRow]) -> list[KpiRow]:
    """The KPI rows with a value in the period or the previous one (a person's scorecard leaves
    out the KPIs of other positions, which they never have values for)."""
    return [row for row in rows if row.figure.n or row.previous.n]


def sparkline_points(
    values: Sequence[float | None],
    low: float,
    high: float,
    width: int = 120,
    height: int = 32,
) -> list[list[tuple[float, float]]]:
    """SVG coordinates of a small trend line, one run per stretch of values without a gap
    (a bucket without data breaks the line rather than drawing it down to the floor). The
    y-axis spans `low` to `high` (the metric's scale, not the data's: a dip of 0.1 stays
    small); values outside it are clipped. Rounded to one decimal for the markup."""
    if high <= low:
        raise ValueError("high must be above low")
    count = len(values)
    step = width / (count - 1) if count > 1 else 0.0
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
            continue
        clipped = min(max(float(value), low), high)
        x = round(index * step if count > 1 else width / 2, 1)
        y = round(height - (clipped - low) / (high - low) * height, 1)
        current.append((x, y))
    if current:
        runs.append(current)
    return runs


# ---- reading ---------------------------------------------------------------------------------


def person_population(viewer: Person, person: Person, filters: ViewFilters, area: Area) -> Select:
    """The person alone, as kpis.queries.population reads a node: visible in `area`, narrowed
    by the market and segment filters (empty when the person is outside them)."""
    return kpi_queries.population(viewer, person, filters, area).where(Person.id == person.id)


def _kpis(
    viewer: Person, person: Person, compared: Comparison, filters: ViewFilters
) -> list[KpiRow]:
    people = person_population(viewer, person, filters, Area.KPIS)
    rows = team_kpis.kpi_table(
        team_kpis.active_kpi_infos(), people, compared.current, compared.previous, None
    )
    return kpi_rows_with_data(rows)


def qa_filters(
    viewer: Person, person: Person, start: date, end: date, filters: ViewFilters
) -> rollup_queries.RollupFilters:
    return rollup_queries.RollupFilters(
        start_on=start,
        end_on=end,
        group=("agent", person.id),
        agent_market_id=filters.market_id,
        agent_segment_id=filters.segment_id,
        channel=filters.channel,
        time_zone=team_qa.zone_name(viewer.time_zone),
    )


def _qa(
    viewer: Person,
    person: Person,
    compared: Comparison,
    period: Period,
    filters: ViewFilters,
    minimum: int,
) -> QaCard:
    before = compared.previous
    both = qa_filters(viewer, person, before.start, period.end, filters)
    current, previous, weekly = team_qa.split(
        rollup_queries.daily_aggregates(viewer, both), period, minimum, compared
    )
    this = qa_filters(viewer, person, period.start, period.end, filters)
    questions = rollup_queries.questions_failed_most(viewer, this, limit=TOP_QUESTIONS)
    return QaCard(minimum, current, previous, weekly, questions)


def _one_on_ones(
    viewer: Person, person: Person, compared: Comparison, filters: ViewFilters, now: datetime
) -> OneOnOneCard:
    people = person_population(viewer, person, filters, Area.COACHING)
    weeks = period_weeks(compared.current)
    tagged = [(w, 1) for w in weeks] + [(w, 0) for w in period_weeks(compared.previous)]
    total, previous = Tally(), Tally()
    for _values, tag, tally in one_on_one_cells.cell_counts(
        viewer, [OneOnOneSeries.person_id.in_(people)], tagged, now, ["person_id"]
    ):
        add_tally(total if tag == 1 else previous, tally)
    return OneOnOneCard(weeks, total, previous)


def _goals(viewer: Person, person: Person, period: Period, filters: ViewFilters) -> GoalsCard:
    cycle = team_goals.cycle_for(period)
    if cycle is None:
        return GoalsCard(None, team_goals.ProgressSums(), [])
    people = person_population(viewer, person, filters, Area.GOALS)
    goals = db.session.execute(
        select(Goal)
        .where(Goal.cycle_id == cycle.id, Goal.person_id.in_(people))
        .order_by(Goal.due_on, Goal.id)
    ).scalars()
    lines = [
        GoalLine(
            title=g.title,
            metric=g.metric,
            unit=g.unit,
            weight=g.weight,
            baseline=g.baseline,
            target=g.target,
            latest=g.latest_value,
            due_on=g.due_on,
            figures=goal_maths.goal_figures(g.direction, g.baseline, g.target, g.latest_value),
        )
        for g in goals
    ]
    return GoalsCard(cycle, team_goals.progress_total(cycle.id, people), lines)


def _training(
    viewer: Person, person: Person, period: Period, filters: ViewFilters, today: date
) -> team_training.TrainingFigures:
    people = person_population(viewer, person, filters, Area.TRAINING)
    found = team_training.counts_by_child(people, person, period, today)
    return team_training.TrainingFigures(
        StatusCounts(
            completed=sum(f.counts.completed for f in found.values()),
            due=sum(f.counts.due for f in found.values()),
            overdue=sum(f.counts.overdue for f in found.values()),
        ),
        sum(f.people for f in found.values()),
    )


def _recognition(
    viewer: Person, person: Person, compared: Comparison, filters: ViewFilters
) -> RecognitionCard:
    people = person_population(viewer, person, filters, Area.RECOGNITION)
    zone = viewer.time_zone or "UTC"
    low, high = team_recognition.utc_bounds(compared.current.start, compared.current.end, zone)
    before = compared.previous
    total = team_recognition.counts(people, low, high)
    previous = team_recognition.counts(
        people, *team_recognition.utc_bounds(before.start, before.end, zone)
    )
    values = db.session.execute(
        select(Kudos.value, func.count(Kudos.id))
        .where(Kudos.person_id.in_(people), Kudos.created_at >= low, Kudos.created_at < high)
        .group_by(Kudos.value)
    ).all()
    return RecognitionCard(total, previous, team_recognition.by_value_sorted(values))


def scorecard(
    viewer: Person,
    person: Person,
    period: Period,
    filters: ViewFilters,
    areas: frozenset[Area],
    *,
    now: datetime,
    today: date,
    qa_minimum: int,
) -> Scorecard:
    """Everything the scorecard shows of `person`, reading only the `areas` given (those the
    viewer may see of the person), in a fixed number of statements. While the period runs, its
    days so far are compared with as many days of the previous one (kpis.periods.comparison)."""
    compared = comparison(period, today)
    return Scorecard(
        person=person,
        period=period,
        compared=compared,
        areas=areas,
        kpis=_kpis(viewer, person, compared, filters) if Area.KPIS in areas else None,
        qa=(
            _qa(viewer, person, compared, period, filters, qa_minimum) if Area.QA in areas else None
        ),
        one_on_ones=(
            _one_on_ones(viewer, person, compared, filters, now) if Area.COACHING in areas else None
        ),
        goals=_goals(viewer, person, period, filters) if Area.GOALS in areas else None,
        training=(
            _training(viewer, person, period, filters, today) if Area.TRAINING in areas else None
        ),
        recognition=(
            _recognition(viewer, person, compared, filters) if Area.RECOGNITION in areas else None
        ),
    )
