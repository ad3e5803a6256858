"""Promotion readiness: months in position and the latest rating above the average of a team
of at least five rated people."""

from __future__ import annotations

from datetime import date
from fractions import Fraction as F

from portal.extensions import db
from portal.goals.models import ReviewState
from portal.goals.promotion import readiness_for
from portal.goals.rating import Readiness as Check
from tests.conftest import login
from tests.goals.helpers import make_cycle, review_of

TODAY = date(2026, 11, 23)


def rate(cycle, person, value, state=ReviewState.LOCKED, team=None):
    review = review_of(cycle, person)
    review.state, review.final_rating = state, value
    if team is not None:
        review.team_id = team.id
    return review


def team_of_five(world, cycle):
    """a1 5, a2 3, and three more people counted in Team A for this cycle: 3, 3, 2."""
    rate(cycle, world.agent_a1, 5)
    rate(cycle, world.agent_a2, 3)
    for person, value in ((world.sup_a, 3), (world.sup_b, 3), (world.manager_hk, 2)):
        rate(cycle, person, value, team=world.team_a)


def test_ready_when_above_the_team_average_after_six_months(world):
    cycle = make_cycle(world)
    team_of_five(world, cycle)
    rate(cycle, world.agent_b1, 4, ReviewState.CALIBRATION)  # not shared: does not count
    db.session.commit()
    ready = readiness_for([world.agent_a1, world.agent_a2, world.agent_b1], TODAY)
    a1, a2, b1 = ready[world.agent_a1.id], ready[world.agent_a2.id], ready[world.agent_b1.id]
    assert a1.is_ready and a1.team_average == F(16, 5) and a1.team_rated == 5
    assert not a2.is_ready and a2.check is Check.NOT_ABOVE_AVERAGE
    assert not b1.is_ready and b1.latest is None


def test_never_ready_with_fewer_than_five_rated_people_in_the_team(world):
    cycle = make_cycle(world)
    rate(cycle, world.agent_a1, 5)
    rate(cycle, world.agent_a2, 3)
    rate(cycle, world.sup_a, 4, ReviewState.CALIBRATION)  # not shared: does not count
    db.session.commit()
    a1 = readiness_for([world.agent_a1], TODAY)[world.agent_a1.id]
    assert a1.team_average == 4 and a1.team_rated == 2
    assert not a1.is_ready and not a1.enough_rated and a1.check is Check.TOO_FEW_RATED


def test_not_ready_with_too_few_months_in_position(world):
    cycle = make_cycle(world)
    team_of_five(world, cycle)
    world.agent_a1.position_since_on = date(2026, 6, 1)
    db.session.commit()
    ready = readiness_for([world.agent_a1], TODAY)[world.agent_a1.id]
    assert ready.months_in_position == 5 and not ready.is_ready
    assert ready.check is Check.TOO_FEW_MONTHS


def test_the_team_goals_page_shows_who_is_ready_and_the_n(client, world):
    cycle = make_cycle(world)
    team_of_five(world, cycle)
    db.session.commit()
    login(client, world.sup_a)
    page = client.get(f"/goals/team?cycle={cycle.id}").get_data(as_text=True)
    assert page.count(">Ready<") == 1
    assert "latest 5 vs team average 3.2 of 5 rated" in page


def test_the_pages_say_when_the_team_is_too_small(client, world):
    cycle = make_cycle(world)
    rate(cycle, world.agent_a1, 5)
    rate(cycle, world.agent_a2, 3)
    db.session.commit()
    login(client, world.sup_a)
    page = client.get(f"/goals/team?cycle={cycle.id}").get_data(as_text=True)
    assert ">Ready<" not in page
    assert "latest 5; not enough rated people in the team (n = 2)" in page
    page = client.get(f"/goals/people/{world.agent_a1.id}/readiness").get_data(as_text=True)
    assert "Not enough rated people in the team (n = 2)" in page and ">Ready<" not in page
