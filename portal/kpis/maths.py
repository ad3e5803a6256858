"""KPI arithmetic on plain values: aggregation, targets, direction and attainment. No database.

The pages aggregate in SQL into `Sums` (one row of SUM/COUNT per KPI and group); `from_sums`
turns them into the figure shown. `aggregate` does the same from the daily rows themselves and
is what the tests hold the SQL to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from portal.kpis.models import Aggregation, Direction

ZERO = Decimal(0)


@dataclass(frozen=True)
class Daily:
    """One person's day: the fields the KPI's aggregation uses (others None)."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    weight: Decimal | None = None


@dataclass(frozen=True)
class Sums:
    """What SQL sums over a group of daily rows."""

    n: int = 0  # rows counted by the aggregation
    value_sum: Decimal = ZERO
    numerator_sum: Decimal = ZERO
    denominator_sum: Decimal = ZERO
    weighted_sum: Decimal = ZERO  # sum(value x weight)
    weight_sum: Decimal = ZERO

    def __add__(self, other: Sums) -> Sums:
        return Sums(
            self.n + other.n,
            self.value_sum + other.value_sum,
            self.numerator_sum + other.numerator_sum,
            self.denominator_sum + other.denominator_sum,
            self.weighted_sum + other.weighted_sum,
            self.weight_sum + other.weight_sum,
        )


@dataclass(frozen=True)
class Figure:
    """An aggregated KPI: its value (None when nothing to aggregate) and the rows behind it."""

    value: Decimal | None
    n: int


def sums_of(aggregation: Aggregation, rows: Iterable[Daily]) -> Sums:
    """The sums SQL computes, from the daily rows (rows missing a needed field are skipped)."""
    total = Sums()
    for row in rows:
        total = total + _row_sums(aggregation, row)
    return total


def _row_sums(aggregation: Aggregation, row: Daily) -> Sums:
    if aggregation in (Aggregation.MEAN, Aggregation.SUM):
        if row.value is None:
            return Sums()
        return Sums(n=1, value_sum=row.value)
    if aggregation is Aggregation.RATE:
        if row.numerator is None or row.denominator is None:
            return Sums()
        return Sums(n=1, numerator_sum=row.numerator, denominator_sum=row.denominator)
    if row.value is None or row.weight is None:
        return Sums()
    return Sums(n=1, weighted_sum=row.value * row.weight, weight_sum=row.weight)


def from_sums(aggregation: Aggregation, sums: Sums) -> Figure:
    """The KPI's figure for a group whose rows add up to `sums`."""
    aggregation = Aggregation(aggregation)
    if sums.n == 0:
        return Figure(None, 0)
    if aggregation is Aggregation.SUM:
        return Figure(sums.value_sum, sums.n)
    if aggregation is Aggregation.MEAN:
        return Figure(sums.value_sum / sums.n, sums.n)
    if aggregation is Aggregation.RATE:
        if sums.denominator_sum == 0:
            return Figure(None, sums.n)
        return Figure(sums.numerator_sum / sums.denominator_sum, sums.n)
    if sums.weight_sum == 0:
        return Figure(None, sums.n)
    return Figure(sums.weighted_sum / sums.weight_sum, sums.n)


def aggregate(aggregation: Aggregation, rows: Iterable[Daily]) -> Figure:
    """The KPI's figure over the daily rows."""
    aggregation = Aggregation(aggregation)
    return from_sums(aggregation, sums_of(aggregation, rows))


# ---- targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSet:
    """A KPI's targets: by market id and by team id."""

    by_market: Mapping[int, Decimal]
    by_team: Mapping[int, Decimal]


def target_for(
    targets: TargetSet, team_ids: Iterable[int | None], market_ids: Iterable[int | None]
) -> Decimal | None:
    """The target of a group of people: their team's when they are one team with a target,
    else their market's when they are one market with a target, else none (a mix of markets
    has no single target; filter by market to see it)."""
    teams = set(team_ids)
    markets = set(market_ids)
    if len(teams) == 1:
        (team,) = teams
        if team is not None and team in targets.by_team:
            return targets.by_team[team]
    if len(markets) == 1:
        (market,) = markets
        if market is not None and market in targets.by_market:
            return targets.by_market[market]
    return None


def target_weight(aggregation: Aggregation, sums: Sums) -> Decimal | None:
    """How much a group weighs in a larger group's figure: what its figure is averaged by
    (a rate's denominator, a weighted mean's weights, a mean's rows). None for a sum, whose
    figure adds up rather than averages (a sum has no weighted target)."""
    aggregation = Aggregation(aggregation)
    if aggregation is Aggregation.SUM:
        return None
    if aggregation is Aggregation.MEAN:
        return Decimal(sums.n)
    if aggregation is Aggregation.RATE:
        return sums.denominator_sum
    return sums.weight_sum


def weighted_target(pairs: Iterable[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """Σ(target × weight) ÷ Σ weight over (target, weight) pairs: the figure the whole would
    have if every part were exactly on its target. Parts weighing nothing are left out; None
    when a part that weighs something has no target or no weight, or nothing weighs anything."""
    total = ZERO
    weighted = ZERO
    for target, weight in pairs:
        if weight is None:
            return None
        if weight == 0:
            continue
        if target is None:
            return None
        total += weight
        weighted += target * weight
    if total <= 0:
        return None
    return weighted / total


class TargetKind:
    SINGLE = "single"  # one team or one market: its target
    ROLLED = "rolled"  # several markets: the weighted roll-up of their targets
    DIFFER = "differ"  # several markets, no meaningful roll-up: each market's own attainment
    NONE = "none"  # no target anywhere below the node


@dataclass(frozen=True)
class NodeTarget:
    target: Decimal | None
    kind: str  # a TargetKind


def node_target(
    aggregation: Aggregation,
    targets: TargetSet,
    team_ids: Iterable[int | None],
    market_ids: Iterable[int | None],
    by_market: Mapping[int | None, Sums],
) -> NodeTarget:
    """The target of a node of the org tree for a KPI.

    1. One team with a target, else one market with a target: that target (`target_for`).
    2. No target for any of its markets or teams: none.
    3. Several markets, every market with figures in the period having a target, and a KPI
       that averages (mean, rate, weighted mean): the markets' targets weighted by each
       market's share of what the figure is averaged by in the period (`target_weight`), i.e.
       the node's figure if every market were exactly on its target.
    4. Otherwise (a sum, a market with figures but no target, no figures at all): the
       targets differ by market, and each market's attainment is what to show."""
    teams = set(team_ids)
    markets = set(market_ids)
    single = target_for(targets, teams, markets)
    if single is not None:
        return NodeTarget(single, TargetKind.SINGLE)
    if not any(m in targets.by_market for m in markets) and not any(
        t in targets.by_team for t in teams
    ):
        return NodeTarget(None, TargetKind.NONE)
    rolled = None
    if Aggregation(aggregation) is not Aggregation.SUM and len(markets) > 1:
        rolled = weighted_target(
            (targets.by_market.get(m) if m is not None else None, target_weight(aggregation, s))
            for m, s in by_market.items()
            if m in markets
        )
    if rolled is not None:
        return NodeTarget(rolled, TargetKind.ROLLED)
    return NodeTarget(None, TargetKind.DIFFER)


def meets(direction: Direction, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Whether the value meets the target in the KPI's direction; None when either is missing."""
    if value is None or target is None:
        return None
    if Direction(direction) is Direction.HIGHER:
        return value >= target
    return value <= target


def attainment(
    direction: Direction, value: Decimal | None, target: Decimal | None
) -> Decimal | None:
    """Value against target as a ratio where 1 means on target and above 1 means better:
    value/target when higher is better, target/value when lower is better. None when it
    cannot be computed (missing, or a zero divisor)."""
    if value is None or target is None:
        return None
    if Direction(direction) is Direction.HIGHER:
        return None if target == 0 else value / target
    return None if value == 0 else target / value


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Current minus previous, None when either is missing."""
    if current is None or previous is None:
        return None
    return current - previous


def improved(
    direction: Direction, current: Decimal | None, previous: Decimal | None
) -> bool | None:
    """Did the figure move the right way? None when unchanged or unknown."""
    delta = change(current, previous)
    if delta is None or delta == 0:
        return None
    return delta > 0 if Direction(direction) is Direction.HIGHER else delta < 0
