"""Small helpers shared by the home page's providers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import g, has_app_context
from sqlalchemy import select

from portal.extensions import db
from portal.goals.models import CyclePhase

T = TypeVar("T")

# A count beyond this is shown as "CAP+": the home page never reads a whole organisation's
# queue to print one number (the linked page pages through all of them).
CAP = 1000


def once(key: str, make: Callable[[], T]) -> T:
    """`make()` computed once per request (two sections may share one query)."""
    if not has_app_context():
        return make()
    store = g.__dict__.setdefault("_home_once", {})
    if key not in store:
        store[key] = make()
    return store[key]


def phase_dues(cycle_ids: set[int]) -> dict[tuple[int, str], date]:
    """(cycle id, phase kind) -> the phase's deadline, for the given cycles: one query."""
    if not cycle_ids:
        return {}
    rows = db.session.execute(
        select(CyclePhase.cycle_id, CyclePhase.kind, CyclePhase.due_on).where(
            CyclePhase.cycle_id.in_(cycle_ids)
        )
    )
    return {(cid, kind): due for cid, kind, due in rows}


def earliest(days) -> date | None:
    found = [d for d in days if d is not None]
    return min(found) if found else None


def start_of(day: date) -> datetime:
    """Midnight UTC of a day (a bound for "recent" records, not a local day)."""
    from datetime import UTC

    return datetime(day.year, day.month, day.day, tzinfo=UTC)


RECENT = timedelta(days=14)
