import json
from datetime import date
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.goals.rating import (
    MIN_TEAM_RATED,
    BandsInvalid,
    GuidelineWarning,
    RatingBand,
    Readiness,
    add_months,
    average_rating,
    guideline_warnings,
    months_between,
    overall_rating,
    promotion_check,
    promotion_ready,
    rating_distribution,
    suggested_rating,
    validate_bands,
    weighted_goal_rating,
)

CASES = json.loads((Path(__file__).parents[1] / "data" / "goals.json").read_text("utf-8"))


def fraction_or_none(text: str | None) -> F | None:
    return None if text is None else F(text)


# --- overall rating ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["overall"]["cases"], ids=lambda case: case["name"])
def test_overall_rating_reproduces_the_shared_case(case):
    parts = {
        name: (part["weight"], fraction_or_none(part["rating"]))
        for name, part in case["parts"].items()
    }
    assert overall_rating(parts) == fraction_or_none(case["overall"])


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"goals": (70, 4), "competencies": (30, 3)}, F(37, 10)),
        ({"goals": (70, None), "competencies": (30, 3)}, F(3)),  # missing part drops out
        ({"goals": (50, 5), "competencies": (30, 2), "values": (20, None)}, F(31, 8)),
        ({"goals": (70, F(37, 10)), "competencies": (30, F(7, 3))}, F(329, 100)),
        ({"goals": (70, None), "competencies": (30, None)}, None),  # nothing rated
        ({}, None),
    ],
)
def test_overall_rating_weights_the_parts_that_are_rated(parts, expected):
    assert overall_rating(parts) == expected


@pytest.mark.parametrize(
    ("goals", "expected"),
    [
        ([(30, 4), (30, 3), (40, 5)], F(41, 10)),
        ([(30, 4), (30, None), (40, 5)], F(32, 7)),  # an unrated goal drops out, never 0
        ([(100, 2)], F(2)),
        ([(50, None), (50, None)], None),
    ],
)
def test_weighted_goal_rating_weights_each_rated_goal(goals, expected):
    assert weighted_goal_rating(goals) == expected


def test_average_rating_skips_people_not_rated_yet():
    assert average_rating([3, 4, None, 4]) == F(11, 3)
    assert average_rating([None]) is None


# --- suggested rating bands ----------------------------------------------------------------------

BANDS = [
    RatingBand(F(0), 1, "Not met"),
    RatingBand(F(1, 2), 2, "Partially met"),
    RatingBand(F(4, 5), 3, "Met"),
    RatingBand(F(1), 4, "Exceeded"),
    RatingBand(F(6, 5), 5, "Far exceeded"),
]
JUST = F(1, 10**9)


@pytest.mark.parametrize(
    ("achievement", "rating"),
    [
        (F(0), 1),
        (F(1, 2) - JUST, 1),
        (F(1, 2), 2),
        (F(4, 5) - JUST, 2),
        (F(4, 5), 3),
        (F(1) - JUST, 3),
        (F(1), 4),
        (F(6, 5) - JUST, 4),
        (F(6, 5), 5),
        (F(30), 5),
    ],
)
def test_a_band_starts_exactly_at_its_minimum_and_just_below_is_the_band_before(
    achievement, rating
):
    assert suggested_rating(achievement, BANDS).rating == rating


def test_no_rating_is_suggested_below_the_lowest_band_or_without_an_achievement():
    assert suggested_rating(-JUST, BANDS) is None
    assert suggested_rating(None, BANDS) is None
    assert suggested_rating(F(1), []) is None


def test_the_suggestion_does_not_depend_on_the_order_the_bands_are_listed_in():
    assert suggested_rating(F(9, 10), list(reversed(BANDS))) == BANDS[2]


def test_bands_with_the_same_minimum_cannot_suggest_a_rating():
    with pytest.raises(ValueError):
        suggested_rating(F(1), [*BANDS, RatingBand(F(1), 5, "Also exceeded")])


@pytest.mark.parametrize(
    ("bands", "problems"),
    [
        (BANDS, []),
        ([], [BandsInvalid.NO_BANDS]),
        (
            [BANDS[1], BANDS[0], *BANDS[2:]],
            [BandsInvalid.NOT_SORTED],
        ),
        ([*BANDS, RatingBand(F(6, 5), 5, "Twice")], [BandsInvalid.DUPLICATE_MINIMUM]),
        ([*BANDS, RatingBand(F(2), 6, "Off the scale")], [BandsInvalid.RATING_OUTSIDE_SCALE]),
        (
            [RatingBand(F(0), 3, "Met"), RatingBand(F(1), 2, "Partially met")],
            [BandsInvalid.RATINGS_NOT_INCREASING],
        ),
    ],
)
def test_validate_bands_names_every_problem(bands, problems):
    assert validate_bands(bands, scale=range(1, 6)) == [str(problem) for problem in problems]


# --- promotion readiness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "latest", "average", "rated", "check"),
    [
        (6, F(4), F(7, 2), 5, Readiness.READY),
        (5, F(4), F(7, 2), 5, Readiness.TOO_FEW_MONTHS),  # one month short
        (24, F(7, 2), F(7, 2), 7, Readiness.NOT_ABOVE_AVERAGE),  # equal is not above
        (24, F(7, 2) + F(1, 100), F(7, 2), 7, Readiness.READY),
        (24, None, F(7, 2), 7, Readiness.NO_RATING),
        (24, F(4), None, 0, Readiness.TOO_FEW_RATED),
        (24, F(5), F(3), 4, Readiness.TOO_FEW_RATED),  # a team of 4 rated people is too small
        (24, F(5), F(3), 2, Readiness.TOO_FEW_RATED),  # the "team average" of two
        (5, F(5), F(3), 2, Readiness.TOO_FEW_RATED),  # the team's size is named first
    ],
)
def test_promotion_needs_six_months_and_a_rating_above_the_average_of_five_rated(
    months, latest, average, rated, check
):
    assert promotion_check(months, latest, average, rated) is check
    ready = promotion_ready(months, latest, average, team_rated=rated)
    assert ready is (check is Readiness.READY)


def test_the_team_minimum_is_five_rated_people():
    assert MIN_TEAM_RATED == 5
    assert promotion_ready(24, 5, 3, team_rated=4) is False
    assert promotion_ready(24, 5, 3, team_rated=5) is True


def test_promotion_ready_takes_the_cycles_own_minimum_months():
    assert promotion_ready(11, 5, 3, min_months=12, team_rated=5) is False
    assert promotion_ready(12, 5, 3, min_months=12, team_rated=5) is True


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=60),
    st.none() | st.integers(min_value=1, max_value=5),
    st.none() | st.fractions(min_value=1, max_value=5, max_denominator=50),
    st.integers(min_value=0, max_value=MIN_TEAM_RATED - 1),
)
def test_never_ready_with_fewer_than_five_rated_people(months, latest, average, rated):
    assert promotion_ready(months, latest, average, team_rated=rated) is False
    assert promotion_check(months, latest, average, rated) in {
        Readiness.NO_RATING,
        Readiness.TOO_FEW_RATED,
    }


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=1, max_value=5),
    st.fractions(min_value=1, max_value=5, max_denominator=50),
    st.integers(min_value=MIN_TEAM_RATED, max_value=200),
)
def test_with_five_or_more_rated_the_old_rule_decides(months, latest, average, rated):
    expected = months >= 6 and latest > average
    assert promotion_ready(months, latest, average, team_rated=rated) is expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 15), date(2026, 1, 15), 0),
        (date(2026, 1, 15), date(2026, 7, 14), 5),
        (date(2026, 1, 15), date(2026, 7, 15), 6),
        (date(2025, 8, 31), date(2026, 2, 27), 5),
        (date(2025, 8, 31), date(2026, 2, 28), 6),  # February has no 31st: its last day counts
        (date(2023, 8, 31), date(2024, 2, 29), 6),  # leap year
        (date(2026, 1, 31), date(2026, 3, 30), 1),
        (date(2026, 1, 31), date(2026, 3, 31), 2),
        (date(2025, 12, 1), date(2026, 1, 1), 1),  # across the year end
        (date(2020, 3, 10), date(2026, 3, 9), 71),
        (date(2026, 5, 1), date(2026, 3, 1), 0),  # a start in the future completes nothing
    ],
)
def test_months_between_counts_whole_months_completed(start, end, months):
    assert months_between(start, end) == months


def test_adding_months_lands_on_the_last_day_of_a_shorter_month():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


# --- calibration distribution --------------------------------------------------------------------

SCALE = [1, 2, 3, 4, 5]


def test_distribution_counts_every_rating_on_the_scale_and_its_share():
    distribution = rating_distribution([3, 3, 4, 5, 3, 2, 4, 3], SCALE)
    assert distribution == {
        1: (0, F(0)),
        2: (1, F(1, 8)),
        3: (4, F(1, 2)),
        4: (2, F(1, 4)),
        5: (1, F(1, 8)),
    }
    assert list(distribution) == SCALE


def test_an_empty_team_has_every_share_at_0():
    assert rating_distribution([], SCALE) == {value: (0, F(0)) for value in SCALE}


def test_a_rating_off_the_scale_is_refused_in_the_distribution():
    with pytest.raises(ValueError):
        rating_distribution([3, 6], SCALE)


def test_guideline_warns_only_about_shares_above_the_maximum():
    guideline = {5: F(15, 100), 4: F(30, 100), 1: F(10, 100)}
    over = rating_distribution([5, 5, 4, 3, 3, 3, 3, 3, 3, 3], SCALE)  # 20 % top, 10 % next
    assert guideline_warnings(over, guideline) == [GuidelineWarning(5, F(1, 5), F(3, 20))]
    at_the_limit = rating_distribution([5, 5, 5] + [3] * 17, SCALE)  # exactly 15 %
    assert guideline_warnings(at_the_limit, guideline) == []


def test_guideline_warnings_come_in_scale_order():
    distribution = rating_distribution([1, 5], SCALE)
    warnings = guideline_warnings(distribution, {5: F(1, 10), 1: F(1, 10)})
    assert [warning.rating for warning in warnings] == [1, 5]
    assert warnings[0] == (1, F(1, 2), F(1, 10))


# --- properties ----------------------------------------------------------------------------------

ratings = st.fractions(min_value=1, max_value=5, max_denominator=20)
weights = st.integers(min_value=1, max_value=100)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.tuples(weights, st.none() | ratings), max_size=6))
def test_overall_rating_lies_between_the_lowest_and_highest_part_rated(parts):
    rated = [rating for _, rating in parts.values() if rating is not None]
    overall = overall_rating(parts)
    if not rated:
        assert overall is None
    else:
        assert min(rated) <= overall <= max(rated)


@settings(max_examples=200, deadline=None)
@given(st.fractions(min_value=-2, max_value=3, max_denominator=100))
def test_a_suggested_band_is_the_highest_one_reached(achievement):
    band = suggested_rating(achievement, BANDS)
    reached = [b for b in BANDS if b.min_achievement <= achievement]
    assert band == (reached[-1] if reached else None)
