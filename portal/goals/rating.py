"""Review ratings: weighted overall rating, suggested rating bands, promotion readiness and the
calibration distribution. Pure and exact (Fraction); missing ratings drop out, never count as 0.

Goal achievement behind the suggested rating (capped_achievement):
- each goal's progress counts between 0 and the cycle's cap (default 120 %), so over-achieving a
  small goal cannot hide missing a large one: goals weighted 90 and 10 at 0 % and 1,000 % give
  0.9 x 0 + 0.1 x 1.2 = 12 %, not 100 %. Below the baseline counts as 0 (the goal's own page
  still shows its unclamped progress);
- a goal without a check-in is "no data": it is left out of the achievement, which is the
  weighted mean over the goals that have data (the covered weight), the same rule as the
  overall rating's missing parts. It never drops silently: the result carries the covered
  and uncovered weight and the number of goals without data, and the page states them
  ("based on goals covering 60 % of the weight; 2 goals (40 %) have no data").

Promotion readiness (promotion_check) compares a person's latest rating with their team's
average only when at least MIN_TEAM_RATED (5) people of that team were rated in that cycle; below
that the average says too little about a team and the answer is "not enough rated people".
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


# The fewest rated people (the person included) a team's average needs before a rating can be
# compared with it: with fewer, one person's rating moves the average too much to mean anything.
MIN_TEAM_RATED = 5


class Readiness(StrEnum):
    """Why someone is or is not ready; the first rule that fails is the one named."""

    READY = "ready"
    NO_RATING = "no_rating"
    TOO_FEW_RATED = "too_few_rated"  # fewer than MIN_TEAM_RATED rated people in the team
    TOO_FEW_MONTHS = "too_few_months"
    NOT_ABOVE_AVERAGE = "not_above_average"


def promotion_check(
    months_in_position: int,
    latest_rating: Number | None,
    team_average: Number | None,
    team_rated: int,
    min_months: int = 6,
    min_team_rated: int = MIN_TEAM_RATED,
) -> Readiness:
    """At least min_months in the current position and a latest rating strictly above the
    average of a team of at least min_team_rated rated people. Without a rating, or with too
    few rated people for the average to mean anything, the rule cannot hold."""
    if latest_rating is None:
        return Readiness.NO_RATING
    if team_average is None or team_rated < min_team_rated:
        return Readiness.TOO_FEW_RATED
    if months_in_position < min_months:
        return Readiness.TOO_FEW_MONTHS
    if exact(latest_rating) <= exact(team_average):
        return Readiness.NOT_ABOVE_AVERAGE
    return Readiness.READY


def promotion_ready(
    months_in_position: int,
    latest_rating: Number | None,
    team_average: Number | None,
    min_months: int = 6,
    *,
    team_rated: int,
    min_team_rated: int = MIN_TEAM_RATED,
) -> bool:
    """promotion_check(...) is READY: never True with fewer than min_team_rated rated people."""
    check = promotion_check(
        months_in_position, latest_rating, team_average, team_rated, min_months, min_team_rated
    )
    return check is Readiness.READY


# ---- goal achievement for the suggested rating ----------------------------------------------

DEFAULT_ACHIEVEMENT_CAP_PERCENT = 120
MIN_ACHIEVEMENT_CAP_PERCENT = 100
MAX_ACHIEVEMENT_CAP_PERCENT = 200


@dataclass(frozen=True)
class Achievement:
    """A person's goal achievement for the suggested rating, with what it is based on."""

    value: Fraction | None  # capped weighted mean over the covered weight; None: no data at all
    covered_weight: Fraction  # the weight of the goals with a check-in
    uncovered_weight: Fraction  # the weight of the goals without one ("no data")
    goals_with_data: int
    goals_without_data: int
    goals_capped: int  # goals whose progress was above the cap and counted at the cap
    cap: Fraction

    @property
    def total_weight(self) -> Fraction:
        return self.covered_weight + self.uncovered_weight

    @property
    def covered_share(self) -> Fraction | None:
        """The covered weight's share of all the weight (0..1); None without goals."""
        total = self.total_weight
        return self.covered_weight / total if total else None

    @property
    def uncovered_share(self) -> Fraction | None:
        total = self.total_weight
        return self.uncovered_weight / total if total else None


def capped_progress(value: Fraction | None, cap: Number) -> Fraction | None:
    """A goal's progress as it counts towards achievement: between 0 and cap; None stays None."""
    if value is None:
        return None
    return min(max(exact(value), Fraction(0)), exact(cap))


def capped_achievement(
    goals: Sequence[tuple[Number, Fraction | None]],
    cap: Number = Fraction(DEFAULT_ACHIEVEMENT_CAP_PERCENT, 100),
) -> Achievement:
    """(weight, progress) per goal -> the achievement behind the suggested rating.

    Each goal's progress counts between 0 and `cap` (1 = 100 %); goals without progress (no
    check-in) are left out of the mean and counted as uncovered weight. A negative weight or a
    cap below 1 is a programming error (the cycle form refuses both).
    """
    limit = exact(cap)
    if limit < 1:
        raise ValueError("the achievement cap is at least 100 %")
    covered = uncovered = Fraction(0)
    with_data = without_data = capped = 0
    pairs: list[tuple[Number, Fraction | None]] = []
    for weight, value in goals:
        w = exact(weight)
        if w < 0:
            raise ValueError("weights cannot be negative")
        if value is None:
            uncovered += w
            without_data += 1
        else:
            covered += w
            with_data += 1
            capped += exact(value) > limit
        pairs.append((w, capped_progress(value, limit)))
    return Achievement(
        value=weighted_mean(pairs),
        covered_weight=covered,
        uncovered_weight=uncovered,
        goals_with_data=with_data,
        goals_without_data=without_data,
        goals_capped=capped,
        cap=limit,
    )


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
