"""Skill gaps: QA questions failed often, and the courses that address them. Pure maths.

Input is per-question counts taken from submitted QA evaluations (N/A answers excluded): how
many times the question was answered and how many of those answers failed. A question is a gap
when it was answered at least `min_answers` times and failed at a rate of at least
`threshold`. Each gap carries its counts, never a bare percentage.

Before/after a course (Movement): the failure rates on each side are always shown with their
counts, but the verdict ("improved", "worse", "unchanged") is given only with at least
MIN_ANSWERS_EACH_SIDE (5) answers on each side; below that it is "not enough answers", because
one answer more or less would flip a label drawn from two or three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

DEFAULT_MIN_ANSWERS = 3
DEFAULT_THRESHOLD = Fraction(1, 5)
# The fewest answers before and after a course for the page to call the change a movement.
MIN_ANSWERS_EACH_SIDE = 5


class Verdict(StrEnum):
    IMPROVED = "improved"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    NOT_ENOUGH = "not_enough"  # fewer than MIN_ANSWERS_EACH_SIDE answers on a side


@dataclass(frozen=True)
class QuestionCount:
    question_id: int
    answered: int
    failed: int


@dataclass(frozen=True)
class Gap:
    question_id: int
    answered: int
    failed: int
    rate: Fraction
    course_ids: tuple[int, ...]

    @property
    def percent(self) -> Decimal:
        value = self.rate * 100
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"))


def failure_rate(failed: int, answered: int) -> Fraction | None:
    if answered < 0 or failed < 0 or failed > answered:
        raise ValueError("failed must be between 0 and answered")
    return None if answered == 0 else Fraction(failed, answered)


def skill_gaps(
    counts: Iterable[QuestionCount],
    courses_by_question: Mapping[int, Iterable[int]],
    *,
    min_answers: int = DEFAULT_MIN_ANSWERS,
    threshold: Fraction = DEFAULT_THRESHOLD,
) -> list[Gap]:
    """The gaps, worst first (rate, then failures, then question id for a stable order)."""
    gaps = []
    for count in counts:
        rate = failure_rate(count.failed, count.answered)
        if rate is None or count.answered < min_answers or rate < threshold or count.failed == 0:
            continue
        courses = tuple(sorted(set(courses_by_question.get(count.question_id, ()))))
        gaps.append(Gap(count.question_id, count.answered, count.failed, rate, courses))
    gaps.sort(key=lambda g: (-g.rate, -g.failed, g.question_id))
    return gaps


@dataclass(frozen=True)
class Movement:
    """The failure rate on a question before and after a course was completed."""

    question_id: int
    before: QuestionCount
    after: QuestionCount

    @property
    def before_rate(self) -> Fraction | None:
        return failure_rate(self.before.failed, self.before.answered)

    @property
    def after_rate(self) -> Fraction | None:
        return failure_rate(self.after.failed, self.after.answered)

    @property
    def change(self) -> Fraction | None:
        """after - before (negative is better); None when either side has no answers."""
        if self.before_rate is None or self.after_rate is None:
            return None
        return self.after_rate - self.before_rate

    def enough(self, min_answers: int = MIN_ANSWERS_EACH_SIDE) -> bool:
        """At least min_answers answers on each side."""
        return self.before.answered >= min_answers and self.after.answered >= min_answers

    def verdict(self, min_answers: int = MIN_ANSWERS_EACH_SIDE) -> Verdict:
        """Improved (fewer failures), worse or unchanged; NOT_ENOUGH below min_answers a side."""
        change = self.change
        if change is None or not self.enough(min_answers):
            return Verdict.NOT_ENOUGH
        if change < 0:
            return Verdict.IMPROVED
        return Verdict.WORSE if change > 0 else Verdict.UNCHANGED
