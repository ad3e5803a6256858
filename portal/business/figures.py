"""The figures a business review or a market summary shows, as plain values: each KPI for the
period against the previous period and the target, and the QA average with its n and critical
fails against the previous period. Pure: built from the team view's KPI rows and the QA
roll-up summaries, and turned into JSON (the snapshot frozen when a review is held) and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.dashboards.kpi_figures import KpiRow
from portal.kpis import maths
from portal.qa.rollups import Summary

SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class KpiLine:
    code: str
    name: str
    unit: str
    direction: str
    decimals: int
    value: Decimal | None
    n: int
    previous: Decimal | None
    previous_n: int
    target: Decimal | None
    attainment: Decimal | None
    meets: bool | None
    improved: bool | None

    @property
    def change(self) -> Decimal | None:
        return maths.change(self.value, self.previous)


@dataclass(frozen=True)
class QaFigure:
    """One period's QA: evaluations, the scored ones, their mean (None below the minimum of
    scored evaluations) and critical fails."""

    n: int
    n_scored: int
    mean: Decimal | None
    n_critical: int


@dataclass(frozen=True)
class QaLine:
    current: QaFigure
    previous: QaFigure

    @property
    def change(self) -> Decimal | None:
        return maths.change(self.current.mean, self.previous.mean)

    @property
    def improved(self) -> bool | None:
        return maths.improved(maths.Direction.HIGHER, self.current.mean, self.previous.mean)


@dataclass(frozen=True)
class Figures:
    period_start: date
    period_end: date
    previous_start: date
    previous_end: date
    kpis: tuple[KpiLine, ...]
    qa: QaLine
    computed_at: datetime


def kpi_lines(rows: Iterable[KpiRow]) -> tuple[KpiLine, ...]:
    """The team view's KPI rows as plain lines (the trend is not kept)."""
    return tuple(
        KpiLine(
            code=row.kpi.code,
            name=row.kpi.name,
            unit=row.kpi.unit,
            direction=row.kpi.direction,
            decimals=row.kpi.decimals,
            value=row.figure.value,
            n=row.figure.n,
            previous=row.previous.value,
            previous_n=row.previous.n,
            target=row.target,
            attainment=row.attainment,
            meets=row.meets,
            improved=row.improved,
        )
        for row in rows
    )


def qa_figure(summary: Summary) -> QaFigure:
    mean = summary.mean
    return QaFigure(
        n=summary.n,
        n_scored=summary.score.n,
        mean=None if mean is None else Decimal(repr(mean)),
        n_critical=summary.n_critical,
    )


# ---- JSON ------------------------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _qa_json(figure: QaFigure) -> dict[str, Any]:
    return {
        "n": figure.n,
        "n_scored": figure.n_scored,
        "mean": _dec(figure.mean),
        "n_critical": figure.n_critical,
    }


def _qa_from(data: Mapping[str, Any]) -> QaFigure:
    return QaFigure(
        n=int(data["n"]),
        n_scored=int(data["n_scored"]),
        mean=_undec(data.get("mean")),
        n_critical=int(data["n_critical"]),
    )


def to_json(figures: Figures) -> dict[str, Any]:
    """A JSON-safe dict; decimals as strings so nothing is rounded by a float."""
    return {
        "format": SNAPSHOT_FORMAT,
        "period": [figures.period_start.isoformat(), figures.period_end.isoformat()],
        "previous": [figures.previous_start.isoformat(), figures.previous_end.isoformat()],
        "computed_at": figures.computed_at.isoformat(),
        "kpis": [
            {
                "code": k.code,
                "name": k.name,
                "unit": k.unit,
                "direction": k.direction,
                "decimals": k.decimals,
                "value": _dec(k.value),
                "n": k.n,
                "previous": _dec(k.previous),
                "previous_n": k.previous_n,
                "target": _dec(k.target),
                "attainment": _dec(k.attainment),
                "meets": k.meets,
                "improved": k.improved,
            }
            for k in figures.kpis
        ],
        "qa": {"current": _qa_json(figures.qa.current), "previous": _qa_json(figures.qa.previous)},
    }


def from_json(data: Mapping[str, Any]) -> Figures:
    """The figures frozen by to_json, exactly as they were."""
    return Figures(
        period_start=date.fromisoformat(data["period"][0]),
        period_end=date.fromisoformat(data["period"][1]),
        previous_start=date.fromisoformat(data["previous"][0]),
        previous_end=date.fromisoformat(data["previous"][1]),
        computed_at=datetime.fromisoformat(data["computed_at"]),
        kpis=tuple(
            KpiLine(
                code=k["code"],
                name=k["name"],
                unit=k["unit"],
                direction=k["direction"],
                decimals=int(k["decimals"]),
                value=_undec(k["value"]),
                n=int(k["n"]),
                previous=_undec(k["previous"]),
                previous_n=int(k["previous_n"]),
                target=_undec(k["target"]),
                attainment=_undec(k["attainment"]),
                meets=k["meets"],
                improved=k["improved"],
            )
            for k in data["kpis"]
        ),
        qa=QaLine(_qa_from(data["qa"]["current"]), _qa_from(data["qa"]["previous"])),
    )
