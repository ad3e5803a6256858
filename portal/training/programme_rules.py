"""Recognition programmes: periods, nomination transitions, winners and the leaderboard.
Pure rules on plain values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from portal.training.models import Cadence, NominationStatus

# Bi-weekly periods are counted from this Monday, so every programme shares the same fortnights.
BIWEEKLY_ANCHOR = date(2024, 1, 1)

TRANSITIONS: dict[tuple[NominationStatus, str], NominationStatus] = {
    (NominationStatus.PENDING, "approve"): NominationStatus.APPROVED,
    (NominationStatus.PENDING, "decline"): NominationStatus.DECLINED,
    (NominationStatus.APPROVED, "decline"): NominationStatus.DECLINED,
    (NominationStatus.APPROVED, "win"): NominationStatus.WINNER,
}


def period_start(cadence: Cadence | str, day: date) -> date:
    """The first day of the period `day` falls in."""
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1)
    offset = (day - BIWEEKLY_ANCHOR).days // 14
    return BIWEEKLY_ANCHOR + timedelta(days=14 * offset)


def period_end(cadence: Cadence | str, start: date) -> date:
    """The last day of the period starting on `start`."""
    if cadence == Cadence.MONTHLY:
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return start + timedelta(days=13)


def next_status(status: NominationStatus | str, action: str) -> NominationStatus | None:
    """The status after `action`, or None when the action is not possible from `status`."""
    return TRANSITIONS.get((NominationStatus(status), action))


def may_pick_winner(winners_so_far: int, winners_per_period: int) -> bool:
    return winners_so_far < winners_per_period


def leaderboard(winner_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(person id, wins), most wins first, then by id for a stable order."""
    return sorted(Counter(winner_ids).items(), key=lambda item: (-item[1], item[0]))
