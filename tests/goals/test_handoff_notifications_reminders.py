"""Review phases due soon, and goal check-ins due, remind whoever has to act, once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.goals import reminders
from portal.notify.models import Notification
from portal.notify.service import URGENT
from tests.goals.helpers import ready_review


def told(kind: str, review_id: int | None = None) -> list[tuple[int, int, str, str]]:
    rows = db.session.execute(
        select(
            Notification.person_id, Notification.record_id, Notification.url, Notification.params
        ).where(Notification.kind == kind)
    ).all()
    return sorted(
        (pid, rid, url, params.get("phase_kind", params.get("due", "")))
        for pid, rid, url, params in rows
        if review_id is None or rid == review_id
    )


def at(*args) -> datetime:
    return datetime(*args, 12, 0, tzinfo=UTC)


def test_a_phase_due_within_three_days_reminds_whoever_owes_it_once(world):
    ready = ready_review(world)  # A1's review in self-review; self-assessment due 2026-12-15
    review = ready.review
    url = f"/goals/reviews/{review.id}"
    assert reminders.send_phase_due_soon(at(2026, 12, 11)) == 0  # four days ahead: not yet
    assert reminders.send_phase_due_soon(at(2026, 12, 12)) > 0
    assert told(reminders.DUE_SOON_KIND, review.id) == [
        (world.agent_a1.id, review.id, url, "self_assessment")
    ]
    # Again, later the same day and the next: nothing new.
    assert reminders.send_phase_due_soon(at(2026, 12, 12)) == 0
    assert reminders.send_phase_due_soon(at(2026, 12, 13)) == 0
    # The manager assessment (due 2026-12-31) is owed by the reviewer, never the employee.
    reminders.send_phase_due_soon(at(2026, 12, 29))
    assert told(reminders.DUE_SOON_KIND, review.id) == sorted(
        [
            (world.agent_a1.id, review.id, url, "self_assessment"),
            (world.sup_a.id, review.id, url, "manager_assessment"),
        ]
    )
    assert reminders.DUE_SOON_KIND not in URGENT and reminders.KIND in URGENT


def test_a_goal_check_in_due_reminds_its_owner_once(world):
    ready = ready_review(world)
    for goal in ready.goals:
        goal.created_at = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)  # a check-in is due 2026-08-29
    db.session.commit()
    assert reminders.send_check_ins_due(at(2026, 8, 25)) == 0
    assert reminders.send_check_ins_due(at(2026, 8, 26)) == 2
    assert told(reminders.CHECK_IN_KIND) == sorted(
        (world.agent_a1.id, g.id, f"/goals/{g.id}", "2026-08-29") for g in ready.goals
    )
    assert reminders.send_check_ins_due(at(2026, 8, 27)) == 0
    assert reminders.send_check_ins_due(at(2026, 9, 10)) == 0  # overdue: told once already
