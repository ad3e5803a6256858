"""Overdue review phases become notifications for whoever has to act, once each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.goals.reminders import KIND, send_reminders
from portal.notify.models import Notification
from tests.goals.helpers import ready_review


def reminders() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Notification.person_id, Notification.params).where(Notification.kind == KIND)
    ).all()
    return sorted((person_id, params["phase_kind"]) for person_id, params in rows)


def test_overdue_phases_remind_the_person_who_has_to_act_once(world):
    ready = ready_review(world)  # A1 in self-review, goals without check-ins
    before = send_reminders(date(2026, 9, 1))  # nothing overdue for A1's open phases yet
    assert (world.agent_a1.id, "mid_cycle") not in reminders()
    count = send_reminders(date(2026, 12, 16))  # mid-cycle and self-assessment now overdue
    mine = [r for r in reminders() if r[0] == world.agent_a1.id]
    assert ("mid_cycle" in {k for _p, k in mine}) and ("self_assessment" in {k for _p, k in mine})
    assert count > 0 and before >= 0
    # A second run the same day records nothing new.
    assert send_reminders(date(2026, 12, 16)) == 0
    # The manager assessment falls due later and is owed by the reviewer.
    send_reminders(date(2027, 1, 2))
    owed = {k for p, k in reminders() if p == ready.review.reviewer_id}
    assert "manager_assessment" in owed


def test_the_cli_command_records_reminders(app, world):
    ready_review(world)
    result = app.test_cli_runner().invoke(args=["goals", "reminders"])
    assert result.exit_code == 0 and "reminder(s) recorded" in result.output
