"""Where a person stands on an assigned course: pure rules, no database, no clock."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


class Status(enum.StrEnum):
    COMPLETED = "completed"
    DUE = "due"  # assigned, not complete, due date not passed
    OVERDUE = "overdue"  # assigned, not complete, due date passed


@dataclass(frozen=True)
class Standing:
    status: Status
    # True when the assessment is still to be passed and no attempt is left: someone must act.
    is_blocked: bool = False


def standing(
    *,
    due_on: date,
    today: date,
    completed_on: date | None,
    has_assessment: bool,
    is_passed: bool,
    attempts_allowed: int | None = None,
    attempts_used: int = 0,
) -> Standing:
    """A course is complete once it has a completion and, when it has an assessment, the
    assessment was passed. Otherwise it is due, and overdue from the day after its due date:
    a must-pass assessment not passed never counts as complete, so it shows as overdue."""
    done = completed_on is not None and (not has_assessment or is_passed)
    if done:
        return Standing(Status.COMPLETED)
    blocked = (
        has_assessment
        and not is_passed
        and attempts_allowed is not None
        and attempts_used >= attempts_allowed
    )
    status = Status.OVERDUE if today > due_on else Status.DUE
    return Standing(status, is_blocked=blocked)


def earliest_due(dates: Iterable[date]) -> date:
    """When one course reaches a person through several assignments, the earliest due date
    applies (the strictest promise made to them)."""
    return min(dates)


@dataclass(frozen=True)
class StatusCounts:
    completed: int
    due: int
    overdue: int

    @property
    def total(self) -> int:
        return self.completed + self.due + self.overdue


def count_statuses(statuses: Iterable[Status]) -> StatusCounts:
    counts = Counter(statuses)
    return StatusCounts(
        completed=counts[Status.COMPLETED], due=counts[Status.DUE], overdue=counts[Status.OVERDUE]
    )
