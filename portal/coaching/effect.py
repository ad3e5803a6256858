"""Did coaching move the agent's results on the questions it addressed? Pure before/after.

One session (coaching_effect): the agent's average outcome on the session's questions before
the session and from it on, with the answers and evaluations on each side; the change is
given only with at least MIN_EVALUATIONS evaluations on each side ("not enough data" below).

Rolled up per coach, per team or per question (roll_up): the sessions of a group are pooled,
each session split at its own date. Only sessions with at least one answer on each side count
(so the before and after describe the same sessions); the others are counted as "waiting".
The pooled average is the mean over every answer counted, each side states its n (answers,
and evaluations counted once per session they fall in), and the change is given only with at
least MIN_EVALUATIONS such evaluations on each side.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

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


def _side(outcomes: list[Outcome], evaluations: int | None = None) -> Side:
    ratios = [Fraction(o.earned or 0, o.possible) for o in outcomes]
    average = sum(ratios, Fraction(0)) / len(ratios) if ratios else None
    count = len({o.evaluation_id for o in outcomes}) if evaluations is None else evaluations
    return Side(average, len(ratios), count)


def _split(
    outcomes: Iterable[Outcome], question_ids: Iterable[int], session_at: datetime
) -> tuple[list[Outcome], list[Outcome]]:
    """The scored outcomes on the questions before session_at, and from it on."""
    wanted = set(question_ids)
    scored = [o for o in outcomes if o.question_id in wanted and o.possible]
    before = [o for o in scored if o.submitted_at < session_at]
    after = [o for o in scored if o.submitted_at >= session_at]
    return before, after


def coaching_effect(
    outcomes: Iterable[Outcome],
    question_ids: Iterable[int],
    session_at: datetime,
    min_evaluations: int = MIN_EVALUATIONS,
) -> Effect:
    """Average outcome on `question_ids` before `session_at` and from it on, with counts.
    N/A answers (no possible points) are left out."""
    earlier, later = _split(outcomes, question_ids, session_at)
    before, after = _side(earlier), _side(later)
    enough = before.evaluations >= min_evaluations and after.evaluations >= min_evaluations
    return Effect(before, after, enough)


# ---- roll-ups -------------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class SessionOutcomes:
    """One coaching session with the agent's outcomes on the questions it addresses."""

    session_id: int
    coach_id: int
    team_id: int | None  # the agent's team
    session_at: datetime
    question_ids: frozenset[int]
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class RolledEffect:
    effect: Effect  # pooled before/after; effect.enough decides whether a change is shown
    sessions: int  # sessions counted: at least one answer on each side
    waiting: int  # sessions of the group left out: no answer yet on a side


def pooled_effect(
    sessions: Iterable[SessionOutcomes],
    question_id: int | None = None,
    min_evaluations: int = MIN_EVALUATIONS,
) -> RolledEffect:
    """The sessions pooled (on one of their questions, or all of them), each split at its date."""
    before: list[Outcome] = []
    after: list[Outcome] = []
    before_evaluations: set[tuple[int, int]] = set()
    after_evaluations: set[tuple[int, int]] = set()
    counted = waiting = 0
    for session in sessions:
        questions = session.question_ids if question_id is None else {question_id}
        earlier, later = _split(session.outcomes, questions, session.session_at)
        if not earlier or not later:
            waiting += 1
            continue
        counted += 1
        before += earlier
        after += later
        before_evaluations |= {(session.session_id, o.evaluation_id) for o in earlier}
        after_evaluations |= {(session.session_id, o.evaluation_id) for o in later}
    left, right = _side(before, len(before_evaluations)), _side(after, len(after_evaluations))
    enough = left.evaluations >= min_evaluations and right.evaluations >= min_evaluations
    return RolledEffect(Effect(left, right, enough), counted, waiting)


def roll_up(
    sessions: Iterable[SessionOutcomes],
    key: Callable[[SessionOutcomes], K],
    min_evaluations: int = MIN_EVALUATIONS,
) -> dict[K, RolledEffect]:
    """The pooled effect per group (e.g. key=lambda s: s.coach_id), in the order first seen."""
    groups: dict[K, list[SessionOutcomes]] = {}
    for session in sessions:
        groups.setdefault(key(session), []).append(session)
    return {k: pooled_effect(group, None, min_evaluations) for k, group in groups.items()}


def by_question(
    sessions: Iterable[SessionOutcomes], min_evaluations: int = MIN_EVALUATIONS
) -> dict[int, RolledEffect]:
    """The pooled effect per question, over the sessions that address it."""
    groups: dict[int, list[SessionOutcomes]] = {}
    for session in sessions:
        for question_id in sorted(session.question_ids):
            groups.setdefault(question_id, []).append(session)
    return {q: pooled_effect(group, q, min_evaluations) for q, group in sorted(groups.items())}
