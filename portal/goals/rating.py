"""Review ratings: weighted overall rating, suggested rating bands, promotion readiness and the
calibration distribution. Pure and exact (Fraction); missing ratings drop out, never count as 0.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from portal.goals.progress import Number, exact, weighted_mean


def overall_rating(parts: Mapping[str, tuple[Number, Number | None]]) -> Fraction | None:
    """sum(weight * rating) / sum(weight) over the parts rated (e.g. goals 70, competencies 30).

    An unrated part drops out with its weight; None when no part is rated yet.
    """
    return weighted_mean(list(parts.values()))


def weighted_goal_rating(goals: Sequence[tuple[Number, Number | None]]) -> Fraction | None:
    """The goals part of a review: each goal's rating weighted by the goal's weight."""
    return weighted_mean(goals)


def average_rating(ratings: Sequence[Number | None]) -> Fraction | None:
    """The plain mean of the ratings given (e.g. a team's latest); None if there are none."""
    return weighted_mean([(1, rating) for rating in ratings])


@dataclass(frozen=True)
class RatingBand:
    """From min_achievement upwards (inclusive) the suggested rating is `rating`."""

    min_achievement: Fraction
    rating: int
    label: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_achievement", exact(self.min_achievement))


class BandsInvalid(StrEnum):
    NO_BANDS = "no_bands"
    NOT_SORTED = "bands_not_sorted"
    DUPLICATE_MINIMUM = "duplicate_minimum"
    RATING_OUTSIDE_SCALE = "rating_outside_scale"
    RATINGS_NOT_INCREASING = "ratings_not_increasing"


def validate_bands(bands: Sequence[RatingBand], scale: Sequence[int]) -> list[str]:
    """Codes (BandsInvalid values) of what is wrong with a cycle's bands; empty when valid.

    Bands are listed by rising minimum, each minimum once, each rating on the scale, and more
    achievement never suggests a lower rating.
    """
    if not bands:
        return [BandsInvalid.NO_BANDS.value]
    problems: list[BandsInvalid] = []
    pairs = list(zip(bands, bands[1:], strict=False))
    if any(b.min_achievement < a.min_achievement for a, b in pairs):
        problems.append(BandsInvalid.NOT_SORTED)
    if len({band.min_achievement for band in bands}) != len(bands):
        problems.append(BandsInvalid.DUPLICATE_MINIMUM)
    if any(band.rating not in scale for band in bands):
        problems.append(BandsInvalid.RATING_OUTSIDE_SCALE)
    ordered = sorted(bands, key=lambda band: band.min_achievement)
    if any(b.rating < a.rating for a, b in zip(ordered, ordered[1:], strict=False)):
        problems.append(BandsInvalid.RATINGS_NOT_INCREASING)
    return [problem.value for problem in problems]


def suggested_rating(achievement: Number | None, bands: Sequence[RatingBand]) -> RatingBand | None:
    """The band with the highest minimum at or below the achievement (the lower edge belongs to
    the band). None without an achievement, or when it is below every band's minimum: the
    suggestion is then left to the manager rather than forced into the lowest band.
    """
    if len({band.min_achievement for band in bands}) != len(bands):
        raise ValueError("rating bands need unique minimums")
    if achievement is None:
        return None
    value = exact(achievement)
    reached = [band for band in bands if band.min_achievement <= value]
    return max(reached, key=lambda band: band.min_achievement) if reached else None


def add_months(start: date, months: int) -> date:
    """The same day `months` later; on the month's last day when that month is shorter."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def months_between(start: date, end: date) -> int:
    """Whole months completed from start to end; 0 when end is not after start.

    A month is completed on the same day of a later month, or on that month's last day when it
    has no such day (31 August + 6 months = 28/29 February).
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def promotion_ready(
    months_in_position: int,
    latest_rating: Number | None,
    team_average: Number | None,
    min_months: int = 6,
) -> bool:
    """At least min_months in the current position and a latest rating strictly above the team's
    average. Without either rating the rule cannot hold, so the answer is False.
    """
    if latest_rating is None or team_average is None:
        return False
    return months_in_position >= min_months and exact(latest_rating) > exact(team_average)


def rating_distribution(
    ratings: Sequence[int], scale: Sequence[int]
) -> dict[int, tuple[int, Fraction]]:
    """For each rating on the scale (in scale order): how many have it and their share (0..1).

    Every scale rating appears, with count 0 if unused; with no ratings every share is 0.
    A rating off the scale is a programming error and raises ValueError.
    """
    off_scale = sorted(set(ratings) - set(scale))
    if off_scale:
        raise ValueError(f"ratings outside the scale: {off_scale}")
    total = len(ratings)
    counts = {value: 0 for value in scale}
    for rating in ratings:
        counts[rating] += 1
    return {
        value: (count, Fraction(count, total) if total else Fraction(0))
        for value, count in counts.items()
    }


class GuidelineWarning(NamedTuple):
    rating: int
    share: Fraction
    max_share: Fraction


def guideline_warnings(
    distribution: Mapping[int, tuple[int, Fraction]], guideline: Mapping[int, Number]
) -> list[GuidelineWarning]:
    """The ratings whose share is strictly above the guideline's maximum (e.g. at most 15 % in
    the top rating), in the distribution's order. Warnings for calibration only; nothing is blocked.
    A guideline rating with no entry in the distribution has a share of 0.
    """
    warnings = []
    for rating, (_count, share) in distribution.items():
        if rating in guideline and share > exact(guideline[rating]):
            warnings.append(GuidelineWarning(rating, share, exact(guideline[rating])))
    return warnings
