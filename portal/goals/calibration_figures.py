"""What the calibration room sees, computed from plain values (no database, no request).

The what-if preview applies proposed ratings to the current final ratings and recomputes the
distribution and guideline warnings with rating.py's own functions, so a preview and the page
after saving can never disagree. Shares are rounded once, here, for the chart and the table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from portal.goals import rating
from portal.goals.figures import percent


@dataclass(frozen=True)
class Move:
    """One what-if change: the review, its current final rating and the rating tried."""

    review_id: int
    before: int | None
    after: int


def what_if_moves(
    finals: Mapping[int, int | None], tried: Mapping[int, int], scale: Sequence[int]
) -> list[Move]:
    """The tried ratings that would change something, in the order of `finals`.

    A review not in `finals` (outside the viewer's calibration), a rating off the scale and a
    rating equal to the current one are no change and are left out."""
    moves = []
    for review_id, before in finals.items():
        after = tried.get(review_id)
        if after is None or after not in scale or after == before:
            continue
        moves.append(Move(review_id, before, after))
    return moves


def ratings_after(finals: Mapping[int, int | None], moves: Iterable[Move]) -> list[int]:
    """The final ratings as they would be with the moves saved; unrated reviews stay out."""
    after = dict(finals)
    for move in moves:
        after[move.review_id] = move.after
    return [value for value in after.values() if value is not None]


@dataclass(frozen=True)
class Preview:
    distribution: dict[int, tuple[int, Fraction]]
    warnings: list[rating.GuidelineWarning]
    moves: list[Move]

    @property
    def total(self) -> int:
        return sum(count for count, _share in self.distribution.values())


def preview(
    finals: Mapping[int, int | None],
    tried: Mapping[int, int],
    scale: Sequence[int],
    guideline: Mapping[int, Fraction],
) -> Preview:
    """The distribution and guideline warnings if the tried ratings were saved (nothing is)."""
    moves = what_if_moves(finals, tried, scale)
    values = [value for value in ratings_after(finals, moves) if value in scale]
    distribution = rating.rating_distribution(values, scale)
    return Preview(distribution, rating.guideline_warnings(distribution, guideline), moves)


def share_percent(share: Fraction) -> Decimal:
    """A share (0..1) as a percentage with one decimal, rounded once for display."""
    return percent(share, 1) or Decimal(0)


def chart_data(
    scale: Sequence[tuple[int, str]],
    distribution: Mapping[int, tuple[int, Fraction]],
    guideline: Mapping[int, Fraction],
    labels: Mapping[str, str],
    what_if: Mapping[int, tuple[int, Fraction]] | None = None,
) -> dict:
    """The chart's JSON: one bar per rating (share in %), the guideline's maximum per rating
    (None where the guideline is silent) and, for a preview, the what-if shares beside."""

    def shares(dist: Mapping[int, tuple[int, Fraction]]) -> list[float]:
        return [float(share_percent(dist[value][1])) for value, _label in scale]

    data = {
        "labels": [str(value) for value, _label in scale],  # short ticks; names in tooltips
        "names": [f"{value} · {label}" if label else str(value) for value, label in scale],
        "counts": [distribution[value][0] for value, _label in scale],
        "shares": shares(distribution),
        "guideline": [
            float(share_percent(guideline[value])) if value in guideline else None
            for value, _label in scale
        ],
        "text": dict(labels),
    }
    if what_if is not None:
        data["whatIf"] = shares(what_if)
        data["whatIfCounts"] = [what_if[value][0] for value, _label in scale]
    return data


def blind_numbers(review_ids: Iterable[int], salt: str) -> dict[int, int]:
    """Person 1…n for the blind preview: a stable order that follows neither names nor ids
    (a hash of the salt and the id), so the numbers neither move when a rating changes nor
    hint at who is who."""

    def key(review_id: int) -> str:
        return hashlib.sha256(f"{salt}:{review_id}".encode()).hexdigest()

    ordered = sorted(set(review_ids), key=key)
    return {review_id: number for number, review_id in enumerate(ordered, start=1)}
