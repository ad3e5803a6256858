"""The summary row of the team view: one tile per area, each a handful of numbers.

Every figure comes from the function its detail panel uses (portal.dashboards.team_<area>),
or from a lighter function in the same module that skips what a tile does not show (direct
reports, weekly tables, questions, the previous period), so a tile and its panel agree
(tested, area by area). What is returned is plain frozen dataclasses of numbers and strings:
no ORM objects, so a summary can be cached or pickled.

Statements: KPIs as the KPI panel's table without its direct reports (the population's
roll-up plan, the KPIs, this and the previous period's totals, the days, the teams and
markets); QA one plan and one aggregate; 1:1s the direct reports and the node's tallies
(team_one_on_ones.node_tallies); reviews the cycle, its phases and the reviews by state;
training two; recognition one. About twenty, whatever the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from portal import data_versions, policy
from portal.coaching.completion import Tally
from portal.dashboards import (
    team_goals,
    team_kpis,
    team_one_on_ones,
    team_qa,
    team_recognition,
    team_training,
)
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Comparison, Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area
from portal.qa import rollups

# (tile name, data areas it reads, compute) -> the tile: team_summary's caching hook.
Remember = Callable[[str, tuple[str, ...], Callable[[], Any]], Any]


# ---- pure pieces -------------------------------------------------------------------------


def sparkline_points(
    values: Sequence[float | Decimal | None],
    width: float = 100,
    height: float = 24,
    floor: float | None = 0,
) -> str:
    """The `points` of an SVG polyline drawing the values left to right, in a width x height
    box (y grows downwards). Missing values are skipped (only days with data are drawn, the
    x spacing follows the days with data). The y axis runs from `floor` (0 for counts and
    rates; None: the lowest value) — or the lowest value when it is below the floor — to the
    highest value; a flat line sits at mid-height. '' when no value is present."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return ""
    low = min(present) if floor is None else min(float(floor), min(present))
    high = max(present)
    step = width / (len(present) - 1) if len(present) > 1 else 0.0
    points = []
    for index, value in enumerate(present):
        x = index * step if len(present) > 1 else width / 2
        y = height / 2 if high == low else height - (value - low) / (high - low) * height
        points.append(f"{_short(x)},{_short(y)}")
    return " ".join(points)


def _short(number: float) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


# ---- tiles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiLine:
    name: str
    unit: str
    decimals: int
    value: Decimal | None
    n: int
    target: Decimal | None
    attainment: Decimal | None
    meets: bool | None
    trend: tuple[tuple[date, Decimal | None], ...]  # the buckets with data only

    @property
    def sparkline(self) -> str:
        return sparkline_points([value for _day, value in self.trend])


@dataclass(frozen=True)
class KpiTile:
    lines: tuple[KpiLine, ...]

    @property
    def with_target(self) -> int:
        return sum(1 for line in self.lines if line.meets is not None)

    @property
    def on_target(self) -> int:
        return sum(1 for line in self.lines if line.meets)


@dataclass(frozen=True)
class QaTile:
    evaluations: int
    scored: int
    mean: float | None  # None below the minimum of scored evaluations
    low: float | None
    high: float | None
    critical: int
    minimum: int


@dataclass(frozen=True)
class OneOnOneTile:
    held: int
    due: int

    @property
    def held_share(self) -> Fraction | None:
        return share(self.held, self.due)


@dataclass(frozen=True)
class ReviewTile:
    cycle: str | None  # None: no cycle had started by the period's end
    on_track: int
    reviews: int

    @property
    def on_track_share(self) -> Fraction | None:
        return share(self.on_track, self.reviews)


@dataclass(frozen=True)
class TrainingTile:
    assigned: int
    overdue: int
    people: int

    @property
    def overdue_share(self) -> Fraction | None:
        return share(self.overdue, self.assigned)


@dataclass(frozen=True)
class RecognitionTile:
    kudos: int
    people: int


@dataclass(frozen=True)
class TeamSummary:
    """One tile per area the viewer may see for the node; None where they may not."""

    kpis: KpiTile | None
    qa: QaTile | None
    one_on_ones: OneOnOneTile | None
    reviews: ReviewTile | None
    training: TrainingTile | None
    recognition: RecognitionTile | None


# ---- gathering ---------------------------------------------------------------------------


def kpi_tile(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, compared: Comparison
) -> KpiTile:
    """The KPI panel's table (team_kpis.kpi_table, the same comparison), without the direct
    reports."""
    people = kpi_queries.population(viewer, node, filters)
    plan = kpi_queries.rollup_plan(viewer, node, filters)
    rows = team_kpis.kpi_table(
        team_kpis.active_kpi_infos(),
        people,
        period,
        compared.previous,
        plan,
        current=compared.current,
    )
    return KpiTile(
        tuple(
            KpiLine(
                name=row.kpi.name,
                unit=row.kpi.unit,
                decimals=row.kpi.decimals,
                value=row.figure.value,
                n=row.figure.n,
                target=row.target,
                attainment=row.attainment,
                meets=row.meets,
                trend=tuple((day, value) for day, value, _n in row.trend if value is not None),
            )
            for row in rows
        )
    )


def qa_tile(
    viewer: Person, node: Person, filters: ViewFilters, minimum: int, compared: Comparison
) -> QaTile:
    """The QA panel's "this period" summary (its days so far), without weeks, questions and
    direct reports."""
    now = compared.current
    both = team_qa.rollup_filters(viewer, node, compared.previous.start, now.end, filters)
    plan = team_qa.rollup_queries.node_plan(viewer, node, both)
    daily = team_qa.rollup_queries.daily_aggregates(viewer, both, plan)
    s = rollups.summarise(team_qa.total(daily, now.start, now.end), minimum)
    shown = s.mean is not None and s.score.low is not None and s.score.high is not None
    return QaTile(
        evaluations=s.n,
        scored=s.score.n,
        mean=s.mean,
        low=max(s.score.low, 0.0) if shown else None,
        high=min(s.score.high, 100.0) if shown else None,
        critical=s.n_critical,
        minimum=minimum,
    )


def one_on_one_tile(
    viewer: Person, node: Person, filters: ViewFilters, now: datetime, compared: Comparison
) -> OneOnOneTile:
    """The 1:1 panel's "this period" tally (its rules: team_one_on_ones), without the previous
    period and the per-report rows."""
    children = kpi_queries.children_of(viewer, node, Area.COACHING)
    people = kpi_queries.population(viewer, node, filters, Area.COACHING)
    if children:
        people = people.where(Person.id != node.id)
    weeks = team_one_on_ones.period_weeks(compared.current)
    narrowed = filters.narrows_people or not children
    found = team_one_on_ones.node_tallies(
        viewer, node, people, [(w, 1) for w in weeks], now, narrowed
    )
    total = Tally()
    for tally in found.values():
        team_one_on_ones.add(total, tally)
    return OneOnOneTile(total.held, total.expected)


def review_tile(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, today: date
) -> ReviewTile:
    """Reviews on track in the goals panel's cycle (the newest started by the period's end)."""
    cycle = team_goals.cycle_for(period)
    if cycle is None:
        return ReviewTile(None, 0, 0)
    counts = team_goals.reviews_by_state(
        cycle.id, kpi_queries.population(viewer, node, filters, Area.REVIEWS)
    )
    due = {phase.kind: phase.due_on for phase in cycle.phases}
    on_track, total = team_goals.reviews_on_track(counts, due, today)
    return ReviewTile(cycle.name, on_track, total)


def training_tile(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, today: date
) -> TrainingTile:
    people = kpi_queries.population(viewer, node, filters, Area.TRAINING)
    found = team_training.counts_by_child(people, node, period, today)
    return TrainingTile(
        assigned=sum(f.counts.total for f in found.values()),
        overdue=sum(f.counts.overdue for f in found.values()),
        people=sum(f.people for f in found.values()),
    )


def recognition_tile(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, compared: Comparison
) -> RecognitionTile:
    people = kpi_queries.population(viewer, node, filters, Area.RECOGNITION)
    zone = viewer.time_zone or "UTC"
    low, high = team_recognition.utc_bounds(period.start, compared.current.end, zone)
    found = team_recognition.counts(people, low, high)
    return RecognitionTile(found.kudos, found.people)


def _compute(_name: str, _areas: tuple[str, ...], compute: Callable[[], Any]) -> Any:
    return compute()


def team_summary(
    viewer: Person,
    node: Person,
    period: Period,
    filters: ViewFilters,
    *,
    today: date,
    now: datetime,
    qa_minimum: int,
    compared: Comparison,
    remember: Remember = _compute,
) -> TeamSummary:
    """The tiles the viewer may see for the node (the node itself is already in reach for
    KPIs: the page checked it). Each tile is computed through `remember(name, data areas,
    compute)`, so a caller may keep each tile under the versions of the area it reads: after a
    write to one area only that tile is computed again."""

    def sees(area: Area) -> bool:
        return policy.sees_area(viewer, node, area)

    def tile(name: str, areas: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        return remember(name, areas, compute)

    return TeamSummary(
        kpis=tile(
            "kpis", (data_versions.KPIS,), lambda: kpi_tile(viewer, node, period, filters, compared)
        ),
        qa=tile(
            "qa",
            (data_versions.QA,),
            lambda: qa_tile(viewer, node, filters, qa_minimum, compared),
        )
        if sees(Area.QA)
        else None,
        one_on_ones=tile(
            "one-on-ones",
            (data_versions.COACHING,),
            lambda: one_on_one_tile(viewer, node, filters, now, compared),
        )
        if sees(Area.COACHING)
        else None,
        reviews=tile(
            "reviews",
            (data_versions.GOALS,),
            lambda: review_tile(viewer, node, period, filters, today),
        )
        if sees(Area.REVIEWS)
        else None,
        training=tile(
            "training",
            (data_versions.TRAINING,),
            lambda: training_tile(viewer, node, period, filters, today),
        )
        if sees(Area.TRAINING)
        else None,
        recognition=tile(
            "recognition",
            (data_versions.RECOGNITION,),
            lambda: recognition_tile(viewer, node, period, filters, compared),
        )
        if sees(Area.RECOGNITION)
        else None,
    )
