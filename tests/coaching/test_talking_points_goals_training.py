"""Talking points from goals (check-ins due) and training (due soon or overdue): they appear
for the report's meeting and go once the record is dealt with."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from portal.coaching import talking_points
from portal.extensions import db
from portal.goals import goals as goal_service
from portal.goals.models import CheckIn
from tests.coaching.helpers import meetings_of, setup_series
from tests.goals.helpers import ready_review
from tests.training.helpers import assign, course


def keys(meeting) -> set[str]:
    return {p.key for p in talking_points.talking_points_for(meeting)}


def test_a_goal_without_a_recent_check_in_is_suggested_until_checked_in(app, world):
    ready = ready_review(world)
    meeting = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    first, second = ready.goals
    assert {f"goals.check_in:{first.id}", f"goals.check_in:{second.id}"} <= keys(meeting)
    goal_service.add_check_in(
        first, world.agent_a1, value=Decimal("20"), confidence="on_track", comment="", token="t1"
    )
    db.session.commit()
    check_in = db.session.query(CheckIn).filter_by(goal_id=first.id).one()
    check_in.created_at = meeting.scheduled_at - timedelta(days=3)
    db.session.commit()
    found = keys(meeting)
    assert f"goals.check_in:{first.id}" not in found
    assert f"goals.check_in:{second.id}" in found
    # Other people's goals never show in A1's meeting.
    other = meetings_of(setup_series(world)[world.agent_a2.id])[0]
    assert not any(k.startswith("goals.check_in") for k in keys(other))


def test_training_due_soon_or_overdue_is_suggested_and_goes_when_far_off(app, world):
    meeting = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    day = meeting.scheduled_at.date()
    soon = course(world.hr, title="Soon course")
    later = course(world.hr, title="Later course")
    late = course(world.hr, title="Late course")
    assign(world.hr, soon, due_on=day + timedelta(days=5), person_id=world.agent_a1.id)
    assign(world.hr, later, due_on=day + timedelta(days=60), person_id=world.agent_a1.id)
    assign(world.hr, late, due_on=day - timedelta(days=2), person_id=world.agent_a1.id)
    db.session.commit()
    points = {p.key: p.label for p in talking_points.talking_points_for(meeting)}
    assert f"training.due:{soon.id}" in points and f"training.due:{late.id}" in points
    assert f"training.due:{later.id}" not in points
    assert points[f"training.due:{late.id}"].startswith("Training overdue")
