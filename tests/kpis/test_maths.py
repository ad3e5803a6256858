"""KPI arithmetic: each aggregation, targets, direction and attainment, by hand and by property."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.kpis import maths
from portal.kpis.maths import Daily, Figure, Sums, TargetSet
from portal.kpis.models import Aggregation, Direction
from portal.kpis.periods import PeriodKind, custom_period, period_containing


@pytest.mark.parametrize(
    ("aggregation", "rows", "expected"),
    [
        (Aggregation.MEAN, [Daily(value=D(2)), Daily(value=D(4))], Figure(D(3), 2)),
        (Aggregation.SUM, [Daily(value=D(2)), Daily(value=D(4))], Figure(D(6), 2)),
        (
            Aggregation.RATE,
            [Daily(numerator=D(1), denominator=D(4)), Daily(numerator=D(3), denominator=D(4))],
            Figure(D("0.5"), 2),
        ),
        (
            Aggregation.WEIGHTED,
            [Daily(value=D(5), weight=D(1)), Daily(value=D(1), weight=D(3))],
            Figure(D(2), 2),
        ),
        (Aggregation.MEAN, [], Figure(None, 0)),
        (Aggregation.MEAN, [Daily(value=None)], Figure(None, 0)),
        (Aggregation.RATE, [Daily(numerator=D(0), denominator=D(0))], Figure(None, 1)),
        (Aggregation.WEIGHTED, [Daily(value=D(3), weight=D(0))], Figure(None, 1)),
        (Aggregation.RATE, [Daily(value=D(3))], Figure(None, 0)),  # wrong fields skipped
    ],
)
def test_each_aggregation_by_hand(aggregation, rows, expected):
    assert maths.aggregate(aggregation, rows) == expected


def test_a_rate_is_not_the_mean_of_daily_rates():
    rows = [Daily(numerator=D(1), denominator=D(1)), Daily(numerator=D(0), denominator=D(9))]
    assert maths.aggregate(Aggregation.RATE, rows).value == D("0.1")


decimals = st.decimals(min_value=-1000, max_value=1000, places=2)
positive = st.decimals(min_value=D("0.01"), max_value=1000, places=2)
dailies = st.lists(
    st.builds(Daily, value=decimals, numerator=positive, denominator=positive, weight=positive),
    max_size=8,
)
# The machine is shared; generation speed is not what these tests are about.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)


@relaxed
@given(dailies, dailies, st.sampled_from(list(Aggregation)))
def test_sums_of_two_groups_add_up_to_the_sums_of_both(a, b, aggregation):
    assert maths.sums_of(aggregation, a) + maths.sums_of(aggregation, b) == maths.sums_of(
        aggregation, a + b
    )


@relaxed
@given(st.lists(decimals, min_size=1, max_size=12))
def test_mean_lies_between_min_and_max(values):
    figure = maths.aggregate(Aggregation.MEAN, [Daily(value=v) for v in values])
    assert min(values) <= figure.value <= max(values)
    assert figure.n == len(values)


@relaxed
@given(st.lists(st.tuples(decimals, positive), min_size=1, max_size=12))
def test_weighted_mean_lies_between_min_and_max_and_equal_weights_give_the_mean(pairs):
    figure = maths.aggregate(Aggregation.WEIGHTED, [Daily(value=v, weight=w) for v, w in pairs])
    values = [v for v, _ in pairs]
    assert min(values) - D("1e-20") <= figure.value <= max(values) + D("1e-20")
    equal = maths.aggregate(Aggregation.WEIGHTED, [Daily(value=v, weight=D(1)) for v in values])
    mean = maths.aggregate(Aggregation.MEAN, [Daily(value=v) for v in values])
    assert equal.value == mean.value


TARGETS = TargetSet(by_market={1: D(90)}, by_team={10: D(95)})


@pytest.mark.parametrize(
    ("teams", "markets", "expected"),
    [
        ({10}, {1}, D(95)),  # the team's target overrides the market's
        ({11}, {1}, D(90)),  # a team without its own target takes the market's
        ({10, 11}, {1}, D(90)),  # two teams of one market: the market's
        ({10, 20}, {1, 2}, None),  # two markets: no single target
        ({None}, {2}, None),  # a market without a target
        (set(), set(), None),  # nobody
    ],
)
def test_target_for_a_group(teams, markets, expected):
    assert maths.target_for(TARGETS, teams, markets) == expected


@pytest.mark.parametrize(
    ("direction", "value", "target", "meets", "attainment"),
    [
        (Direction.HIGHER, D(90), D(90), True, D(1)),
        (Direction.HIGHER, D(45), D(90), False, D("0.5")),
        (Direction.HIGHER, D(99), D(90), True, D(99) / D(90)),
        (Direction.LOWER, D(300), D(400), True, D(400) / D(300)),
        (Direction.LOWER, D(800), D(400), False, D("0.5")),
        (Direction.LOWER, D(0), D(400), True, None),
        (Direction.HIGHER, D(5), D(0), True, None),
        (Direction.HIGHER, None, D(1), None, None),
        (Direction.LOWER, D(1), None, None, None),
    ],
)
def test_meets_and_attainment_follow_the_direction(direction, value, target, meets, attainment):
    assert maths.meets(direction, value, target) is meets
    assert maths.attainment(direction, value, target) == attainment


@pytest.mark.parametrize(
    ("direction", "current", "previous", "improved"),
    [
        (Direction.HIGHER, D(2), D(1), True),
        (Direction.HIGHER, D(1), D(2), False),
        (Direction.LOWER, D(1), D(2), True),
        (Direction.LOWER, D(2), D(1), False),
        (Direction.LOWER, D(2), D(2), None),
        (Direction.LOWER, None, D(2), None),
    ],
)
def test_improved_follows_the_direction(direction, current, previous, improved):
    assert maths.improved(direction, current, previous) is improved


@relaxed
@given(st.sampled_from(list(Direction)), positive, positive)
def test_attainment_at_least_one_exactly_when_the_target_is_met(direction, value, target):
    assert (maths.attainment(direction, value, target) >= 1) == maths.meets(
        direction, value, target
    )


def test_periods_in_the_calendar():
    day = date(2026, 11, 18)  # a Wednesday
    week = period_containing(PeriodKind.WEEK, day)
    assert (week.start, week.end) == (date(2026, 11, 16), date(2026, 11, 22))
    month = period_containing(PeriodKind.MONTH, day)
    assert (month.start, month.end) == (date(2026, 11, 1), date(2026, 11, 30))
    quarter = period_containing(PeriodKind.QUARTER, day)
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.previous().start == date(2026, 7, 1)
    assert month.next().end == date(2026, 12, 31)
    feb = period_containing(PeriodKind.MONTH, date(2028, 2, 10))
    assert feb.end == date(2028, 2, 29)
    custom = custom_period(date(2026, 1, 10), date(2026, 1, 19))
    assert (custom.previous().start, custom.previous().end) == (
        date(2025, 12, 31),
        date(2026, 1, 9),
    )
    with pytest.raises(ValueError):
        custom_period(date(2026, 1, 2), date(2026, 1, 1))


def test_sums_of_nothing_is_the_zero_sums():
    assert maths.sums_of(Aggregation.SUM, []) == Sums()
