"""Computing a period's figures from the database: the team view's KPI rows (kpis.queries,
scoped to the KPI area, turned into rows by dashboards.kpi_figures) and the QA roll-up summary
(scoped to the QA area), each for the period and the one before. A fixed number of statements
whatever the number of rows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from portal.business.figures import Figures, QaLine, kpi_lines, qa_figure
from portal.dashboards import team_kpis
from portal.dashboards.kpi_figures import kpi_rows
from portal.kpis import queries
from portal.kpis.periods import Period, comparison
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.qa.rollup_queries import RollupFilters, summary_for


def qa_filters(node: Person, market_id: int | None, period: Period) -> RollupFilters:
    """QA of the node's subtree in the period; a market narrows it to that market's contacts.
    Days are the node person's (the figures do not change with who looks at them)."""
    return RollupFilters(
        start_on=period.start,
        end_on=period.end,
        node_id=node.id,
        market_id=market_id,
        time_zone=node.time_zone or "UTC",
    )


def compute_figures(
    viewer: Person,
    node: Person,
    market_id: int | None,
    period: Period,
    *,
    minimum: int,
    now: datetime,
) -> Figures:
    """The KPIs and QA of the node (and market) for the period against the previous one; a
    period still running (today in the node's time zone) counts its days so far against as many
    days of the previous period (kpis.periods.comparison: like for like)."""
    compared = comparison(period, now.astimezone(ZoneInfo(node.time_zone or "UTC")).date())
    period, previous = compared.current, compared.previous
    filters = ViewFilters(market_id=market_id)
    people = queries.population(viewer, node, filters)
    rollup = queries.rollup_plan(viewer, node, filters)  # the daily roll-up, when exact
    # The team view's KPI rows (same queries, same arithmetic) without its daily trend, which
    # a review does not show: totals for both periods and the teams/markets for the target.
    current = queries.totals(people, period.start, period.end, rollup)
    before = queries.totals(people, previous.start, previous.end, rollup)
    teams, markets = queries.teams_and_markets(people)
    rows = kpi_rows(team_kpis.active_kpi_infos(), current, before, {}, period, teams, markets)
    qa_now = summary_for(viewer, qa_filters(node, market_id, period), minimum, node)
    qa_before = summary_for(viewer, qa_filters(node, market_id, previous), minimum, node)
    return Figures(
        period_start=period.start,
        period_end=period.end,
        previous_start=previous.start,
        previous_end=previous.end,
        kpis=kpi_lines(rows),
        qa=QaLine(qa_figure(qa_now), qa_figure(qa_before)),
        computed_at=now,
    )
