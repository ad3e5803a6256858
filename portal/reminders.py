"""Every periodic reminder, run together by `run_all(now)` (scheduled hourly by the job runner).

Each reminder is a pure function of the clock, `send_...(now) -> int`, that records its
notifications and commits. They are idempotent: a notification is recorded once per (person,
record, kind, occasion) — the occasion (a due date, a meeting's start) is kept in the
notification's params, and what was sent is read back from the notification table, so running
them every hour, or twice, or after a restart, tells nobody twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.extensions import db

log = logging.getLogger(__name__)

OCCASION = "occasion"  # the params key naming the occasion a periodic notification is for


def sent_before(kind: str, record_ids: Iterable[int]) -> set[tuple[int, int, str]]:
    """(recipient, record id, occasion) of the notifications of `kind` already recorded for
    these records: one query, whatever the number of records."""
    from portal.notify.models import Notification

    ids = sorted(set(record_ids))
    if not ids:
        return set()
    found: set[tuple[int, int, str]] = set()
    for start in range(0, len(ids), 1000):  # stay under the databases' parameter limits
        rows = db.session.execute(
            select(Notification.person_id, Notification.record_id, Notification.params).where(
                Notification.kind == kind, Notification.record_id.in_(ids[start : start + 1000])
            )
        ).all()
        found |= {(pid, rid, str((params or {}).get(OCCASION, ""))) for pid, rid, params in rows}
    return found


def _jobs() -> dict[str, Callable[[datetime], Any]]:
    # Imported here: the feature modules import `sent_before` from this module.
    from portal.coaching import reminders as coaching
    from portal.conduct import reminders as conduct
    from portal.goals import reminders as goals
    from portal.improvement import reminders as improvement
    from portal.training import assignments, certifications
    from portal.training import reminders as training

    return {
        "goals.phase_overdue": lambda now: goals.send_reminders(now.date()),
        "goals.phase_due_soon": goals.send_phase_due_soon,
        "goals.check_in_due": goals.send_check_ins_due,
        "improvement.reminders": improvement.send_reminders,
        "coaching.meeting_tomorrow": coaching.send_meeting_tomorrow,
        "coaching.action_due": coaching.send_action_items_due,
        "training.due_soon": training.send_due_soon,
        "training.overdue": lambda now: assignments.send_overdue_notices(now.date()),
        "certification.renewal": lambda now: certifications.send_renewal_reminders(now.date(), now),
        "certification.expiring": training.send_certifications_expiring,
        "conduct.follow_up_due": conduct.send_follow_ups_due,
    }


def run_all(now: datetime) -> dict[str, int]:
    """Run every periodic reminder at `now` (UTC); how many notifications each recorded. One
    that fails is logged, rolled back and counted -1; the others still run (the next run
    retries it: nothing it did not commit was recorded)."""
    counts: dict[str, int] = {}
    for name, job in _jobs().items():
        try:
            counts[name] = int(job(now))
        except Exception:
            log.exception("reminder %s failed", name)
            db.session.rollback()
            counts[name] = -1
    return counts
