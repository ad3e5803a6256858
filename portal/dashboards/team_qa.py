"""The QA panel of the team view: the QA programme's roll-ups (portal.qa.rollup_queries and
portal.qa.rollups) for a node of the org tree and a period, with the previous period beside it.

Counted: submitted evaluations and later states (never drafts), by the day they were submitted
in the viewer's time zone, of the agents at or below the node whose QA records the viewer may
see (Area.QA), narrowed by the agents' market and segment and by the contact's channel.

Statements: one for the daily aggregates of the previous period and this one together (the
totals, the comparison and the weekly trend are sums of days), one for the questions failed
most, one for the direct reports and one for their aggregates. Four, whatever the data.

With the daily QA roll-up (portal.qa.rollup_daily) exact for the read (the viewer sees the
node's whole subtree, the node was rolled up in the viewer's time zone, no person changed since
the refresh), the days it covers come from it and the later ones from raw rows: one statement
for the plan, then two for the days, two for the questions, and three for the direct reports;
nine at most, whatever the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Comparison, Period, comparison
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area
from portal.qa import rollup_queries, rollups
from portal.qa.rollups import Aggregate, PeriodKind, QuestionFailures, Summary, TrendPoint

TOP_QUESTIONS = 5


@dataclass(frozen=True)
class QaChild:
    person: Person
    summary: Summary


@dataclass(frozen=True)
class TeamQa:
    minimum: int
    current: Summary
    previous: Summary
    weekly: list[TrendPoint]
    questions: list[QuestionFailures]
    children: list[QaChild]

    @property
    def change(self) -> float | None:
        """This period's mean minus the previous one's, when both have enough data."""
        if self.current.mean is None or self.previous.mean is None:
            return None
        return self.current.mean - self.previous.mean


def total(daily: Mapping[date, Aggregate], start: date, end: date) -> Aggregate:
    """The sum of the days from start to end (inclusive)."""
    result = Aggregate.empty()
    for day, aggregate in daily.items():
        if start <= day <= end:
            result = result + aggregate
    return result


def whole(period: Period) -> Comparison:
    """The whole period against the whole previous one (a period that is over)."""
    return comparison(period, period.end + timedelta(days=1))


def split(
    daily: Mapping[date, Aggregate],
    period: Period,
    minimum: int,
    compared: Comparison | None = None,
) -> tuple[Summary, Summary, list[TrendPoint]]:
    """This period's summary (its days so far), the previous side of the comparison (default:
    the whole previous period), and the weekly trend of this period up to its last week with
    evaluations (weeks start on Monday; a week straddling the period's start counts only its
    days inside)."""
    compared = compared or whole(period)
    now, before = compared.current, compared.previous
    inside = {day: agg for day, agg in daily.items() if period.start <= day <= now.end}
    weekly = rollups.trend(inside, PeriodKind.WEEK, minimum, period.start, now.end)
    while weekly and not weekly[-1].summary.n:
        weekly.pop()
    return (
        rollups.summarise(total(daily, now.start, now.end), minimum),
        rollups.summarise(total(daily, before.start, before.end), minimum),
        weekly,
    )


def rollup_filters(
    viewer: Person, node: Person, start: date, end: date, filters: ViewFilters
) -> rollup_queries.RollupFilters:
    return rollup_queries.RollupFilters(
        start_on=start,
        end_on=end,
        node_path=node.path,
        agent_market_id=filters.market_id,
        agent_segment_id=filters.segment_id,
        channel=filters.channel,
        time_zone=zone_name(viewer.time_zone),
    )


def zone_name(name: str | None) -> str:
    """The viewer's time zone, or UTC when it is missing or unknown (never a 500)."""
    try:
        ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return "UTC"
    return name or "UTC"


def team_qa(
    viewer: Person,
    node: Person,
    period: Period,
    filters: ViewFilters,
    minimum: int,
    compared: Comparison | None = None,
) -> TeamQa:
    """Everything the QA panel shows, in four statements (at most nine with the roll-up).
    `compared` (kpis.periods.comparison): the days compared, like for like while the period
    runs; default the whole period against the whole previous one."""
    compared = compared or whole(period)
    before = compared.previous
    both = rollup_filters(viewer, node, before.start, compared.current.end, filters)
    plan = rollup_queries.node_plan(viewer, node, both)
    current, previous, weekly = split(
        rollup_queries.daily_aggregates(viewer, both, plan), period, minimum, compared
    )
    this = rollup_filters(viewer, node, period.start, compared.current.end, filters)
    questions = rollup_queries.questions_failed_most(viewer, this, limit=TOP_QUESTIONS, plan=plan)
    children = kpi_queries.children_of(viewer, node, Area.QA)
    sums = rollup_queries.by_child(viewer, this, node.id, plan, children) if children else {}
    rows = [
        QaChild(child, rollups.summarise(sums.get(child.id, Aggregate.empty()), minimum))
        for child in children
    ]
    if filters.narrows_people:
        rows = [row for row in rows if row.summary.n]
    return TeamQa(minimum, current, previous, weekly, questions, rows)
