"""Goals: set by managers with the employee, checked in, progress derived, commented."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.errors import Forbidden, InvalidTransition, NotFound
from portal.extensions import db
from portal.goals import goals as service
from portal.goals.models import CheckIn
from tests.conftest import count_queries, login, post_form
from tests.goals.helpers import goal_fields, make_cycle, ready_review, review_of

GOAL_FORM = {
    "version": "0",
    "title": "Response time MK-A1",
    "metric": "First response time",
    "unit": "hours",
    "baseline": "24",
    "target": "12",
    "direction": "lower",
    "weight": "60",
    "due_on": "2026-12-31",
    "parent_id": "",
}


def test_a_supervisor_sets_a_goal_and_the_employee_sees_it(app, client, world):
    cycle = make_cycle(world)
    plan = review_of(cycle, world.agent_a1)
    login(client, world.sup_a)
    response = post_form(client, f"/goals/plans/{plan.id}/goals", GOAL_FORM)
    assert response.status_code == 303
    employee = app.test_client()
    login(employee, world.agent_a1)
    page = employee.get("/goals/").get_data(as_text=True)
    assert "Response time MK-A1" in page
    assert "No check-in yet" in page
    assert "total 60 %" in page  # weights not yet 100: said plainly


def test_weights_above_100_are_refused_with_a_clear_message(client, world):
    cycle = make_cycle(world)
    plan = review_of(cycle, world.agent_a1)
    service.create_goal(plan, world.sup_a, goal_fields(weight=60))
    login(client, world.sup_a)
    response = post_form(
        client, f"/goals/plans/{plan.id}/goals", {**GOAL_FORM, "title": "NPS", "weight": "50"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "would total 110 %" in body and "40 % is left" in body
    assert 'value="NPS"' in body  # what was typed is kept


def test_a_target_on_the_wrong_side_is_refused_at_the_field(client, world):
    cycle = make_cycle(world)
    plan = review_of(cycle, world.agent_a1)
    login(client, world.sup_a)
    response = post_form(client, f"/goals/plans/{plan.id}/goals", {**GOAL_FORM, "target": "30"})
    assert response.status_code == 422
    assert "Lower is better: the target must be at or below the baseline." in response.get_data(
        as_text=True
    )


def test_the_employee_cannot_set_their_own_goals_and_a_peer_cannot_see_them(app, world):
    cycle = make_cycle(world)
    plan = review_of(cycle, world.agent_a1)
    with pytest.raises(Forbidden):
        service.create_goal(plan, world.agent_a1, goal_fields())
    goal = service.create_goal(plan, world.sup_a, goal_fields())
    with pytest.raises(NotFound):
        service.get_goal(world.agent_a2, goal.id)
    with pytest.raises(NotFound):
        service.get_goal(world.sup_b, goal.id)
    with pytest.raises(NotFound):
        service.get_goal(world.qa, goal.id)


def test_a_check_in_derives_progress_and_shows_exceeded(client, world):
    ready = ready_review(world)
    goal = ready.goals[0]  # lower is better: 24 -> 12 hours
    login(client, world.agent_a1)
    page = client.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert "No check-in yet" in page
    response = post_form(
        client,
        f"/goals/{goal.id}/check-ins",
        {"value": "18", "confidence": "on_track", "comment": "halfway", "token": "tok-1"},
    )
    assert response.status_code == 303
    page = client.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert "50 %" in page and "Exceeded" not in page
    post_form(
        client,
        f"/goals/{goal.id}/check-ins",
        {"value": "6", "confidence": "on_track", "comment": "", "token": "tok-2"},
    )
    page = client.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert "150 %" in page and "Exceeded" in page
    assert "<polyline" in page  # the chart of the values


def test_a_double_submitted_check_in_is_recorded_once(client, world):
    ready = ready_review(world)
    goal = ready.goals[0]
    login(client, world.agent_a1)
    data = {"value": "18", "confidence": "at_risk", "comment": "", "token": "same-token"}
    assert post_form(client, f"/goals/{goal.id}/check-ins", data).status_code == 303
    assert post_form(client, f"/goals/{goal.id}/check-ins", data).status_code == 303
    count = db.session.execute(
        select(func.count(CheckIn.id)).where(CheckIn.goal_id == goal.id)
    ).scalar_one()
    assert count == 1


def test_the_employee_comments_on_their_goal(client, world):
    ready = ready_review(world)
    goal = ready.goals[0]
    login(client, world.agent_a1)
    response = post_form(
        client, f"/goals/{goal.id}/comments", {"body": "Need the new macro set", "token": "c1"}
    )
    assert response.status_code == 303
    assert "Need the new macro set" in client.get(f"/goals/{goal.id}").get_data(as_text=True)
    response = post_form(client, f"/goals/{goal.id}/comments", {"body": "", "token": "c2"})
    assert response.status_code == 422


def test_goals_are_fixed_once_the_self_assessment_opens(world):
    ready = ready_review(world)
    goal = ready.goals[0]
    with pytest.raises(InvalidTransition):
        service.edit_goal(goal, world.sup_a, goal_fields(weight=60), expected_version=goal.version)


def test_a_stale_goal_form_answers_409(client, world):
    cycle = make_cycle(world)
    plan = review_of(cycle, world.agent_a1)
    goal = service.create_goal(plan, world.sup_a, goal_fields())
    login(client, world.sup_a)
    response = post_form(
        client, f"/goals/{goal.id}/edit", {**GOAL_FORM, "title": goal.title, "version": "99"}
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)


def test_a_team_goal_rolls_up_its_aligned_goals(client, world):
    cycle = make_cycle(world)
    sup_plan = review_of(cycle, world.sup_a)
    team_goal = service.create_goal(
        sup_plan, world.manager_hk, goal_fields("Team response time", weight=100)
    )
    for person, weight, value in ((world.agent_a1, 60, "18"), (world.agent_a2, 40, "12")):
        plan = review_of(cycle, person)
        child = service.create_goal(
            plan, world.sup_a, goal_fields(weight=weight, parent_id=team_goal.id)
        )
        service.add_check_in(
            child,
            person,
            value=Decimal(value),
            confidence="on_track",
            comment="",
            token=f"r{weight}",
        )
    _views, rollup = service.aligned_children(world.sup_a, team_goal)
    # (60 * 1/2 + 40 * 1) / 100
    assert rollup == pytest.approx(0.7) and str(rollup) == "7/10"
    login(client, world.sup_a)
    page = client.get(f"/goals/{team_goal.id}").get_data(as_text=True)
    assert "70 %" in page and "n = 2" in page


def test_the_team_goals_page_query_count_does_not_grow_with_rows(app, client, world):
    cycle = make_cycle(world)
    login(client, world.manager_hk)
    with count_queries(app) as few:
        assert client.get(f"/goals/team?cycle={cycle.id}").status_code == 200
    for person in (world.agent_a1, world.agent_a2, world.agent_b1, world.sup_a):
        plan = review_of(cycle, person)
        manager = world.manager_hk
        service.create_goal(plan, manager, goal_fields(weight=50))
        service.create_goal(plan, manager, goal_fields("Second", weight=50))
    with count_queries(app) as many:
        assert client.get(f"/goals/team?cycle={cycle.id}").status_code == 200
    assert len(many) == len(few)
