"""Did coaching move the agent's results on the questions it addressed? Pure before/after."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

# Below this many evaluations on either side, the page says "not enough evaluations yet".
MIN_EVALUATIONS = 3


@dataclass(frozen=True)
class Outcome:
    """One question's outcome in one of the agent's submitted evaluations."""

    evaluation_id: int
    submitted_at: datetime
    question_id: int
    earned: int | None
    possible: int | None


@dataclass(frozen=True)
class Side:
    average: Fraction | None  # mean of earned/possible over the answers; None when none
    answers: int
    evaluations: int

    @property
    def percent(self) -> Decimal | None:
        return as_percent(self.average)


@dataclass(frozen=True)
class Effect:
    before: Side
    after: Side
    enough: bool

    @property
    def change(self) -> Fraction | None:
        if not self.enough or self.before.average is None or self.after.average is None:
            return None
        return self.after.average - self.before.average

    @property
    def change_percent(self) -> Decimal | None:
        """The change in percentage points (rounded once, for display)."""
        return as_percent(self.change)


def as_percent(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.numerator * 100) / Decimal(value.denominator)


def _side(outcomes: list[Outcome]) -> Side:
    ratios = [Fraction(o.earned or 0, o.possible) for o in outcomes]
    average = sum(ratios, Fraction(0)) / len(ratios) if ratios else None
    return Side(average, len(ratios), len({o.evaluation_id for o in outcomes}))


def coaching_effect(
    outcomes: Iterable[Outcome],
    question_ids: Iterable[int],
    session_at: datetime,
    min_evaluations: int = MIN_EVALUATIONS,
) -> Effect:
    """Average outcome on `question_ids` before `session_at` and from it on, with counts.
    N/A answers (no possible points) are left out."""
    wanted = set(question_ids)
    scored = [o for o in outcomes if o.question_id in wanted and o.possible]
    before = _side([o for o in scored if o.submitted_at < session_at])
    after = _side([o for o in scored if o.submitted_at >= session_at])
    enough = before.evaluations >= min_evaluations and after.evaluations >= min_evaluations
    return Effect(before, after, enough)
