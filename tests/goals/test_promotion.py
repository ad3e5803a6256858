"""Promotion readiness: months in position and the latest rating above the team's average."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.goals.models import ReviewState
from portal.goals.promotion import readiness_for
from tests.conftest import login
from tests.goals.helpers import make_cycle, review_of

TODAY = date(2026, 11, 23)


def rate(cycle, person, value, state=ReviewState.LOCKED):
    review = review_of(cycle, person)
    review.state, review.final_rating = state, value
    return review


def test_ready_when_above_the_team_average_after_six_months(world):
    cycle = make_cycle(world)
    rate(cycle, world.agent_a1, 5)
    rate(cycle, world.agent_a2, 3)
    rate(cycle, world.sup_a, 4, ReviewState.CALIBRATION)  # not shared: does not count
    db.session.commit()
    ready = readiness_for([world.agent_a1, world.agent_a2, world.agent_b1], TODAY)
    a1, a2, b1 = ready[world.agent_a1.id], ready[world.agent_a2.id], ready[world.agent_b1.id]
    assert a1.is_ready and a1.team_average == 4 and a1.team_rated == 2
    assert not a2.is_ready
    assert not b1.is_ready and b1.latest is None


def test_not_ready_with_too_few_months_in_position(world):
    cycle = make_cycle(world)
    rate(cycle, world.agent_a1, 5)
    rate(cycle, world.agent_a2, 3)
    world.agent_a1.position_since_on = date(2026, 6, 1)
    db.session.commit()
    ready = readiness_for([world.agent_a1], TODAY)[world.agent_a1.id]
    assert ready.months_in_position == 5 and not ready.is_ready


def test_the_team_goals_page_shows_who_is_ready(client, world):
    cycle = make_cycle(world)
    rate(cycle, world.agent_a1, 5)
    rate(cycle, world.agent_a2, 3)
    db.session.commit()
    login(client, world.sup_a)
    page = client.get(f"/goals/team?cycle={cycle.id}").get_data(as_text=True)
    assert page.count(">Ready<") == 1
