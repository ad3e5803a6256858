"""Follow-ups as reminders to the author (once per follow-up) and as talking points in the
person's 1:1s (never a draft's, gone once done)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal import reminders
from portal.coaching import talking_points
from portal.conduct import actions
from portal.conduct import reminders as conduct_reminders
from tests.coaching.helpers import meetings_of, setup_series
from tests.conduct.helpers import HELD, issued, write
from tests.notify.helpers import told

FOLLOW_UP = HELD + timedelta(days=14)  # Monday 16 March 2026


def keys(meeting) -> set[str]:
    return {p.key for p in talking_points.talking_points_for(meeting)}


def at(day, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_the_author_is_reminded_once_when_a_follow_up_is_due(world):
    action = issued(world)
    follow_up = action.follow_ups[0]
    assert conduct_reminders.send_follow_ups_due(at(FOLLOW_UP - timedelta(days=1))) == 0
    assert conduct_reminders.send_follow_ups_due(at(FOLLOW_UP)) == 1
    assert conduct_reminders.send_follow_ups_due(at(FOLLOW_UP, 10)) == 0  # once
    assert told("conduct.follow_up_due") == [
        (world.sup_a.id, follow_up.id, f"/conduct/{action.id}")
    ]


def test_no_reminder_for_a_draft_or_a_follow_up_done(world):
    write(world)
    done = issued(world)
    actions.complete_follow_up(world.sup_a, done.follow_ups[0], note="fine")
    assert conduct_reminders.send_follow_ups_due(at(FOLLOW_UP + timedelta(days=3))) == 0


def test_run_all_runs_the_follow_up_reminder(world):
    issued(world)
    counts = reminders.run_all(at(FOLLOW_UP))
    assert counts["conduct.follow_up_due"] == 1


def test_a_due_follow_up_is_a_talking_point_in_the_persons_1on1_until_done(app, world):
    ms = meetings_of(setup_series(world)[world.agent_a1.id])
    drafted = write(world)
    action = issued(world)
    key = f"conduct.follow_up:{action.follow_ups[0].id}"
    assert ms[1].scheduled_at.date() == FOLLOW_UP
    assert key not in keys(ms[0])  # not due yet
    assert key in keys(ms[1])
    assert key in keys(ms[2])  # still open: it stays
    assert not any(k == f"conduct.follow_up:{drafted.follow_ups[0].id}" for k in keys(ms[2]))
    point = next(p for p in talking_points.talking_points_for(ms[1]) if p.key == key)
    assert "Written warning" in point.label and "MK-A1" not in point.label  # no facts
    assert point.link == f"/conduct/{action.id}"
    actions.complete_follow_up(world.sup_a, action.follow_ups[0], note="ok")
    assert key not in keys(ms[2])


def test_a_peers_1on1_gets_no_point(app, world):
    ms = meetings_of(setup_series(world)[world.agent_a2.id])
    issued(world)
    assert not any(k.startswith("conduct.") for k in keys(ms[2]))
