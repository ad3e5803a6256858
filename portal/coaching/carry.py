"""Which action items a meeting shows: undone items carry over to every later meeting of the
series by themselves (held, missed or cancelled alike), until the meeting they were done in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ItemTimes:
    origin_at: datetime  # when the meeting it was agreed in is scheduled
    done_at: datetime | None  # when it was ticked, None while open
    done_meeting_at: datetime | None  # the meeting it was ticked on, if ticked on one


def shows_on(item: ItemTimes, meeting_at: datetime) -> bool:
    """Does the item belong on the meeting scheduled at `meeting_at`?"""
    if meeting_at < item.origin_at:
        return False
    if item.done_at is None:
        return True
    if item.done_meeting_at is not None:
        return meeting_at <= item.done_meeting_at
    return meeting_at < item.done_at


def times_carried(item: ItemTimes, meeting_times: Iterable[datetime], upto: datetime) -> int:
    """How many meetings after the one it was agreed in the item has moved on to, up to `upto`."""
    return sum(1 for at in meeting_times if item.origin_at < at <= upto and shows_on(item, at))
