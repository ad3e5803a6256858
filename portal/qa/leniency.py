"""Evaluator leniency: how much higher (or lower) an evaluator scores than the reference in
calibration, and than other evaluators on comparable contacts. Pure functions over aggregates.

Comparable contacts: evaluations on the same scorecard version, of the same channel, in the same
month. For each such cell the evaluator's mean is compared with the mean of everyone else's
evaluations in it; cells without other evaluators say nothing and are left out. The cells are
weighted by the evaluator's number of evaluations in them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class CellSum:
    """SQL aggregate: one evaluator's evaluations in one comparable cell."""

    evaluator_id: int
    month: str  # "2026-11"
    cell: Hashable  # (scorecard version, channel, month)
    n: int
    total: Any  # sum of scores (Decimal or float)


@dataclass(frozen=True)
class Leniency:
    evaluator_id: int
    month: str | None  # None: over the whole period
    difference: float | None  # mean of (own - others) in points; > 0 is lenient
    n: int  # evaluations (or calibration scorings) it rests on


def _f(value: Any) -> Fraction:
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def peer_leniency(sums: Iterable[CellSum]) -> dict[tuple[int, str | None], Leniency]:
    """Per (evaluator, month) and per (evaluator, None): the weighted difference from peers."""
    rows = list(sums)
    cell_n: dict[Hashable, int] = defaultdict(int)
    cell_total: dict[Hashable, Fraction] = defaultdict(Fraction)
    for row in rows:
        cell_n[row.cell] += row.n
        cell_total[row.cell] += _f(row.total)
    weighted: dict[tuple[int, str | None], Fraction] = defaultdict(Fraction)
    counts: dict[tuple[int, str | None], int] = defaultdict(int)
    for row in rows:
        others_n = cell_n[row.cell] - row.n
        if others_n <= 0 or row.n <= 0:
            continue
        own_mean = _f(row.total) / row.n
        others_mean = (cell_total[row.cell] - _f(row.total)) / others_n
        for key in ((row.evaluator_id, row.month), (row.evaluator_id, None)):
            weighted[key] += (own_mean - others_mean) * row.n
            counts[key] += row.n
    return {
        key: Leniency(key[0], key[1], float(weighted[key] / counts[key]), counts[key])
        for key in counts
    }


def calibration_leniency(
    sums: Iterable[tuple[int, str, int, Any]],
) -> dict[tuple[int, str | None], Leniency]:
    """From (evaluator, month, n, Σ(own score - reference score)) rows: the mean difference."""
    totals: dict[tuple[int, str | None], Fraction] = defaultdict(Fraction)
    counts: dict[tuple[int, str | None], int] = defaultdict(int)
    for evaluator_id, month, n, total in sums:
        for key in ((evaluator_id, month), (evaluator_id, None)):
            totals[key] += _f(total)
            counts[key] += n
    return {
        key: Leniency(
            key[0], key[1], float(totals[key] / counts[key]) if counts[key] else None, counts[key]
        )
        for key in counts
    }
