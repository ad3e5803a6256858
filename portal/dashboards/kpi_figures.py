"""Turning SQL sums into the rows the KPI tables and charts show. Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.kpis import maths
from portal.kpis.maths import Figure, Sums, TargetSet
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
class KpiRow:
    kpi: KpiInfo
    figure: Figure
    previous: Figure
    target: Decimal | None
    meets: bool | None
    attainment: Decimal | None
    improved: bool | None
    trend: tuple[tuple[date, Decimal | None, int], ...]  # (bucket start, value, n)


def trend_points(
    kpi: KpiInfo, by_day: Mapping[date, Sums], period: Period
) -> tuple[tuple[date, Decimal | None, int], ...]:
    """The KPI per bucket of the period (days, weeks or months), every bucket present."""
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
    return tuple(points)


def kpi_rows(
    kpis: Iterable[KpiInfo],
    current: Mapping[int, Sums],
    previous: Mapping[int, Sums],
    daily: Mapping[int, Mapping[date, Sums]],
    period: Period,
    team_ids: Iterable[int | None],
    market_ids: Iterable[int | None],
) -> list[KpiRow]:
    """One row per KPI: its figure for the period, the previous period, target and trend."""
    team_ids = set(team_ids)
    market_ids = set(market_ids)
    rows = []
    for kpi in kpis:
        figure = kpi.figure(current.get(kpi.id, Sums()))
        before = kpi.figure(previous.get(kpi.id, Sums()))
        target = maths.target_for(kpi.targets, team_ids, market_ids)
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
