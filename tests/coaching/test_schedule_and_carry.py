"""Pure rules: when a series' meetings fall, and which action items a meeting shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.coaching import carry, schedule
from portal.coaching.models import Cadence


def test_weekly_dates_fall_on_the_weekday_from_the_start():
    days = schedule.occurrence_dates(
        "weekly", 0, date(2026, 3, 4), date(2026, 3, 1), date(2026, 3, 31)
    )
    assert days == [date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)]


def test_every_two_weeks_keeps_its_rhythm_whatever_the_window():
    start = date(2026, 3, 2)  # a Monday
    all_days = schedule.occurrence_dates("biweekly", 0, start, start, date(2026, 5, 1))
    assert all_days[:3] == [date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)]
    later = schedule.occurrence_dates("biweekly", 0, start, date(2026, 3, 17), date(2026, 5, 1))
    assert later == [d for d in all_days if d >= date(2026, 3, 17)]


def test_monthly_is_the_first_such_weekday_of_each_month():
    days = schedule.occurrence_dates(
        "monthly", 2, date(2026, 1, 10), date(2026, 1, 1), date(2026, 4, 30)
    )
    assert days == [date(2026, 2, 4), date(2026, 3, 4), date(2026, 4, 1)]


@given(
    cadence=st.sampled_from(list(Cadence)),
    weekday=st.integers(0, 6),
    start=st.dates(date(2025, 1, 1), date(2027, 1, 1)),
    offset=st.integers(0, 60),
    length=st.integers(0, 120),
)
def test_occurrences_are_in_the_window_on_the_weekday_and_sorted(
    cadence, weekday, start, offset, length
):
    low = start + timedelta(days=offset - 30)
    high = low + timedelta(days=length)
    days = schedule.occurrence_dates(cadence, weekday, start, low, high)
    assert days == sorted(set(days))
    assert all(d.weekday() == weekday and max(low, start) <= d <= high for d in days)
    if cadence != Cadence.MONTHLY:
        step = 7 if cadence == Cadence.WEEKLY else 14
        assert all((b - a).days == step for a, b in zip(days, days[1:], strict=False))


def test_local_time_becomes_utc_in_the_supervisors_zone():
    at = schedule.local_to_utc(date(2026, 3, 9), time(10, 0), "Asia/Hong_Kong")
    assert at == datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


def test_a_week_starts_on_monday_in_the_persons_zone():
    # Monday 00:30 in Tokyo is still Sunday in UTC.
    moment = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)
    assert schedule.week_start(moment, "Asia/Tokyo") == date(2026, 3, 9)
    assert schedule.week_start(moment, "UTC") == date(2026, 3, 2)


T = [datetime(2026, 3, 2, tzinfo=UTC) + timedelta(weeks=i) for i in range(5)]


def test_an_undone_item_carries_over_to_every_later_meeting():
    item = carry.ItemTimes(origin_at=T[0], done_at=None, done_meeting_at=None)
    assert [carry.shows_on(item, t) for t in T] == [True] * 5
    assert carry.times_carried(item, T, T[4]) == 4


def test_an_item_done_in_a_meeting_stops_after_it():
    item = carry.ItemTimes(origin_at=T[0], done_at=T[2], done_meeting_at=T[2])
    assert [carry.shows_on(item, t) for t in T] == [True, True, True, False, False]


def test_an_item_done_between_meetings_shows_up_to_the_last_meeting_before():
    item = carry.ItemTimes(T[1], T[2] + timedelta(days=2), None)
    assert [carry.shows_on(item, t) for t in T] == [False, True, True, False, False]
