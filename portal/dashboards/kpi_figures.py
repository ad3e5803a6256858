"""Turning SQL sums into the rows the KPI tables and charts show. Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.kpis import maths
from portal.kpis.maths import Figure, Sums, TargetKind, TargetSet
from portal.kpis.periods import Period


@dataclass(frozen=True)
class KpiInfo:
    """What the figures need of a KPI definition, as plain values."""

    id: int
    code: str
    name: str
    unit: str
    direction: str
    aggregation: str
    decimals: int
    targets: TargetSet

    @property
    def scale(self) -> Decimal:
        """A rate with unit % is shown (and targeted) in percent, the ratio times 100."""
        return Decimal(100) if self.aggregation == "rate" and self.unit == "%" else Decimal(1)

    def figure(self, sums: Sums) -> Figure:
        figure = maths.from_sums(maths.Aggregation(self.aggregation), sums)
        if figure.value is None or self.scale == 1:
            return figure
        return Figure(figure.value * self.scale, figure.n)


@dataclass(frozen=True)
class MarketFigure:
    """A KPI in one market of a node spanning several: its figure against that market's target."""

    market_id: int | None
    name: str
    figure: Figure
    target: Decimal | None
    meets: bool | None
    attainment: Decimal | None


@dataclass(frozen=True)
class KpiRow:
    kpi: KpiInfo
    figure: Figure
    previous: Figure
    target: Decimal | None
    meets: bool | None
    attainment: Decimal | None
    improved: bool | None
    trend: tuple[tuple[date, Decimal | None, int], ...]  # (bucket start, value, n)
    target_kind: str = TargetKind.SINGLE  # see maths.node_target
    markets: tuple[MarketFigure, ...] = ()  # per market, when the node spans several


def trend_points(
    kpi: KpiInfo, by_day: Mapping[date, Sums], period: Period
) -> tuple[tuple[date, Decimal | None, int], ...]:
    """The KPI per bucket of the period (days, weeks or months) up to the last bucket with
    data (a running period has no tail of empty future days); an empty bucket before it stays,
    with no value (a gap in the chart, not a zero)."""
    buckets: dict[date, Sums] = {}
    day = period.start
    while day <= period.end:
        buckets.setdefault(period.bucket_of(day), Sums())
        day += timedelta(days=1)
    for day, sums in by_day.items():
        key = period.bucket_of(day)
        if key in buckets:
            buckets[key] = buckets[key] + sums
    points = []
    for key in sorted(buckets):
        figure = kpi.figure(buckets[key])
        points.append((key, figure.value, figure.n))
    while points and points[-1][2] == 0:
        points.pop()
    return tuple(points)


def market_figures(
    kpi: KpiInfo, by_market: Mapping[int | None, Sums], names: Mapping[int | None, str]
) -> tuple[MarketFigure, ...]:
    """The KPI in each market (by name) against that market's own target."""
    found = []
    for market_id in sorted(names, key=lambda m: (names[m] or "", m or 0)):
        figure = kpi.figure(by_market.get(market_id, Sums()))
        target = kpi.targets.by_market.get(market_id) if market_id is not None else None
        found.append(
            MarketFigure(
                market_id=market_id,
                name=names[market_id],
                figure=figure,
                target=target,
                meets=maths.meets(kpi.direction, figure.value, target),
                attainment=maths.attainment(kpi.direction, figure.value, target),
            )
        )
    return tuple(found)


def kpi_rows(
    kpis: Iterable[KpiInfo],
    current: Mapping[int, Sums],
    previous: Mapping[int, Sums],
    daily: Mapping[int, Mapping[date, Sums]],
    period: Period,
    team_ids: Iterable[int | None],
    market_ids: Iterable[int | None],
    by_market: Mapping[int, Mapping[int | None, Sums]] | None = None,
    market_names: Mapping[int | None, str] | None = None,
) -> list[KpiRow]:
    """One row per KPI: its figure for the period, the previous period, target and trend.

    With `by_market` (KPI id -> market id -> this period's sums) and `market_names`, a node
    spanning several markets gets maths.node_target's target (the weighted roll-up of its
    markets' targets, or each market's attainment); without them, only a single team's or
    market's target (maths.target_for)."""
    team_ids = set(team_ids)
    market_ids = set(market_ids)
    rows = []
    for kpi in kpis:
        figure = kpi.figure(current.get(kpi.id, Sums()))
        before = kpi.figure(previous.get(kpi.id, Sums()))
        per_market = by_market.get(kpi.id, {}) if by_market is not None else {}
        node = maths.node_target(
            maths.Aggregation(kpi.aggregation), kpi.targets, team_ids, market_ids, per_market
        )
        if by_market is None and node.kind != TargetKind.SINGLE:
            node = maths.NodeTarget(None, TargetKind.NONE)  # as before: one target or none
        target = node.target
        markets: tuple[MarketFigure, ...] = ()
        if (
            by_market is not None
            and len(market_ids) > 1
            and node.kind
            in (
                TargetKind.ROLLED,
                TargetKind.DIFFER,
            )
        ):
            names = {
                m: (market_names or {}).get(m, "")
                for m in market_ids
                if m in kpi.targets.by_market or per_market.get(m, Sums()).n
            }  # a market with neither figures nor a target says nothing
            markets = market_figures(kpi, per_market, names)
        rows.append(
            KpiRow(
                kpi=kpi,
                figure=figure,
                previous=before,
                target=target,
                meets=maths.meets(kpi.direction, figure.value, target),
                attainment=maths.attainment(kpi.direction, figure.value, target),
                improved=maths.improved(kpi.direction, figure.value, before.value),
                trend=trend_points(kpi, daily.get(kpi.id, {}), period),
                target_kind=node.kind,
                markets=markets,
            )
        )
    return rows


def shown(value: Decimal | None, decimals: int) -> str:
    """A figure rounded once, for display and export ('' when missing)."""
    if value is None:
        return ""
    return str(value.quantize(Decimal(1).scaleb(-decimals)))


def shown_percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str((value * 100).quantize(Decimal(1))) + "%"


def shown_change(current: Decimal | None, previous: Decimal | None, decimals: int) -> str:
    """Current minus previous with its sign, rounded once ('' when either is missing)."""
    delta = maths.change(current, previous)
    if delta is None:
        return ""
    text = shown(delta, decimals)
    return text if text.startswith("-") else "+" + text


def chart_number(value: Decimal | None) -> float | None:
    """A figure for the chart's JSON (the table beside it shows the exact rounding)."""
    return None if value is None else float(value)


SCALE_UNIT = re.compile(r"^/(\d+)$")


def y_axis(kpi: KpiInfo, values: Iterable[Decimal | None]) -> tuple[float | None, float | None]:
    """Where a KPI's chart axis starts and ends, so a small move does not look like a crash:
    a rating scale (unit "/N", N up to 7, e.g. CSAT /5) spans its whole range from 1; anything
    else (rates, percentages, counts, durations, scores "/10" or "/100") starts at 0, unless a
    value is below 0 (e.g. an NPS), when the chart picks its own range. None: not fixed."""
    match = SCALE_UNIT.match((kpi.unit or "").strip())
    if match:
        top = int(match.group(1))
        return (1.0 if 2 <= top <= 7 else 0.0), float(top)
    if any(v is not None and v < 0 for v in values):
        return None, None
    return 0.0, None
