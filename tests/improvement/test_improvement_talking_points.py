"""An active improvement plan's check-in due, its end coming, and each recent check-in are
talking points in the report's 1:1s; drafts, closed plans and other people's plans never are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.coaching import talking_points
from portal.improvement import plans as service
from portal.improvement.talking_points import improvement_points
from tests.coaching.helpers import meetings_of, setup_series
from tests.improvement.helpers import active_plan, check_in, draft_plan


def points(meeting) -> dict[str, str]:
    return {
        p.key: p.label
        for p in talking_points.talking_points_for(meeting)
        if p.key.startswith("improvement.")
    }


def test_a_check_in_due_by_the_meeting_is_a_talking_point_until_it_is_held(world):
    plan = active_plan(world)
    meeting = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    day = meeting.scheduled_at.date()
    found = points(meeting)
    due_key = f"improvement.check_in_due:{plan.id}:2026-03-09"
    assert due_key in found and found[due_key].startswith("Improvement plan check-in due")
    held = check_in(world, plan, day, qa=70, note="Listened to five calls together")
    found = points(meeting)
    assert due_key not in found
    assert found[f"improvement.check_in:{held.id}"].endswith("Listened to five calls together")
    # Link and visibility: the plan's page, which the report and their line may open.
    [point] = [p for p in talking_points.talking_points_for(meeting) if p.record is held]
    assert point.link == f"/improvement/{plan.id}"


def test_the_plans_end_within_a_week_asks_for_the_outcome(world):
    plan = active_plan(world)
    meeting = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    assert not any(k.startswith("improvement.ends") for k in points(meeting))
    plan.ends_on = meeting.scheduled_at.date() + timedelta(days=3)
    assert f"improvement.ends:{plan.id}:{plan.ends_on.isoformat()}" in points(meeting)


def test_drafts_closed_plans_and_other_peoples_plans_are_never_talking_points(world):
    draft_plan(world)
    closed = active_plan(world)
    service.close_plan(
        closed, world.sup_a, outcome="met", reason="All met", expected_version=closed.version
    )
    active_plan(world, person=world.agent_a2)
    series = setup_series(world)
    assert points(meetings_of(series[world.agent_a1.id])[0]) == {}
    assert points(meetings_of(series[world.agent_a2.id])[0])


def test_only_check_ins_since_the_last_held_meeting_are_suggested(world):
    plan = active_plan(world)
    meeting = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    old = check_in(world, plan, meeting.scheduled_at.date() - timedelta(days=6), qa=68)
    context = talking_points.MeetingContext(
        meeting,
        datetime.combine(meeting.scheduled_at.date() - timedelta(days=2), datetime.min.time(), UTC),
    )
    keys = {p.key for p in improvement_points(context)}
    assert f"improvement.check_in:{old.id}" not in keys
    assert f"improvement.check_in:{old.id}" in points(meeting)  # never held before: recent
