import json
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.goals.progress import (
    Direction,
    GoalRefused,
    WeightsInvalid,
    bar,
    check_weights,
    is_exceeded,
    is_met,
    parent_progress,
    progress,
    validate_goal,
    validate_weights,
    weighted_mean,
)

CASES = json.loads((Path(__file__).parents[1] / "data" / "goals.json").read_text("utf-8"))


def fraction_or_none(text: str | None) -> F | None:
    return None if text is None else F(text)


# --- every case in goals.json ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["progress"], ids=lambda case: case["name"])
def test_progress_and_bar_reproduce_the_shared_case(case):
    value = progress(
        case["direction"],
        F(case["baseline"]),
        F(case["target"]),
        fraction_or_none(case["current"]),
    )
    assert value == fraction_or_none(case["progress"])
    assert type(value) is (F if case["progress"] is not None else type(None))
    assert bar(value) == fraction_or_none(case["bar"])


@pytest.mark.parametrize("case", CASES["refused_goals"], ids=lambda case: case["name"])
def test_a_goal_with_its_target_on_the_wrong_side_is_refused(case):
    with pytest.raises(GoalRefused) as refused:
        validate_goal(case["direction"], F(case["baseline"]), F(case["target"]))
    assert refused.value.code == case["error"]
    assert refused.value.field == "target"


@pytest.mark.parametrize("case", CASES["refused_goals"], ids=lambda case: case["name"])
def test_progress_of_a_goal_with_its_target_on_the_wrong_side_is_refused(case):
    with pytest.raises(GoalRefused):
        progress(case["direction"], F(case["baseline"]), F(case["target"]), F(case["target"]))


@pytest.mark.parametrize("case", CASES["weights"], ids=lambda case: case["name"])
def test_weights_are_accepted_or_refused_as_the_shared_case_says(case):
    assert (validate_weights(case["weights"]) == []) is case["valid"]
    assert check_weights(case["weights"]).is_valid is case["valid"]


# --- progress edge cases -------------------------------------------------------------------------

H, L = Direction.HIGHER, Direction.LOWER


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "expected"),
    [
        (H, 0, 100, 0, F(0)),  # at the baseline
        (H, 0, 100, 100, F(1)),  # exactly at the target
        (H, 0, 100, 250, F(5, 2)),  # exceeded
        (H, 0, 3, 1, F(1, 3)),  # no rounding
        (L, 24, 12, 24, F(0)),  # lower is better: baseline above target
        (L, 24, 12, 12, F(1)),
        (L, 24, 12, 0, F(2)),
        (L, 24, 12, 36, F(-1)),  # got worse
        (H, -10, 30, -10, F(0)),  # negative baseline (NPS)
        (H, -10, 30, -30, F(-1, 2)),
        (H, -10, 30, 50, F(3, 2)),
        (L, -5, -20, -10, F(1, 3)),  # lower is better, both negative
        (H, 95, 95, 95, F(1)),  # keep the level: exactly held
        (H, 95, 95, 94, F(0)),
        (H, 95, 95, 200, F(1)),  # keep the level: never "exceeded"
        (L, 2, 2, 2, F(1)),
        (L, 2, 2, 1, F(1)),
        (L, 2, 2, 3, F(0)),
        (H, 50, 70, None, None),  # no check-in
        (L, 24, 12, None, None),
        (H, 95, 95, None, None),
    ],
)
def test_progress_edge_cases(direction, baseline, target, current, expected):
    assert progress(direction, baseline, target, current) == expected


def test_progress_takes_decimals_from_numeric_columns_exactly():
    value = progress("higher", Decimal("0.1"), Decimal("0.4"), Decimal("0.2"))
    assert value == F(1, 3)


def test_progress_refuses_floats_so_no_binary_rounding_sneaks_in():
    with pytest.raises(TypeError):
        progress("higher", 0.1, 0.4, 0.2)


def test_an_unknown_direction_is_refused_on_the_direction_field():
    with pytest.raises(GoalRefused) as refused:
        validate_goal("sideways", 1, 2)
    assert refused.value.code == GoalRefused.UNKNOWN_DIRECTION
    assert refused.value.field == "direction"


@pytest.mark.parametrize(
    ("direction", "baseline", "target"),
    [(H, 50, 70), (H, 50, 50), (L, 24, 12), (L, 24, 24), (H, -10, 30), (L, -5, -20)],
)
def test_a_target_on_the_right_side_or_equal_to_the_baseline_is_accepted(
    direction, baseline, target
):
    assert validate_goal(direction, baseline, target) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (F(-1, 2), F(0)), (F(0), F(0)), (F(1, 2), F(1, 2)), (F(1), F(1)), (F(3, 2), 1)],
)
def test_the_bar_clamps_progress_to_between_0_and_1(value, expected):
    assert bar(value) == expected


@pytest.mark.parametrize(
    ("value", "met", "exceeded"),
    [
        (None, False, False),
        (F(99, 100), False, False),
        (F(1), True, False),
        (F(101, 100), True, True),
    ],
)
def test_reaching_the_target_is_met_and_only_passing_it_is_exceeded(value, met, exceeded):
    assert is_met(value) is met
    assert is_exceeded(value) is exceeded


# --- weights -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "total", "problems", "not_positive_at"),
    [
        ([30, 30, 40], 100, (), ()),
        ([30, 30, 30], 90, (WeightsInvalid.SUM_NOT_100,), ()),
        ([60, 50], 110, (WeightsInvalid.SUM_NOT_100,), ()),
        ([0, 100], 100, (WeightsInvalid.WEIGHT_NOT_POSITIVE,), (0,)),
        ([-10, 110], 100, (WeightsInvalid.WEIGHT_NOT_POSITIVE,), (0,)),
        (
            [50, 0, 40, 0],
            90,
            (WeightsInvalid.WEIGHT_NOT_POSITIVE, WeightsInvalid.SUM_NOT_100),
            (1, 3),
        ),
        ([], 0, (WeightsInvalid.SUM_NOT_100,), ()),
        ([F(100, 3)] * 3, 100, (), ()),
        ([Decimal("33.3"), Decimal("33.3"), Decimal("33.3")], F(999, 10), ("sum_not_100",), ()),
    ],
)
def test_weights_check_reports_the_sum_found_and_every_problem(
    weights, total, problems, not_positive_at
):
    check = check_weights(weights)
    assert check.total == total
    assert check.problems == problems
    assert check.not_positive_at == not_positive_at
    assert validate_weights(weights) == [str(problem) for problem in problems]


def test_weights_summing_to_90_give_the_code_and_sum_the_page_needs_for_its_message():
    check = check_weights([30, 30, 30])
    assert validate_weights([30, 30, 30]) == ["sum_not_100"]
    assert str(check.total) == "90"  # prints as 90, not 90/1


# --- roll-up to a parent goal --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "unclamped", "clamped"),
    [
        ([(50, F(1, 2)), (50, F(1))], F(3, 4), F(3, 4)),
        ([(30, F(1)), (70, F(0))], F(3, 10), F(3, 10)),
        ([(50, F(3, 2)), (50, F(1, 2))], F(1), F(3, 4)),  # exceeded child makes up in the mean
        ([(50, F(-1, 2)), (50, F(1))], F(1, 4), F(1, 2)),
        ([(40, F(1, 2)), (60, None)], F(1, 2), F(1, 2)),  # no check-in: drops out, not 0
        ([(40, None), (60, None)], None, None),
        ([], None, None),
    ],
)
def test_parent_progress_is_the_weighted_mean_of_the_children_that_have_progress(
    children, unclamped, clamped
):
    assert parent_progress(children) == unclamped
    assert parent_progress(children, clamped=True) == clamped


def test_a_negative_weight_in_a_mean_is_a_programming_error():
    with pytest.raises(ValueError):
        weighted_mean([(-1, F(1)), (2, F(1))])


def test_a_zero_weight_counts_for_nothing_in_a_mean():
    assert weighted_mean([(0, F(5)), (10, F(1))]) == 1
    assert weighted_mean([(0, F(5))]) is None


# --- properties ----------------------------------------------------------------------------------

numbers = st.fractions(min_value=-1000, max_value=1000, max_denominator=50)
positive = st.fractions(min_value=F(1, 50), max_value=500, max_denominator=50)
directions = st.sampled_from(list(Direction))


@st.composite
def goals(draw):
    """A valid goal: the target on the right side of (or equal to) the baseline."""
    direction = draw(directions)
    baseline = draw(numbers)
    distance = draw(st.one_of(st.just(F(0)), positive))
    target = baseline + distance if direction is Direction.HIGHER else baseline - distance
    return direction, baseline, target


@settings(max_examples=200, deadline=None)
@given(goals())
def test_progress_of_a_check_in_at_the_target_is_exactly_1(goal):
    direction, baseline, target = goal
    assert progress(direction, baseline, target, target) == 1


@settings(max_examples=200, deadline=None)
@given(goals(), numbers, numbers)
def test_a_better_check_in_never_shows_less_progress(goal, a, b):
    direction, baseline, target = goal
    worse, better = (
        sorted((a, b)) if direction is Direction.HIGHER else sorted((a, b), reverse=True)
    )
    assert progress(direction, baseline, target, worse) <= progress(
        direction, baseline, target, better
    )


@settings(max_examples=200, deadline=None)
@given(goals(), numbers)
def test_the_bar_is_always_between_0_and_1(goal, current):
    assert 0 <= bar(progress(*goal, current)) <= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(positive, st.one_of(st.none(), numbers)), max_size=8))
def test_parent_progress_lies_between_its_childrens_progress(children):
    present = [value for _, value in children if value is not None]
    result = parent_progress(children)
    if not present:
        assert result is None
    else:
        assert min(present) <= result <= max(present)
