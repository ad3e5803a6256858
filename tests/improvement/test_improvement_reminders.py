"""Reminders: an active plan's check-in falling due and its end coming tell the person's
manager once per due date; run by portal.reminders.run_all."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from portal import reminders
from portal.extensions import db
from portal.improvement import reminders as improvement
from portal.notify.models import Notification
from tests.improvement.helpers import active_plan, check_in, draft_plan


def sent(kind: str) -> list[tuple[int, str]]:
    return [
        (n.person_id, n.params["due"])
        for n in db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    ]


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T01:00:00").replace(tzinfo=UTC)


def test_a_check_in_due_tells_the_manager_once_per_due_date(world):
    plan = active_plan(world)
    draft_plan(world, person=world.agent_a2)  # a draft is never reminded
    assert improvement.send_reminders(at("2026-03-06")) == 0
    assert improvement.send_reminders(at("2026-03-08")) == 1
    assert improvement.send_reminders(at("2026-03-09")) == 0  # told already for the 9th
    check_in(world, plan, at("2026-03-09").date(), qa=70)
    assert improvement.send_reminders(at("2026-03-16")) == 1
    assert sent(improvement.CHECK_IN_KIND) == [
        (world.sup_a.id, "2026-03-09"),
        (world.sup_a.id, "2026-03-16"),
    ]


def test_the_end_of_a_plan_asks_the_manager_for_the_outcome_once(world):
    active_plan(world)  # ends 2026-04-01
    reminders_before = sent(improvement.OUTCOME_KIND)
    improvement.send_reminders(at("2026-03-29"))
    improvement.send_reminders(at("2026-03-30"))
    assert sent(improvement.OUTCOME_KIND) == [*reminders_before, (world.sup_a.id, "2026-04-01")]


def test_run_all_runs_the_improvement_reminders(world):
    active_plan(world)
    counts = reminders.run_all(at("2026-03-09"))
    assert counts["improvement.reminders"] == 1
