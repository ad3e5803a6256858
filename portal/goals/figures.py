"""What goal and review pages show, computed once from plain values (no database).

Built on progress.py and rating.py; rounding happens here, once, for display only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from portal.goals import progress as maths
from portal.goals import rating as ratings
from portal.goals.progress import Number


def display(value: Fraction | None, places: int = 2) -> Decimal | None:
    """A Fraction rounded half up to `places` decimals for display; None stays None."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def percent(value: Fraction | None, places: int = 0) -> Decimal | None:
    """Progress (1 = 100 %) as a percentage rounded for display."""
    return None if value is None else display(value * 100, places)


@dataclass(frozen=True)
class GoalFigures:
    progress: Fraction | None  # unclamped; None before the first check-in
    percent: Decimal | None  # progress as a rounded percentage, for the label
    bar_percent: Decimal | None  # clamped to 0..100, for the bar's width
    is_met: bool
    is_exceeded: bool


def goal_figures(
    direction: str, baseline: Number, target: Number, latest: Number | None
) -> GoalFigures:
    """A goal's progress from its baseline, target, direction and latest checked-in value."""
    value = maths.progress(direction, baseline, target, latest)
    bar = maths.bar(value)
    return GoalFigures(
        progress=value,
        percent=percent(value),
        bar_percent=percent(bar),
        is_met=maths.is_met(value),
        is_exceeded=maths.is_exceeded(value),
    )


def achievement(goals: Sequence[tuple[Number, Fraction | None]]) -> Fraction | None:
    """A person's goal progress: their goals' progress weighted by the goals' weights, as the
    plan pages show it. Goals without a check-in drop out; taken unclamped, like a parent goal's
    roll-up. The suggested rating uses suggestion() instead: capped, with its coverage."""
    return maths.parent_progress(goals)


@dataclass(frozen=True)
class Suggestion:
    """The suggested rating from goal achievement, with what it is based on, rounded for display.

    The covered and "no data" percentages are rounded once and the second is 100 minus the
    first, so the two shown always add up to 100.
    """

    achievement: ratings.Achievement
    band: ratings.RatingBand | None  # None: no data at all, or below every band
    achievement_percent: Decimal | None
    covered_percent: Decimal | None  # None without goals
    uncovered_percent: Decimal | None
    cap_percent: Decimal

    @property
    def goals_without_data(self) -> int:
        return self.achievement.goals_without_data


def suggestion(
    goals: Sequence[tuple[Number, Fraction | None]],
    bands: Sequence[ratings.RatingBand],
    cap_percent: int = ratings.DEFAULT_ACHIEVEMENT_CAP_PERCENT,
) -> Suggestion:
    """(weight, unclamped progress) per goal -> capped achievement over the covered weight and
    the band it reaches."""
    achieved = ratings.capped_achievement(goals, Fraction(cap_percent, 100))
    covered = percent(achieved.covered_share)
    return Suggestion(
        achievement=achieved,
        band=ratings.suggested_rating(achieved.value, bands),
        achievement_percent=percent(achieved.value),
        covered_percent=covered,
        uncovered_percent=None if covered is None else Decimal(100) - covered,
        cap_percent=Decimal(cap_percent),
    )


def bands_of(config: Sequence[Mapping]) -> list[ratings.RatingBand]:
    """A cycle's stored bands as RatingBand values, by rising minimum."""
    bands = [
        ratings.RatingBand(Fraction(str(b["min"])), int(b["rating"]), str(b.get("label", "")))
        for b in config
    ]
    return sorted(bands, key=lambda band: band.min_achievement)


@dataclass(frozen=True)
class Overall:
    goals_part: Fraction | None  # weighted by goal weight, over the goals rated
    goals_rated: int
    competencies_part: Fraction | None  # plain mean over the competencies rated
    competencies_rated: int
    overall: Fraction | None  # the cycle's formula; a missing part drops out

    @property
    def shown(self) -> Decimal | None:
        return display(self.overall)


def review_overall(
    goal_ratings: Sequence[tuple[Number, int | None]],
    competency_ratings: Sequence[int | None],
    goals_weight: Number,
    competencies_weight: Number,
) -> Overall:
    """The computed overall rating: goals part (each goal's rating weighted by the goal's weight)
    and competencies part (their mean) combined by the cycle's weights."""
    goals_part = ratings.weighted_goal_rating(goal_ratings)
    competencies_part = ratings.average_rating(competency_ratings)
    overall = ratings.overall_rating(
        {
            "goals": (goals_weight, goals_part),
            "competencies": (competencies_weight, competencies_part),
        }
    )
    return Overall(
        goals_part=goals_part,
        goals_rated=sum(1 for _w, r in goal_ratings if r is not None),
        competencies_part=competencies_part,
        competencies_rated=sum(1 for r in competency_ratings if r is not None),
        overall=overall,
    )


def weights_total(weights: Sequence[Number]) -> Fraction:
    return sum((maths.exact(w) for w in weights), Fraction(0))


@dataclass(frozen=True)
class Chart:
    """An SVG line chart of check-in values with the baseline and target as guide lines."""

    width: int
    height: int
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[tuple[Decimal, Decimal, Decimal]]  # x, y and the value, one per check-in
    baseline_y: Decimal
    target_y: Decimal


def chart(
    values: Sequence[Number], baseline: Number, target: Number, width: int = 480, height: int = 160
) -> Chart | None:
    """Scale the values, baseline and target into the chart's box (padding 10); None without
    values. The y axis spans from the lowest to the highest of them all."""
    if not values:
        return None
    exact_values = [maths.exact(v) for v in values]
    base, goal = maths.exact(baseline), maths.exact(target)
    low = min([*exact_values, base, goal])
    high = max([*exact_values, base, goal])
    span = high - low or Fraction(1)
    pad = Fraction(10)
    inner_w, inner_h = Fraction(width) - 2 * pad, Fraction(height) - 2 * pad

    def y(value: Fraction) -> Decimal:
        return display(pad + inner_h * (high - value) / span, 1) or Decimal(0)

    step = inner_w / (len(exact_values) - 1) if len(exact_values) > 1 else Fraction(0)
    xs = [
        display(pad + step * i if len(exact_values) > 1 else Fraction(width, 2), 1) or Decimal(0)
        for i in range(len(exact_values))
    ]
    dots = [(x, y(v), display(v, 4) or Decimal(0)) for x, v in zip(xs, exact_values, strict=True)]
    return Chart(
        width=width,
        height=height,
        points=" ".join(f"{x},{yy}" for x, yy, _v in dots),
        dots=dots,
        baseline_y=y(base),
        target_y=y(goal),
    )
