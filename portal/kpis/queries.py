"""Read-side KPI queries: what the team view and the daily report aggregate, in SQL.

Every query starts from `population(...)`: the people at or below a node of the org tree that
the viewer may see in the KPI area, narrowed by the filters. Each function issues one statement
however many rows it summarises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Select, and_, case, cast, func, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.kpis.maths import Sums
from portal.kpis.models import Aggregation, Kpi, KpiValue
from portal.kpis.rollup import SUM_NAMES, RollupPlan
from portal.kpis.rollup_models import KpiRollupDaily
from portal.org import tree
from portal.org.models import Person


@dataclass(frozen=True)
class ViewFilters:
    market_id: int | None = None
    segment_id: int | None = None
    # The contact channel: narrows what is per contact (QA); KPIs are per person per day.
    channel: str | None = None

    @property
    def narrows_people(self) -> bool:
        """A market or segment filter leaves people out (the channel does not)."""
        return bool(self.market_id or self.segment_id)

    def as_args(self) -> dict[str, int | str]:
        args: dict[str, int | str] = {}
        if self.market_id:
            args["market"] = self.market_id
        if self.segment_id:
            args["segment"] = self.segment_id
        if self.channel:
            args["channel"] = self.channel
        return args


def population(
    viewer: Person, node: Person, filters: ViewFilters, area: policy.Area = policy.Area.KPIS
) -> Select:
    """Ids of the people at or below `node` whose `area` records the viewer may see, narrowed
    by the market and segment filters (the people's own)."""
    stmt = select(Person.id).where(policy.subtree_condition(node.path))
    if not policy.sees_whole_subtree(viewer, node):
        stmt = stmt.where(Person.id.in_(policy.visible_person_ids(viewer, area)))
    if filters.market_id:
        stmt = stmt.where(Person.market_id == filters.market_id)
    if filters.segment_id:
        stmt = stmt.where(Person.segment_id == filters.segment_id)
    return stmt


def rollup_plan(viewer: Person, node: Person, filters: ViewFilters) -> RollupPlan | None:
    """The daily roll-up's plan for this read, when it is exact for it (see kpis.rollup)."""
    from portal.kpis import rollup

    others = set(filters.as_args()) - {"market", "segment", "channel"}  # KPIs are not per channel
    return rollup.plan_for(
        viewer, node, filters.market_id, filters.segment_id, other_filters=bool(others)
    )


def active_kpis() -> list[Kpi]:
    """The KPIs not archived, in name order (targets and positions loaded with them)."""
    return list(
        db.session.execute(select(Kpi).where(Kpi.is_archived.is_(False)).order_by(Kpi.name))
        .scalars()
        .all()
    )


def _both(a: Any, b: Any) -> Any:
    return and_(a.is_not(None), b.is_not(None))


def _sum_columns() -> list[Any]:
    rate = _both(KpiValue.numerator, KpiValue.denominator)
    weighted = _both(KpiValue.value, KpiValue.weight)
    return [
        func.count(KpiValue.value),
        func.sum(KpiValue.value),
        func.sum(case((rate, 1), else_=0)),
        func.sum(case((rate, KpiValue.numerator))),
        func.sum(case((rate, KpiValue.denominator))),
        func.sum(case((weighted, 1), else_=0)),
        func.sum(case((weighted, KpiValue.value * KpiValue.weight))),
        func.sum(case((weighted, KpiValue.weight))),
    ]


def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _to_sums(aggregation: str, cols: tuple) -> Sums:
    n_value, value_sum, n_rate, num, den, n_weighted, wsum, weight = cols
    agg = Aggregation(aggregation)
    if agg in (Aggregation.MEAN, Aggregation.SUM):
        return Sums(n=int(n_value or 0), value_sum=_dec(value_sum))
    if agg is Aggregation.RATE:
        return Sums(n=int(n_rate or 0), numerator_sum=_dec(num), denominator_sum=_dec(den))
    return Sums(n=int(n_weighted or 0), weighted_sum=_dec(wsum), weight_sum=_dec(weight))


SUM_LABELS = tuple(f"s{i}" for i in range(len(SUM_NAMES)))


def _named(grouped: Select, keys: list[str]) -> Select:
    """The grouped sums (columns: the keys, then SUM_LABELS; "kpi_id" among the keys) with each
    KPI's aggregation: the join to `kpi` after grouping, on a few hundred rows at most."""
    sub = grouped.subquery("grouped")
    return select(*[sub.c[k] for k in keys], Kpi.aggregation, *[sub.c[s] for s in SUM_LABELS]).join(
        Kpi, Kpi.id == sub.c.kpi_id
    )


def _raw_sums() -> list[Any]:
    return [column.label(name) for column, name in zip(_sum_columns(), SUM_LABELS, strict=True)]


def _rolled_sums() -> list[Any]:
    return [
        func.sum(getattr(KpiRollupDaily, name)).label(label)
        for name, label in zip(SUM_NAMES, SUM_LABELS, strict=True)
    ]


def _values_in(stmt: Select, people: Select, start: date, end: date) -> Select:
    return stmt.where(KpiValue.person_id.in_(people), KpiValue.value_on.between(start, end))


def _rolled(stmt: Select, plan: RollupPlan, node_ids: Any, start: date, end: date) -> Select:
    """The roll-up rows of the given nodes between start and end, narrowed like population."""
    stmt = stmt.where(node_ids, KpiRollupDaily.value_on.between(start, end))
    if plan.market_id:
        stmt = stmt.where(KpiRollupDaily.market_id == plan.market_id)
    if plan.segment_id:
        stmt = stmt.where(KpiRollupDaily.segment_id == plan.segment_id)
    return stmt


def _merge(into: dict, key: Any, sums: Sums) -> None:
    into[key] = into[key] + sums if key in into else sums


def totals(
    people: Select, start: date, end: date, rollup: RollupPlan | None = None
) -> dict[int, Sums]:
    """KPI id -> sums over the people's daily values between start and end (inclusive); the
    days a roll-up plan covers are read from the roll-up, the rest from raw rows."""
    result: dict[int, Sums] = {}
    rolled, start = rollup.split(start, end) if rollup else (None, start)
    statements = []
    if rollup and rolled:
        kpi = KpiRollupDaily.kpi_id.label("kpi_id")
        grouped = _rolled(
            select(kpi, *_rolled_sums()), rollup, KpiRollupDaily.node_id == rollup.node_id, *rolled
        ).group_by(KpiRollupDaily.kpi_id)
        statements.append(_named(grouped, ["kpi_id"]))
    if start <= end:
        kpi = KpiValue.kpi_id.label("kpi_id")
        grouped = _values_in(select(kpi, *_raw_sums()), people, start, end).group_by(
            KpiValue.kpi_id
        )
        statements.append(_named(grouped, ["kpi_id"]))
    for stmt in statements:
        for row in db.session.execute(stmt):
            _merge(result, row[0], _to_sums(row[1], tuple(row[2:])))
    return result


def totals_by_market(
    people: Select, start: date, end: date, rollup: RollupPlan | None = None
) -> dict[int, dict[int | None, Sums]]:
    """KPI id -> the people's current market id -> sums between start and end: `totals` split by
    market in the same statements (the roll-up keeps its rows per market), for the target of a
    node spanning several markets (maths.node_target). Summed over markets, it is `totals`."""
    result: dict[int, dict[int | None, Sums]] = defaultdict(dict)
    rolled, start = rollup.split(start, end) if rollup else (None, start)
    statements = []
    if rollup and rolled:
        keys = [KpiRollupDaily.kpi_id.label("kpi_id"), KpiRollupDaily.market_id.label("market")]
        grouped = _rolled(
            select(*keys, *_rolled_sums()),
            rollup,
            KpiRollupDaily.node_id == rollup.node_id,
            *rolled,
        ).group_by(KpiRollupDaily.kpi_id, KpiRollupDaily.market_id)
        statements.append(_named(grouped, ["kpi_id", "market"]))
    if start <= end:
        member = aliased(Person)  # not Person: `people` is a subquery on it
        keys = [KpiValue.kpi_id.label("kpi_id"), member.market_id.label("market")]
        grouped = (
            _values_in(select(*keys, *_raw_sums()), people, start, end)
            .join(member, member.id == KpiValue.person_id)
            .group_by(KpiValue.kpi_id, member.market_id)
        )
        statements.append(_named(grouped, ["kpi_id", "market"]))
    for stmt in statements:
        for row in db.session.execute(stmt):
            _merge(result[row[0]], row[1], _to_sums(row[2], tuple(row[3:])))
    return dict(result)


def summed(by_market: dict[int, dict[int | None, Sums]]) -> dict[int, Sums]:
    """`totals` from `totals_by_market`."""
    result: dict[int, Sums] = {}
    for kpi_id, markets in by_market.items():
        for sums in markets.values():
            _merge(result, kpi_id, sums)
    return result


def daily(
    people: Select, start: date, end: date, rollup: RollupPlan | None = None
) -> dict[int, dict[date, Sums]]:
    """KPI id -> day -> sums: the trend's raw material, one row per KPI and day."""
    result: dict[int, dict[date, Sums]] = defaultdict(dict)
    rolled, start = rollup.split(start, end) if rollup else (None, start)
    statements = []
    if rollup and rolled:
        keys = [KpiRollupDaily.kpi_id.label("kpi_id"), KpiRollupDaily.value_on.label("day")]
        grouped = _rolled(
            select(*keys, *_rolled_sums()),
            rollup,
            KpiRollupDaily.node_id == rollup.node_id,
            *rolled,
        ).group_by(KpiRollupDaily.kpi_id, KpiRollupDaily.value_on)
        statements.append(_named(grouped, ["kpi_id", "day"]))
    if start <= end:
        keys = [KpiValue.kpi_id.label("kpi_id"), KpiValue.value_on.label("day")]
        grouped = _values_in(select(*keys, *_raw_sums()), people, start, end).group_by(
            KpiValue.kpi_id, KpiValue.value_on
        )
        statements.append(_named(grouped, ["kpi_id", "day"]))
    for stmt in statements:
        for row in db.session.execute(stmt):
            result[row[0]][row[1]] = _to_sums(row[2], tuple(row[3:]))
    return result


def children_of(viewer: Person, node: Person, area: policy.Area = policy.Area.KPIS) -> list[Person]:
    """The node's direct reports the viewer may see (in `area`), by name."""
    stmt = policy.scoped(
        select(Person).where(Person.manager_id == node.id), Person, viewer, area
    ).order_by(Person.name, Person.id)
    return list(db.session.execute(stmt).scalars().all())


def child_below(path: Any, node: Person) -> Any:
    """The id of the node's direct report under whom a person with this path falls: the path
    segment right after the node's own (paths are "/1/5/23/"); NULL for the node itself. An
    equality on a computed column instead of a LIKE join of every member with every child."""
    return cast(func.nullif(tree.child_segment(path, len(node.path)), ""), Integer)


def _raw_by_child(people: Select | list[int], node: Person, start: date, end: date) -> Select:
    """Sums per (direct report, KPI) from the raw values of `people` (a statement, or ids)."""
    member = aliased(Person)
    child = child_below(member.path, node)
    grouped = (
        select(child.label("child"), KpiValue.kpi_id.label("kpi_id"), *_raw_sums())
        .join(member, member.id == KpiValue.person_id)
        .where(
            KpiValue.person_id.in_(people),
            member.id != node.id,
            KpiValue.value_on.between(start, end),
        )
        .group_by(child, KpiValue.kpi_id)
    )
    return _named(grouped, ["child", "kpi_id"])


def by_child(
    people: Select,
    node: Person,
    start: date,
    end: date,
    rollup: RollupPlan | None = None,
    child_ids: Sequence[int] = (),
) -> dict[tuple[int, int], Sums]:
    """(child id, KPI id) -> sums over each direct report's subtree (within `people`). With a
    roll-up plan, the covered days of the children named in `child_ids` (the direct reports)
    come from the roll-up; without them every child is read raw (exact, only slower).

    The children left out of the roll-up under a rolled-up node are people without reports
    or the reports of a node smaller than the roll-up's threshold (see kpis.rollup): fewer
    than KPI_ROLLUP_MIN_SUBTREE people in all. Their ids are read first, so that their values
    are found through the (person, day) index whatever the planner guesses."""
    if rollup is None or not child_ids:
        statements = [_raw_by_child(people, node, start, end)]
    else:
        covered = sorted(rollup.covered_ids & set(child_ids))
        rolled, rest = rollup.split(start, end)
        statements = []
        if rolled:
            keys = [KpiRollupDaily.node_id.label("child"), KpiRollupDaily.kpi_id.label("kpi_id")]
            grouped = _rolled(
                select(*keys, *_rolled_sums()),
                rollup,
                KpiRollupDaily.node_id.in_(covered),
                *rolled,
            ).group_by(KpiRollupDaily.node_id, KpiRollupDaily.kpi_id)
            statements.append(_named(grouped, ["child", "kpi_id"]))
            if len(covered) < len(child_ids):
                others = people.where(
                    Person.id != node.id, child_below(Person.path, node).not_in(covered)
                )
                ids = list(db.session.execute(others).scalars())
                if ids:  # under the roll-up's threshold: fewer than MIN_SUBTREE people
                    statements.append(_raw_by_child(ids, node, start, end))
            if rest <= end:
                in_covered = people.where(child_below(Person.path, node).in_(covered))
                statements.append(_raw_by_child(in_covered, node, rest, end))
        else:
            statements.append(_raw_by_child(people, node, start, end))
    result: dict[tuple[int, int], Sums] = {}
    for stmt in statements:
        for row in db.session.execute(stmt):
            _merge(result, (row[0], row[1]), _to_sums(row[2], tuple(row[3:])))
    return result


def teams_and_markets(people: Select) -> tuple[set[int | None], set[int | None]]:
    """The distinct teams and markets of the people (to pick the target that applies)."""
    stmt = select(Person.team_id, Person.market_id).where(Person.id.in_(people)).distinct()
    teams: set[int | None] = set()
    markets: set[int | None] = set()
    for team_id, market_id in db.session.execute(stmt):
        teams.add(team_id)
        markets.add(market_id)
    return teams, markets


def groups_of(people: Select) -> tuple[set[int | None], dict[int | None, str]]:
    """The distinct teams of the people, and their markets with each market's name (one
    statement: `teams_and_markets` with the names the per-market targets are listed by)."""
    from portal.org.models import Market

    stmt = (
        select(Person.team_id, Person.market_id, Market.name)
        .outerjoin(Market, Market.id == Person.market_id)
        .where(Person.id.in_(people))
        .distinct()
    )
    teams: set[int | None] = set()
    markets: dict[int | None, str] = {}
    for team_id, market_id, name in db.session.execute(stmt):
        teams.add(team_id)
        markets[market_id] = name or ""
    return teams, markets


def latest_day(people: Select, on_or_before: date, rollup: RollupPlan | None = None) -> date | None:
    """The last day on or before the given one with any value for these people (the days a
    roll-up plan covers are looked up in the roll-up)."""
    start = date.min
    if rollup and rollup.through_on is not None:
        start = min(rollup.through_on, on_or_before) + timedelta(days=1)
    stmt = select(func.max(KpiValue.value_on)).where(
        KpiValue.person_id.in_(people), KpiValue.value_on.between(start, on_or_before)
    )
    latest = db.session.execute(stmt).scalar_one_or_none()
    if latest is None and rollup and rollup.through_on is not None:
        stmt = _rolled(
            select(func.max(KpiRollupDaily.value_on)),
            rollup,
            KpiRollupDaily.node_id == rollup.node_id,
            date.min,
            min(rollup.through_on, on_or_before),
        )
        latest = db.session.execute(stmt).scalar_one_or_none()
    return latest
