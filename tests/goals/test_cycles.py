"""Cycle administration: settings, enrolment by subtree with eligibility, start and complete."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal import audit
from portal.errors import Forbidden, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals import cycle_config as config
from portal.goals import cycles, reviews
from portal.goals import goals as service
from portal.goals.models import Review, ReviewState
from tests.conftest import login
from tests.goals.helpers import (
    all_ratings,
    close_calibration,
    cycle_fields,
    goal_fields,
    make_cycle,
    ready_review,
    review_of,
)


def enrolled_ids(cycle) -> set[int]:
    return set(
        db.session.execute(select(Review.person_id).where(Review.cycle_id == cycle.id)).scalars()
    )


def test_enrolment_takes_the_subtree_with_its_root(world):
    cycle = make_cycle(world, start=False)
    expected = {
        world.manager_hk.id,
        world.sup_a.id,
        world.sup_b.id,
        world.agent_a1.id,
        world.agent_a2.id,
        world.agent_b1.id,
    }
    assert enrolled_ids(cycle) == expected
    review = review_of(cycle, world.agent_a1)
    assert review.reviewer_id == world.sup_a.id
    assert review.state == ReviewState.DRAFT


def test_eligibility_rule_filters_by_hire_date_and_position(world):
    world.agent_a2.hire_on = date(2026, 6, 1)
    db.session.commit()
    cycle = cycles.create_cycle(world.hr, cycle_fields())
    agent_position = world.agent_a1.position_id
    added = cycles.enrol(
        cycle,
        world.hr,
        cycles.Eligibility(
            root_id=world.manager_hk.id,
            hired_before=date(2026, 1, 1),
            position_ids=(agent_position,),
        ),
    )
    assert added == 2
    assert enrolled_ids(cycle) == {world.agent_a1.id, world.agent_b1.id}


def test_enrolling_twice_adds_nobody_again(world):
    cycle = make_cycle(world, start=False)
    rule = cycles.Eligibility(root_id=world.manager_hk.id, hired_before=None, position_ids=())
    assert cycles.enrol(cycle, world.hr, rule) == 0


def test_team_market_and_segment_are_frozen_at_enrolment(world):
    cycle = make_cycle(world)
    review = review_of(cycle, world.agent_a1)
    world.agent_a1.team_id = world.team_c.id
    world.agent_a1.market_id = world.jp.id
    world.agent_a1.segment_id = world.vip.id
    db.session.commit()
    db.session.refresh(review)
    assert (review.team_id, review.market_id, review.segment_id) == (
        world.team_a.id,
        world.hk.id,
        world.small.id,
    )


def test_only_hr_manages_cycles(world):
    with pytest.raises(Forbidden):
        cycles.create_cycle(world.manager_hk, cycle_fields())


def test_a_cycle_name_is_unique_and_the_period_ordered(world):
    cycles.create_cycle(world.hr, cycle_fields())
    with pytest.raises(ValidationFailed) as caught:
        cycles.create_cycle(
            world.hr, cycle_fields("2026 h2", starts_on=date(2026, 12, 1), ends_on=date(2026, 7, 1))
        )
    assert set(caught.value.field_errors) >= {"name", "ends_on"}


def test_completing_is_refused_while_reviews_are_unfinished(world):
    cycle = make_cycle(world)
    with pytest.raises(InvalidTransition) as caught:
        cycles.complete_cycle(cycle, world.hr, expected_version=cycle.version)
    assert "6 reviews" in caught.value.message


def _finish(review, world, reviewer):
    for goal in review.goals:
        service.add_check_in(
            goal,
            review.person,
            value=goal.target,
            confidence="on_track",
            comment="",
            token=f"t{goal.id}",
        )
    reviews.take_step(review, reviewer, "start", expected_version=review.version)
    reviews.save_self(
        review,
        review.person,
        given=all_ratings(review),
        overall_comment="",
        submit=True,
        expected_version=review.version,
    )
    reviews.save_manager(
        review,
        reviewer,
        given=all_ratings(review),
        overall_comment="",
        proposed_rating=3,
        submit=True,
        expected_version=review.version,
    )
    close_calibration(review.cycle, world)
    reviews.take_step(review, reviewer, "share", expected_version=review.version)
    reviews.take_step(review, review.person, "acknowledge", expected_version=review.version)


def test_a_completed_cycle_locks_its_reviews_and_refuses_changes(world):
    cycle = cycles.create_cycle(world.hr, cycle_fields())
    cycles.enrol(
        cycle,
        world.hr,
        cycles.Eligibility(
            root_id=world.sup_b.id, hired_before=None, position_ids=(world.agent_b1.position_id,)
        ),
    )
    cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    review = review_of(cycle, world.agent_b1)
    goal = service.create_goal(review, world.sup_b, goal_fields(weight=100))
    _finish(review, world, world.sup_b)
    cycles.complete_cycle(cycle, world.hr, expected_version=cycle.version)
    assert review.state == ReviewState.LOCKED
    with pytest.raises(InvalidTransition):
        service.add_comment(goal, world.agent_b1, body="late", token="late-1")
    with pytest.raises(InvalidTransition):
        service.edit_goal(goal, world.sup_b, goal_fields(weight=100), expected_version=goal.version)
    with pytest.raises(InvalidTransition):
        cycles.enrol(cycle, world.hr, cycles.Eligibility(None, None, ()))
    actions = [e.action for e in db.session.execute(select(audit.AuditEntry)).scalars()]
    assert "cycle.complete" in actions and "review.lock" in actions


def test_the_cycle_page_creates_a_cycle_and_shows_field_errors(client, world):
    login(client, world.hr)
    page = client.get("/goals/cycles/new").get_data(as_text=True)
    assert "Needs improvement" in page
    data = {
        "version": "0",
        "name": "2027 H1",
        "starts_on": "2027-01-01",
        "ends_on": "2027-06-30",
        "goals_weight": "70",
        "competencies_weight": "30",
        "promotion_min_months": "6",
        "achievement_cap_percent": "120",
        "scale": config.scale_text(config.DEFAULT_SCALE),
        "bands": "80 = 3\n50 = 2",
        "guideline": "5 = 15",
        "competencies": config.competencies_text(config.DEFAULT_COMPETENCIES),
        **{
            f"due_{k}": "2027-03-01"
            for k in (
                "goal_setting",
                "mid_cycle",
                "self_assessment",
                "manager_assessment",
                "calibration",
                "sign_off",
            )
        },
    }
    from tests.conftest import post_form

    response = post_form(client, "/goals/cycles/new", data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "List the bands from the lowest achievement up." in body
    assert "2027 H1" in body  # what was typed is kept
    data["bands"] = "0 = 1\n50 = 2\n80 = 3\n100 = 4\n120 = 5"
    response = post_form(client, "/goals/cycles/new", data)
    assert response.status_code == 303


def test_config_text_round_trips():
    scale, errors = config.parse_scale(config.scale_text(config.DEFAULT_SCALE))
    assert not errors and scale == config.DEFAULT_SCALE
    bands, errors = config.parse_bands(config.bands_text(config.DEFAULT_BANDS), [1, 2, 3, 4, 5])
    assert not errors and bands == config.DEFAULT_BANDS
    guideline, errors = config.parse_guideline(
        config.guideline_text(config.DEFAULT_GUIDELINE), [1, 2, 3, 4, 5]
    )
    assert not errors and guideline == {"5": "0.15", "4": "0.35"}
    comps, errors = config.parse_competencies(config.competencies_text(config.DEFAULT_COMPETENCIES))
    assert not errors and comps == config.DEFAULT_COMPETENCIES
    _scale, errors = config.parse_scale("1 = a\nx = b")
    assert errors


def test_ready_review_helper_opens_the_self_assessment(world):
    ready = ready_review(world)
    assert ready.review.state == ReviewState.SELF_REVIEW
