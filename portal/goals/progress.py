"""Goal progress from baseline to target, goal weights and team-goal roll-ups. Pure, exact.

progress = (current - baseline) / (target - baseline), one formula for both directions: for a
lower-is-better goal the target lies below the baseline, so the signs cancel. Progress is kept
unclamped (above 1 means exceeded, below 0 means worse than the baseline); only the bar clamps.
Numbers are Fraction (Decimal and int are accepted and converted exactly; float is refused,
because a binary float is not the number a person typed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

Number = Fraction | Decimal | int

HUNDRED = Fraction(100)


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class GoalRefused(ValueError):
    """A goal that cannot be saved; `code` says why, `field` names the form field at fault."""

    TARGET_ON_WRONG_SIDE = "target_on_wrong_side"
    UNKNOWN_DIRECTION = "unknown_direction"

    def __init__(self, code: str, *, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def exact(value: Number) -> Fraction:
    """The value as a Fraction; float and bool are refused so no rounding sneaks in."""
    if isinstance(value, bool | float) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(f"expected Fraction, Decimal or int, got {type(value).__name__}")
    return Fraction(value)


def as_direction(direction: Direction | str) -> Direction:
    """The direction as the enum; an unknown word refuses the goal."""
    try:
        return Direction(direction)
    except ValueError:
        raise GoalRefused(GoalRefused.UNKNOWN_DIRECTION, field="direction") from None


def validate_goal(direction: Direction | str, baseline: Number, target: Number) -> None:
    """Refuse a target on the wrong side of the baseline; equal to it ("keep the level") is fine."""
    direction = as_direction(direction)
    baseline, target = exact(baseline), exact(target)
    wrong = target < baseline if direction is Direction.HIGHER else target > baseline
    if wrong:
        raise GoalRefused(GoalRefused.TARGET_ON_WRONG_SIDE, field="target")


def is_at_or_better(direction: Direction | str, value: Number, reference: Number) -> bool:
    """Whether value is at least as good as reference in the goal's direction."""
    if as_direction(direction) is Direction.HIGHER:
        return exact(value) >= exact(reference)
    return exact(value) <= exact(reference)


def progress(
    direction: Direction | str, baseline: Number, target: Number, current: Number | None
) -> Fraction | None:
    """Unclamped progress from baseline (0) to target (1); None before the first check-in.

    When the target equals the baseline ("keep the level") there is no distance to divide by:
    progress is 1 if the current value is at or better than the target, else 0.
    A goal whose target is on the wrong side of its baseline raises GoalRefused rather than
    showing a progress with the wrong sign.
    """
    validate_goal(direction, baseline, target)
    if current is None:
        return None
    baseline, target, current = exact(baseline), exact(target), exact(current)
    if target == baseline:
        return Fraction(1) if is_at_or_better(direction, current, target) else Fraction(0)
    return (current - baseline) / (target - baseline)


def bar(value: Fraction | None) -> Fraction | None:
    """Progress clamped to [0, 1] for the progress bar; None stays None."""
    if value is None:
        return None
    return min(max(value, Fraction(0)), Fraction(1))


def is_met(value: Fraction | None) -> bool:
    """The target is reached (progress at least 1)."""
    return value is not None and value >= 1


def is_exceeded(value: Fraction | None) -> bool:
    """The target is passed (progress strictly above 1); merely reaching it is not exceeding it."""
    return value is not None and value > 1


class WeightsInvalid(StrEnum):
    """Why a person's goal weights in a cycle are refused."""

    SUM_NOT_100 = "sum_not_100"
    WEIGHT_NOT_POSITIVE = "weight_not_positive"


@dataclass(frozen=True)
class WeightsCheck:
    total: Fraction
    problems: tuple[WeightsInvalid, ...]
    not_positive_at: tuple[int, ...]  # positions of the weights that are zero or negative

    @property
    def is_valid(self) -> bool:
        return not self.problems


def check_weights(weights: Sequence[Number]) -> WeightsCheck:
    """Weights must each be above 0 and sum to exactly 100; they are never normalised.

    No weights at all sum to 0 and are refused: a person in a cycle has at least one goal.
    """
    values = [exact(w) for w in weights]
    total = sum(values, Fraction(0))
    not_positive_at = tuple(i for i, w in enumerate(values) if w <= 0)
    problems: list[WeightsInvalid] = []
    if not_positive_at:
        problems.append(WeightsInvalid.WEIGHT_NOT_POSITIVE)
    if total != HUNDRED:
        problems.append(WeightsInvalid.SUM_NOT_100)
    return WeightsCheck(total, tuple(problems), not_positive_at)


def validate_weights(weights: Sequence[Number]) -> list[str]:
    """The codes of what is wrong with the weights (WeightsInvalid values); empty when valid."""
    return [problem.value for problem in check_weights(weights).problems]


def weighted_mean(pairs: Sequence[tuple[Number, Number | None]]) -> Fraction | None:
    """sum(weight * value) / sum(weight) over the pairs that have a value.

    A pair without a value drops out (its weight leaves the divisor too): it never counts as 0.
    A zero weight counts for nothing; None when nothing with a positive weight has a value.
    A negative weight is a programming error and raises ValueError.
    """
    total_weight = Fraction(0)
    total = Fraction(0)
    for weight, value in pairs:
        w = exact(weight)
        if w < 0:
            raise ValueError("weights cannot be negative")
        if value is None:
            continue
        total_weight += w
        total += w * exact(value)
    if total_weight == 0:
        return None
    return total / total_weight


def parent_progress(
    children: Sequence[tuple[Number, Fraction | None]], *, clamped: bool = False
) -> Fraction | None:
    """A parent (team) goal's progress: the weighted mean of its children's progress.

    Children without a check-in (progress None) drop out; None when no child has progress.
    By default the children's progress is taken unclamped, so the parent's figure is the same
    kind of number as a goal's own (above 1 = exceeded) and a child far ahead can make up for
    one behind. With clamped=True each child counts only up to its target and never below its
    baseline, which answers "how much of the committed work is done" instead. Either way the
    parent's bar is bar(parent_progress(...)).
    """
    if clamped:
        children = [(weight, bar(value)) for weight, value in children]
    return weighted_mean(children)
