"""Goal achievement behind the suggested rating: each goal counts up to the cycle's cap, goals
without a check-in are "no data" and the suggestion states the weight it covers."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.goals import cycle_config as config
from portal.goals import figures, reviews
from portal.goals import goals as service
from portal.goals.models import ReviewCycle
from portal.goals.progress import weighted_mean
from portal.goals.rating import (
    DEFAULT_ACHIEVEMENT_CAP_PERCENT,
    capped_achievement,
    capped_progress,
)
from tests.conftest import login
from tests.goals.helpers import ready_review

CASES = json.loads((Path(__file__).parents[1] / "data" / "achievement.json").read_text("utf-8"))
BANDS = figures.bands_of(config.DEFAULT_BANDS)


def fraction_or_none(text):
    return None if text is None else F(text)


def decimal_or_none(text):
    return None if text is None else Decimal(text)


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: case["name"])
def test_the_hand_computed_cases(case):
    goals = [(g["weight"], fraction_or_none(g["progress"])) for g in case["goals"]]
    achieved = capped_achievement(goals, F(case["cap_percent"], 100))
    assert achieved.value == fraction_or_none(case["achievement"])
    assert achieved.covered_weight == F(case["covered_weight"])
    assert achieved.uncovered_weight == F(case["uncovered_weight"])
    assert achieved.goals_without_data == case["goals_without_data"]
    assert achieved.goals_capped == case["goals_capped"]
    shown = figures.suggestion(goals, BANDS, case["cap_percent"])
    assert (shown.band.rating if shown.band else None) == case["suggested_rating"]
    assert shown.achievement_percent == decimal_or_none(case["achievement_percent"])
    assert shown.covered_percent == decimal_or_none(case["covered_percent"])
    assert shown.uncovered_percent == decimal_or_none(case["uncovered_percent"])


def test_the_issues_example_no_longer_suggests_met():
    uncapped = weighted_mean([(90, F(0)), (10, F(10))])
    assert uncapped == 1  # what the suggestion used to be based on: "met"
    shown = figures.suggestion([(90, F(0)), (10, F(10))], BANDS)
    assert shown.achievement.value == F(12, 100) and shown.band.rating == 1


def test_the_default_cap_is_120_percent():
    assert DEFAULT_ACHIEVEMENT_CAP_PERCENT == 120
    assert capped_achievement([(100, F(3))]).value == F(6, 5)


def test_a_cap_below_100_or_a_negative_weight_is_a_programming_error():
    with pytest.raises(ValueError):
        capped_achievement([(100, F(1))], F(99, 100))
    with pytest.raises(ValueError):
        capped_achievement([(-1, F(1))])


# --- properties ----------------------------------------------------------------------------------

progress_values = st.none() | st.fractions(min_value=-3, max_value=12, max_denominator=40)
goal_lists = st.lists(
    st.tuples(st.integers(min_value=1, max_value=100), progress_values), max_size=8
)
caps = st.integers(min_value=100, max_value=200)


@settings(max_examples=300, deadline=None)
@given(goal_lists, caps, caps)
def test_a_higher_cap_never_lowers_the_achievement(goals, low, high):
    low, high = min(low, high), max(low, high)
    lower = capped_achievement(goals, F(low, 100)).value
    higher = capped_achievement(goals, F(high, 100)).value
    assert (lower is None) == (higher is None)
    if lower is not None:
        assert lower <= higher
        band_low = figures.suggestion(goals, BANDS, low).band
        band_high = figures.suggestion(goals, BANDS, high).band
        assert band_low.rating <= band_high.rating


@settings(max_examples=300, deadline=None)
@given(goal_lists, caps, st.data())
def test_more_progress_on_one_goal_never_lowers_the_achievement(goals, cap, data):
    with_data = [i for i, (_w, p) in enumerate(goals) if p is not None]
    assume(with_data)
    index = data.draw(st.sampled_from(with_data))
    bump = data.draw(st.fractions(min_value=0, max_value=5, max_denominator=20))
    better = list(goals)
    better[index] = (goals[index][0], goals[index][1] + bump)
    before = capped_achievement(goals, F(cap, 100)).value
    after = capped_achievement(better, F(cap, 100)).value
    assert before <= after


@settings(max_examples=300, deadline=None)
@given(goal_lists, caps)
def test_the_achievement_lies_between_0_and_the_cap(goals, cap):
    value = capped_achievement(goals, F(cap, 100)).value
    if value is not None:
        assert 0 <= value <= F(cap, 100)


@settings(max_examples=300, deadline=None)
@given(goal_lists, caps)
def test_coverage_adds_up_to_all_the_weight_and_to_100_on_the_page(goals, cap):
    achieved = capped_achievement(goals, F(cap, 100))
    assert achieved.covered_weight + achieved.uncovered_weight == sum(w for w, _p in goals)
    assert achieved.goals_with_data + achieved.goals_without_data == len(goals)
    assert achieved.goals_without_data == sum(1 for _w, p in goals if p is None)
    shown = figures.suggestion(goals, BANDS, cap)
    if goals:
        assert achieved.covered_share + achieved.uncovered_share == 1
        assert shown.covered_percent + shown.uncovered_percent == 100
        assert 0 <= shown.covered_percent <= 100
    else:
        assert shown.covered_percent is None and shown.uncovered_percent is None


@settings(max_examples=300, deadline=None)
@given(goal_lists, caps)
def test_it_is_the_weighted_mean_of_the_capped_progress_over_the_covered_weight(goals, cap):
    limit = F(cap, 100)
    covered = [(w, min(max(p, F(0)), limit)) for w, p in goals if p is not None]
    expected = sum(w * p for w, p in covered) / sum(w for w, _p in covered) if covered else None
    assert capped_achievement(goals, limit).value == expected


@settings(max_examples=200, deadline=None)
@given(goal_lists, st.integers(min_value=1, max_value=100), caps)
def test_a_goal_without_data_never_moves_the_achievement_but_is_counted(goals, weight, cap):
    before = capped_achievement(goals, F(cap, 100))
    after = capped_achievement([*goals, (weight, None)], F(cap, 100))
    assert after.value == before.value
    assert after.uncovered_weight == before.uncovered_weight + weight
    assert after.goals_without_data == before.goals_without_data + 1


@given(progress_values, caps)
def test_capped_progress_is_clamped_to_0_and_the_cap(value, cap):
    result = capped_progress(value, F(cap, 100))
    if value is None:
        assert result is None
    else:
        assert result == min(max(value, F(0)), F(cap, 100))


# --- the cycle's setting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "ok"), [(None, False), (99, False), (100, True), (120, True), (200, True), (201, False)]
)
def test_the_cap_lies_between_100_and_200(app, cap, ok):
    with app.test_request_context():
        assert (
            config.check_cap(cap, [{"min": "0", "rating": 1}, {"min": "1", "rating": 2}]) == []
        ) is ok


def test_a_band_above_the_cap_could_never_be_suggested(app):
    with app.test_request_context():
        errors = config.check_cap(110, config.DEFAULT_BANDS)  # the top band starts at 120 %
    assert errors and "120 %" in errors[0] and "110 %" in errors[0]


# --- on the review page --------------------------------------------------------------------------


def test_the_manager_sees_what_the_suggestion_is_based_on(client, world):
    ready = ready_review(world)
    review = ready.review
    first, second = review.goals  # 60 (lower is better, 24 -> 12) and 40 (no check-in)
    service.add_check_in(
        first, world.agent_a1, value=Decimal("0"), confidence="on_track", comment="", token="t"
    )  # 24 -> 0 is 200 %: counts at the cap of 120 %
    sheet = reviews.sheet(world.sup_a, review)
    assert sheet.achievement == F(6, 5) and sheet.suggested.rating == 5
    assert sheet.suggestion.covered_percent == 60 and sheet.suggestion.goals_without_data == 1
    login(client, world.sup_a)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "Based on goals covering 60 % of the weight; 1 goal (40 %) has no data." in body
    assert "Each goal counts up to 120 % of its target." in body
    assert "1 goal is above the cap and counts at it." in body


def test_the_cycles_cap_is_used(world):
    ready = ready_review(world)
    review = ready.review
    review.cycle.achievement_cap_percent = 150
    first, _second = review.goals
    service.add_check_in(
        first, world.agent_a1, value=Decimal("0"), confidence="on_track", comment="", token="t"
    )
    assert reviews.sheet(world.sup_a, review).achievement == F(3, 2)


def test_without_any_check_in_nothing_is_suggested_and_the_page_says_why(client, world):
    review = ready_review(world).review
    sheet = reviews.sheet(world.sup_a, review)
    assert sheet.suggested is None and sheet.suggestion.covered_percent == 0
    login(client, world.sup_a)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "No goal has a check-in yet, so nothing is suggested." in body


def cycle_form_data(**overrides):
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
        "bands": config.bands_text(config.DEFAULT_BANDS),
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
    data.update(overrides)
    return data


def test_the_cycle_form_refuses_a_cap_at_its_field_and_keeps_what_was_typed(client, world):
    from tests.conftest import post_form

    login(client, world.hr)
    assert "Cap on each goal" in client.get("/goals/cycles/new").get_data(as_text=True)
    for typed, message in (("250", "between 100 and 200"), ("110", "could never be suggested")):
        response = post_form(
            client, "/goals/cycles/new", cycle_form_data(achievement_cap_percent=typed)
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert message in body and f'value="{typed}"' in body
    assert db.session.scalar(select(ReviewCycle).where(ReviewCycle.name == "2027 H1")) is None


def test_the_cycle_form_saves_the_cap(client, world):
    from tests.conftest import post_form

    login(client, world.hr)
    response = post_form(
        client, "/goals/cycles/new", cycle_form_data(achievement_cap_percent="150")
    )
    assert response.status_code in (200, 302, 303)
    cycle = db.session.scalar(select(ReviewCycle).where(ReviewCycle.name == "2027 H1"))
    assert cycle.achievement_cap_percent == 150
