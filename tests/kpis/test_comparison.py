"""Like-for-like comparison of a running period (portal.kpis.periods.comparison)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.kpis.periods import Period, PeriodKind, comparison, custom_period, period_containing

relaxed = settings(deadline=None, max_examples=200)

MONTH, WEEK, QUARTER = PeriodKind.MONTH, PeriodKind.WEEK, PeriodKind.QUARTER


def test_month_to_date_against_the_same_days_of_last_month():
    c = comparison(period_containing(MONTH, date(2026, 12, 4)), date(2026, 12, 4))
    assert c.like_for_like
    assert (c.current.start, c.current.end) == (date(2026, 12, 1), date(2026, 12, 4))
    assert (c.previous.start, c.previous.end) == (date(2026, 11, 1), date(2026, 11, 4))


def test_the_31st_against_a_short_month_is_clipped_to_its_end():
    c = comparison(period_containing(MONTH, date(2026, 3, 31)), date(2026, 3, 30))
    assert (c.previous.start, c.previous.end) == (date(2026, 2, 1), date(2026, 2, 28))
    c = comparison(period_containing(MONTH, date(2024, 3, 31)), date(2024, 3, 29))
    assert c.previous.end == date(2024, 2, 29)  # leap year: all of February
    c = comparison(period_containing(MONTH, date(2024, 3, 1)), date(2024, 3, 29))
    assert c.previous.end == date(2024, 2, 29) and c.current.days == 29


def test_the_first_day_of_a_period_against_the_first_day_of_the_previous():
    c = comparison(period_containing(MONTH, date(2026, 1, 1)), date(2026, 1, 1))
    assert (c.current.start, c.current.end) == (date(2026, 1, 1), date(2026, 1, 1))
    assert (c.previous.start, c.previous.end) == (date(2025, 12, 1), date(2025, 12, 1))


def test_week_quarter_and_custom_to_date():
    c = comparison(period_containing(WEEK, date(2026, 12, 9)), date(2026, 12, 9))  # Wednesday
    assert (c.previous.start, c.previous.end) == (date(2026, 11, 30), date(2026, 12, 2))
    c = comparison(period_containing(QUARTER, date(2026, 11, 15)), date(2026, 11, 15))
    assert c.current.days == 46  # 31 + 15
    assert (c.previous.start, c.previous.end) == (date(2026, 7, 1), date(2026, 8, 15))
    c = comparison(custom_period(date(2026, 5, 10), date(2026, 5, 19)), date(2026, 5, 12))
    assert (c.previous.start, c.previous.end) == (date(2026, 4, 30), date(2026, 5, 2))


def test_a_finished_or_future_period_compares_whole_with_whole():
    month = period_containing(MONTH, date(2026, 11, 5))
    for today in (date(2026, 12, 1), date(2026, 10, 31)):
        c = comparison(month, today)
        assert not c.like_for_like
        assert c.current == month and c.previous == month.previous()


def test_the_last_day_of_a_running_period_is_like_for_like_and_whole():
    month = period_containing(MONTH, date(2026, 11, 5))
    c = comparison(month, date(2026, 11, 30))
    assert c.like_for_like and c.current == month
    assert (c.previous.start, c.previous.end) == (date(2026, 10, 1), date(2026, 10, 30))


days = st.dates(min_value=date(1999, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def periods(draw):
    kind = draw(st.sampled_from(list(PeriodKind)))
    day = draw(days)
    if kind is PeriodKind.CUSTOM:
        return custom_period(day, day + timedelta(days=draw(st.integers(0, 400))))
    return period_containing(kind, day)


@relaxed
@given(periods(), st.integers(-40, 500))
def test_comparison_rules_hold_for_every_kind(period: Period, offset: int):
    today = period.start + timedelta(days=offset)
    c = comparison(period, today)
    whole = period.previous()
    assert c.current.start == period.start and c.previous.start == whole.start
    assert c.current.kind is period.kind and c.previous.kind is period.kind
    assert c.previous.end < c.current.start  # the previous side never overlaps
    assert c.previous.end <= whole.end
    if period.start <= today <= period.end:
        assert c.like_for_like
        assert c.current.end == today
        assert c.previous.days == min(c.current.days, whole.days)
    else:
        assert not c.like_for_like
        assert c.current == period and c.previous == whole


@pytest.mark.parametrize("kind", [WEEK, MONTH, QUARTER])
def test_previous_side_is_the_same_day_of_period(kind):
    # Every day of a year: the previous side ends on the same day-of-period (or the clip).
    day = date(2023, 1, 1)
    while day.year < 2025:
        c = comparison(period_containing(kind, day), day)
        assert (c.previous.end - c.previous.start) == min(
            day - c.current.start, c.previous.end - c.previous.start
        )
        assert c.previous.days <= c.current.days
        day += timedelta(days=1)
