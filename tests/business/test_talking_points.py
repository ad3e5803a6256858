"""A report's open business-review action items are suggested in their 1:1."""

from __future__ import annotations

from datetime import date

from portal.business import actions
from portal.coaching import talking_points
from tests.business.helpers import schedule
from tests.coaching.helpers import NOW, meetings_of, setup_series


def test_open_business_actions_of_the_report_are_suggested_talking_points(world):
    review = schedule(world.sup_a, world.sup_a)
    open_item = actions.add_action_item(
        world.sup_a,
        review,
        body="Call the ten merchants",
        owner_id=world.agent_a1.id,
        due_on=date(2026, 3, 9),
        request_token=None,
    )
    done = actions.add_action_item(
        world.sup_a,
        review,
        body="Done already",
        owner_id=world.agent_a1.id,
        due_on=None,
        request_token=None,
    )
    actions.set_action_done(world.agent_a1, done, True, expected_version=done.version, now=NOW)
    meeting = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    points = [
        p for p in talking_points.talking_points_for(meeting) if p.source == "business_actions"
    ]
    assert [p.key for p in points] == [f"business.action:{open_item.id}"]
    assert "Call the ten merchants" in points[0].label and "Mar 9, 2026" in points[0].label
    assert points[0].link == f"/business/reviews/{review.id}"
