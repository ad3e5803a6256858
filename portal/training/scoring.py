"""Assessment scoring, shuffling and time limits: pure functions on plain values.

A question is answered correctly when the set of choices picked equals the set of correct
choices (single-answer questions have one correct choice; multiple-answer questions need every
correct choice and no wrong one). The score is the fraction of questions answered correctly;
the attempt passes when that fraction, as a percentage, reaches the pass mark.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

# Network and clock slack allowed after a time limit before an attempt counts as late.
GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class QuestionKey:
    question_id: int
    correct: frozenset[int]
    choices: tuple[int, ...]


@dataclass(frozen=True)
class AttemptScore:
    correct: int
    total: int
    fraction: Fraction
    is_passed: bool

    @property
    def percent(self) -> Decimal:
        """The percentage, exact to four decimals (display rounds once)."""
        value = self.fraction * 100
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"))


def score_attempt(
    key: Sequence[QuestionKey], answers: Mapping[int, frozenset[int]], pass_mark: int
) -> AttemptScore:
    """Score the answers against the key. Choices that do not belong to a question are
    ignored (a tampered form cannot add a correct choice from elsewhere)."""
    if not key:
        raise ValueError("an assessment needs at least one question")
    correct = 0
    for question in key:
        picked = answers.get(question.question_id, frozenset()) & frozenset(question.choices)
        if picked and picked == question.correct:
            correct += 1
    fraction = Fraction(correct, len(key))
    return AttemptScore(correct, len(key), fraction, fraction * 100 >= pass_mark)


def shuffled_layout(
    questions: Sequence[tuple[int, Sequence[int]]], rng: random.Random
) -> list[list]:
    """Questions in a random order, each with its choices in a random order:
    [[question id, [choice id, ...]], ...]."""
    layout = [[qid, list(choices)] for qid, choices in questions]
    rng.shuffle(layout)
    for item in layout:
        rng.shuffle(item[1])
    return layout


def deadline(started_at: datetime, time_limit_minutes: int | None) -> datetime | None:
    return started_at + timedelta(minutes=time_limit_minutes) if time_limit_minutes else None


def is_late(submitted_at: datetime, deadline_at: datetime | None) -> bool:
    """Submitted after the time limit (plus a small grace): the attempt counts, failed."""
    return deadline_at is not None and submitted_at > deadline_at + GRACE


def attempts_left(allowed: int | None, used: int) -> int | None:
    """None when attempts are unlimited."""
    return None if allowed is None else max(allowed - used, 0)
