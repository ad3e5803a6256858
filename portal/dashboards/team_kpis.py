"""The KPI roll-up of a node of the org tree for a period: the KPI table with target and trend,
and the same KPIs for each direct report (the drill-down). Visibility comes from
kpis.queries.population, which every query here starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select

from portal.dashboards.kpi_figures import KpiInfo, KpiRow, kpi_rows
from portal.kpis import queries
from portal.kpis.maths import Figure, Sums, TargetSet
from portal.kpis.models import Kpi
from portal.kpis.periods import Comparison, Period
from portal.kpis.queries import ViewFilters
from portal.kpis.rollup import RollupPlan
from portal.org.models import Person


@dataclass(frozen=True)
class ChildRow:
    person: Person
    figures: tuple[Figure, ...]  # in the order of the KPI rows


@dataclass(frozen=True)
class TeamKpis:
    rows: list[KpiRow]
    children: list[ChildRow]


def kpi_info(kpi: Kpi) -> KpiInfo:
    by_market: dict[int, Decimal] = {}
    by_team: dict[int, Decimal] = {}
    for target in kpi.targets:
        if target.team_id:
            by_team[target.team_id] = target.target
        elif target.market_id:
            by_market[target.market_id] = target.target
    return KpiInfo(
        id=kpi.id,
        code=kpi.code,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        aggregation=kpi.aggregation,
        decimals=kpi.decimals,
        targets=TargetSet(by_market=by_market, by_team=by_team),
    )


def active_kpi_infos() -> list[KpiInfo]:
    return [kpi_info(k) for k in queries.active_kpis()]


def kpi_table(
    kpis: list[KpiInfo],
    people: Select,
    start_end: Period,
    previous: Period,
    rollup: RollupPlan | None = None,
    *,
    current: Period | None = None,
) -> list[KpiRow]:
    """The KPI rows of the period `start_end` (its trend) with the figures of `current` (the
    days of it so far; default: all of it) against `previous`; targets per maths.node_target
    (the current sums are read per market, in the same statements)."""
    current = current or start_end
    per_market = queries.totals_by_market(people, current.start, current.end, rollup)
    before = queries.totals(people, previous.start, previous.end, rollup)
    daily = queries.daily(people, start_end.start, current.end, rollup)
    teams, markets = queries.groups_of(people)
    return kpi_rows(
        kpis,
        queries.summed(per_market),
        before,
        daily,
        start_end,
        teams,
        markets,
        by_market=per_market,
        market_names=markets,
    )


def children_table(
    viewer: Person,
    node: Person,
    kpis: list[KpiInfo],
    people: Select,
    start: date,
    end: date,
    *,
    filtered: bool = False,
    rollup: RollupPlan | None = None,
) -> list[ChildRow]:
    children = queries.children_of(viewer, node)
    if not children:
        return []
    sums = queries.by_child(people, node, start, end, rollup, [c.id for c in children])
    rows = [
        ChildRow(
            person=child,
            figures=tuple(k.figure(sums.get((child.id, k.id), Sums())) for k in kpis),
        )
        for child in children
    ]
    # A filter (market, segment) leaves out the reports with nothing in it.
    return [r for r in rows if any(f.n for f in r.figures)] if filtered else rows


def team_kpis(
    viewer: Person,
    node: Person,
    period: Period,
    filters: ViewFilters,
    comparison: Comparison | None = None,
) -> TeamKpis:
    """Everything the KPI panel shows, in a fixed number of queries. With a `comparison`
    (kpis.periods.comparison), its current days against its previous ones (like for like
    while the period runs); without, the whole period against the whole previous one."""
    people = queries.population(viewer, node, filters)
    rollup = queries.rollup_plan(viewer, node, filters)
    kpis = active_kpi_infos()
    current, previous = (
        (comparison.current, comparison.previous) if comparison else (period, period.previous())
    )
    rows = kpi_table(kpis, people, period, previous, rollup, current=current)
    children = children_table(
        viewer,
        node,
        kpis,
        people,
        period.start,
        current.end,
        filtered=filters.narrows_people,
        rollup=rollup,
    )
    return TeamKpis(rows=rows, children=children)
