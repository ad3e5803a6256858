"""The corrective action's rules as pure functions on plain values: its lifecycle (declared once
as data), when it expires, whether it still counts, and which follow-up dates are acceptable.
No database, no request, no clock: today is an argument."""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from portal.errors import InvalidTransition


class Kind(enum.StrEnum):
    """From the mildest to the most serious."""

    CONVERSATION = "conversation"  # a documented conversation
    VERBAL_WARNING = "verbal_warning"
    WRITTEN_WARNING = "written_warning"
    FINAL_WARNING = "final_warning"


class State(enum.StrEnum):
    DRAFT = "draft"  # seen by its author alone
    ISSUED = "issued"  # the person is told; awaiting their acknowledgment
    ACKNOWLEDGED = "acknowledged"  # acknowledging is not agreeing
    CLOSED = "closed"  # every follow-up done


class Standing(enum.StrEnum):
    """Whether an action counts: a draft does not yet, an expired one no longer does."""

    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"


TRANSITIONS: dict[tuple[State, str], State] = {
    (State.DRAFT, "issue"): State.ISSUED,
    (State.ISSUED, "acknowledge"): State.ACKNOWLEDGED,
    # An employee may decline to acknowledge; the action is closed all the same once its
    # follow-ups are done, and the page says it was never acknowledged.
    (State.ISSUED, "close"): State.CLOSED,
    (State.ACKNOWLEDGED, "close"): State.CLOSED,
}

# Follow-ups are recorded while the action is in force and not closed.
FOLLOW_UPS_OPEN = frozenset({State.ISSUED, State.ACKNOWLEDGED})

DEFAULT_EXPIRY_MONTHS = 12
MAX_FOLLOW_UPS = 3
# A follow-up further away than this from the conversation is almost surely a typo.
FOLLOW_UP_HORIZON_MONTHS = 24


def next_state(state: str, step: str) -> State:
    """The state `step` leads to from `state`; InvalidTransition when it is not possible."""
    try:
        return TRANSITIONS[(State(state), step)]
    except (KeyError, ValueError):
        raise InvalidTransition() from None


def allows(state: str, step: str) -> bool:
    try:
        return (State(state), step) in TRANSITIONS
    except ValueError:
        return False


def may_close(state: str, open_follow_ups: int) -> bool:
    """Closing needs every follow-up done."""
    return allows(state, "close") and open_follow_ups == 0


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 month
    is 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_months(
    kind: str, default: int = DEFAULT_EXPIRY_MONTHS, by_kind: Mapping[str, int] | None = None
) -> int:
    """How long an action of `kind` counts: the kind's own setting, else the default."""
    months = (by_kind or {}).get(kind, default)
    return max(int(months), 1)


def expires_on(issued_on: date, months: int) -> date:
    """The first day an action issued on `issued_on` no longer counts."""
    return add_months(issued_on, months)


def standing(state: str, expires: date | None, today: date) -> Standing:
    """Draft, active (issued, acknowledged or closed and not yet expired) or expired."""
    if state == State.DRAFT or expires is None:
        return Standing.DRAFT
    return Standing.EXPIRED if today >= expires else Standing.ACTIVE


@dataclass(frozen=True)
class FollowUpProblem:
    """What is wrong with the follow-up dates: a code the service words for people."""

    code: str  # "missing", "too_many", "before", "too_far", "repeated"


def check_follow_ups(dates: Sequence[date | None], held_on: date | None) -> FollowUpProblem | None:
    """One or more follow-up dates (at most MAX_FOLLOW_UPS), none twice, each after the
    conversation and within FOLLOW_UP_HORIZON_MONTHS of it. None when they are fine."""
    given = [d for d in dates if d is not None]
    if not given:
        return FollowUpProblem("missing")
    if len(given) > MAX_FOLLOW_UPS:
        return FollowUpProblem("too_many")
    if len(set(given)) != len(given):
        return FollowUpProblem("repeated")
    if held_on is not None:
        if any(d <= held_on for d in given):
            return FollowUpProblem("before")
        horizon = add_months(held_on, FOLLOW_UP_HORIZON_MONTHS)
        if any(d > horizon for d in given):
            return FollowUpProblem("too_far")
    return None


def due_follow_ups(due: Sequence[tuple[int, date, bool]], today: date) -> list[int]:
    """The ids of follow-ups (id, due date, done) that are due by `today` and not done."""
    return [fid for fid, on, done in due if not done and on <= today]
