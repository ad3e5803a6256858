import math
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.qa.intervals import (
    MeanCI,
    enough_data,
    mean_ci,
    mean_ci_from_sums,
    t_quantile,
    wilson_interval,
)


def closed_form_t_cdf(t: float, df: int) -> float:
    """P(T <= t) for integer df by the finite trigonometric series (Abramowitz & Stegun 26.7.3)."""
    theta = math.atan(t / math.sqrt(df))
    c = math.cos(theta)
    series, coefficient, power = 0.0, 1.0, (1 if df % 2 else 0)
    while power <= df - 2:
        series += coefficient * c**power
        coefficient *= (power + 1) / (power + 2)
        power += 2
    if df % 2:
        inside = 2 / math.pi * (theta + math.sin(theta) * series)
    else:
        inside = math.sin(theta) * series
    return (1 + inside) / 2


@pytest.mark.parametrize(
    ("df", "expected"),
    [(2, 4.302652729), (9, 2.262157163), (29, 2.045229642)],
)
def test_t_quantile_matches_published_table_values(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 9, 10, 29, 30, 120])
@pytest.mark.parametrize("p", [0.6, 0.9, 0.95, 0.975, 0.995, 0.9995])
def test_t_quantile_inverts_the_closed_form_distribution_function(df, p):
    assert closed_form_t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-13)


@given(st.floats(min_value=0.001, max_value=0.999))
def test_t_quantile_with_one_and_two_degrees_of_freedom_has_a_closed_form(p):
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-10, abs=1e-12)
    two = (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    assert t_quantile(p, 2) == pytest.approx(two, rel=1e-10, abs=1e-12)


def test_t_quantile_is_symmetric_around_zero():
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.025, 7) == -t_quantile(0.975, 7)


def test_t_quantile_approaches_the_normal_quantile_for_many_degrees_of_freedom():
    z = NormalDist().inv_cdf(0.975)
    assert t_quantile(0.975, 1_000_000) == pytest.approx(z, abs=1e-5)
    assert t_quantile(0.975, 1_000_000) > z


@pytest.mark.parametrize(("p", "df"), [(0.0, 5), (1.0, 5), (0.9, 0)])
def test_t_quantile_rejects_impossible_arguments(p, df):
    with pytest.raises(ValueError):
        t_quantile(p, df)


def test_mean_ci_of_three_scores_uses_t_with_two_degrees_of_freedom():
    result = mean_ci([70, 80, 90])
    half = 4.302652729749464 * 10 / math.sqrt(3)
    assert result.mean == 80
    assert result.n == 3
    assert result.sd == pytest.approx(10)
    assert result.low == pytest.approx(80 - half, abs=1e-9)
    assert result.high == pytest.approx(80 + half, abs=1e-9)
    assert result.half_width == pytest.approx(half, abs=1e-9)


def test_mean_ci_of_thirty_scores_is_narrower_than_of_three_with_the_same_spread():
    three = mean_ci([70, 80, 90])
    thirty = mean_ci([70, 80, 90] * 10)
    assert thirty.mean == three.mean
    assert thirty.half_width < three.half_width / 4


def test_mean_ci_of_ten_values_against_a_hand_computed_interval():
    values = [Fraction(v) for v in range(1, 11)]  # mean 5.5, variance 55/6
    result = mean_ci(values, confidence=0.95)
    half = 2.262157163 * math.sqrt(55 / 6) / math.sqrt(10)
    assert result.mean == 5.5
    assert result.sd == pytest.approx(math.sqrt(55 / 6))
    assert (result.low, result.high) == pytest.approx((5.5 - half, 5.5 + half), abs=1e-8)


def test_mean_ci_with_identical_values_is_a_point():
    result = mean_ci([Decimal("87.5")] * 4)
    assert (result.low, result.mean, result.high, result.sd) == (87.5, 87.5, 87.5, 0.0)


def test_one_value_gives_a_mean_but_no_interval():
    assert mean_ci([92.5]) == MeanCI(mean=92.5, n=1, low=None, high=None, sd=None)
    assert mean_ci([92.5]).half_width is None


def test_no_values_give_no_mean():
    assert mean_ci([]) == MeanCI(mean=None, n=0, low=None, high=None, sd=None)


def test_mean_ci_from_sums_accepts_what_sql_returns():
    # count(score), sum(score), sum(score * score) over Numeric columns come back as Decimal
    result = mean_ci_from_sums(3, Decimal("240.0"), Decimal("19400.00"))
    assert result == mean_ci([70, 80, 90])


@given(
    st.lists(
        st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
        max_size=40,
    ),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_mean_ci_from_sums_equals_mean_ci_from_the_rows(values, confidence):
    from_rows = mean_ci(values, confidence)
    from_sums = mean_ci_from_sums(
        len(values), sum(values, Decimal(0)), sum((v * v for v in values), Decimal(0)), confidence
    )
    assert from_sums == from_rows
    if len(values) >= 2:
        assert from_rows.low <= from_rows.mean <= from_rows.high


def test_a_higher_confidence_gives_a_wider_interval():
    values = [60, 75, 80, 85, 95]
    assert mean_ci(values, 0.99).half_width > mean_ci(values, 0.95).half_width
    assert mean_ci(values, 0.95).half_width > mean_ci(values, 0.80).half_width


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
def test_confidence_outside_zero_to_one_is_rejected(confidence):
    with pytest.raises(ValueError):
        mean_ci([1, 2, 3], confidence)
    with pytest.raises(ValueError):
        wilson_interval(1, 2, confidence)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN")])
def test_non_finite_values_are_rejected(bad):
    with pytest.raises(ValueError):
        mean_ci([1, bad])


def test_wilson_interval_of_eight_in_ten():
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)


def test_wilson_interval_stays_within_zero_and_one_at_the_extremes():
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(0.7225, abs=1e-4)


def test_wilson_interval_without_observations_is_none():
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(("successes", "n"), [(-1, 5), (6, 5)])
def test_wilson_interval_rejects_more_successes_than_trials(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def test_enough_data_compares_the_count_with_the_minimum():
    assert enough_data(5, 5)
    assert not enough_data(4, 5)
    assert enough_data(30, 5)
