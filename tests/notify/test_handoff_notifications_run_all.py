"""`portal.reminders.run_all` runs every periodic reminder and counts what each recorded;
running it again records nothing; one failing reminder does not stop the others. Every kind is
registered, with a label, as soon as the app exists (not only once a job imported its module)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

from portal import reminders
from tests.coaching.helpers import setup_series
from tests.training.helpers import assign, course

EVE = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # the eve of sup_a's first 1:1s

NAMES = {
    "goals.phase_overdue", "goals.phase_due_soon", "goals.check_in_due",
    "coaching.meeting_tomorrow", "coaching.action_due", "training.due_soon", "training.overdue",
    "certification.renewal", "certification.expiring", "improvement.reminders",
    "conduct.follow_up_due",
}  # fmt: skip


def test_run_all_runs_every_reminder_once(world):
    setup_series(world)
    assign(world.hr, course(world.hr), due_on=date(2026, 3, 10), person_id=world.agent_a1.id)
    assign(world.hr, course(world.hr, title="Old"), due_on=date(2026, 3, 1),
           person_id=world.agent_a2.id)  # fmt: skip
    first = reminders.run_all(EVE)
    assert set(first) == NAMES
    assert first["coaching.meeting_tomorrow"] == 4
    assert first["training.due_soon"] == 1
    assert first["training.overdue"] >= 1
    again = reminders.run_all(EVE)
    assert again == dict.fromkeys(NAMES, 0)


def test_a_failing_reminder_is_counted_and_the_others_still_run(world, monkeypatch):
    setup_series(world)
    jobs = reminders._jobs()

    def broken(now):
        raise RuntimeError("boom")

    monkeypatch.setattr(reminders, "_jobs", lambda: {**jobs, "goals.check_in_due": broken})
    counts = reminders.run_all(EVE)
    assert counts["goals.check_in_due"] == -1
    assert counts["coaching.meeting_tomorrow"] == 4


def test_every_kind_is_registered_when_the_app_starts():
    code = (
        "from portal import create_app; from portal.config import TestConfig; "
        "create_app(TestConfig); from portal.notify.service import MESSAGES, LABELS; "
        "print(' '.join(sorted(MESSAGES))); print(' '.join(sorted(set(MESSAGES) - set(LABELS))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    kinds = set(out[0].split())
    assert {
        "review.shared", "review.acknowledged", "review.reopened", "review.signed_off",
        "review.rating_calibrated", "goals.phase_due_soon", "goals.phase_overdue",
        "goals.check_in_due", "coaching.meeting_tomorrow", "coaching.action_due",
        "training.due_soon", "certification.expiring", "nomination.approved",
        "nomination.declined", "nomination.won", "import.contacts_done", "import.contacts_failed",
        "conduct.issued", "conduct.acknowledged", "conduct.closed", "conduct.follow_up_due",
    } <= kinds  # fmt: skip
    assert len(out) == 1 or not out[1].strip()  # none without a label
