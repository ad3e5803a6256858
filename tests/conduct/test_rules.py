"""The corrective action's pure rules: the lifecycle, expiry maths, standing, follow-up dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.conduct import rules
from portal.conduct.rules import Standing, State
from portal.errors import InvalidTransition


@pytest.mark.parametrize(
    ("state", "step", "target"),
    [
        ("draft", "issue", State.ISSUED),
        ("issued", "acknowledge", State.ACKNOWLEDGED),
        ("issued", "close", State.CLOSED),
        ("acknowledged", "close", State.CLOSED),
    ],
)
def test_the_steps_the_lifecycle_allows(state, step, target):
    assert rules.next_state(state, step) == target
    assert rules.allows(state, step)


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("draft", "acknowledge"),
        ("draft", "close"),
        ("issued", "issue"),
        ("acknowledged", "acknowledge"),
        ("closed", "close"),
        ("closed", "acknowledge"),
        ("nonsense", "issue"),
        ("draft", "nonsense"),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused(state, step):
    assert not rules.allows(state, step)
    with pytest.raises(InvalidTransition):
        rules.next_state(state, step)


@pytest.mark.parametrize(
    ("state", "open_follow_ups", "ok"),
    [
        ("issued", 0, True),
        ("acknowledged", 0, True),
        ("acknowledged", 1, False),
        ("draft", 0, False),
        ("closed", 0, False),
    ],
)
def test_closing_needs_every_follow_up_done(state, open_follow_ups, ok):
    assert rules.may_close(state, open_follow_ups) is ok


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 3, 31), 24, date(2028, 3, 31)),
        (date(2026, 5, 31), 13, date(2027, 6, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert rules.add_months(day, months) == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=120),
)
def test_add_months_lands_in_the_right_month_never_later_than_the_day(day, months):
    later = rules.add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day
    assert later >= day


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=400),
)
def test_standing_is_active_until_expiry_and_expired_from_it(issued, months, days_later):
    expires = rules.expires_on(issued, months)
    today = issued + timedelta(days=days_later)
    expected = Standing.EXPIRED if today >= expires else Standing.ACTIVE
    for state in ("issued", "acknowledged", "closed"):
        assert rules.standing(state, expires, today) == expected


def test_a_draft_never_counts():
    assert rules.standing("draft", None, date(2026, 1, 1)) == Standing.DRAFT
    assert rules.standing("issued", None, date(2026, 1, 1)) == Standing.DRAFT


def test_the_last_day_before_expiry_still_counts():
    expires = rules.expires_on(date(2026, 1, 10), 12)
    assert rules.standing("issued", expires, date(2027, 1, 9)) == Standing.ACTIVE
    assert rules.standing("issued", expires, date(2027, 1, 10)) == Standing.EXPIRED


@pytest.mark.parametrize(
    ("kind", "default", "by_kind", "months"),
    [
        ("written_warning", 12, {}, 12),
        ("written_warning", 12, {"written_warning": 18}, 18),
        ("verbal_warning", 12, {"written_warning": 18}, 12),
        ("final_warning", 9, None, 9),
        ("final_warning", 0, None, 1),  # never "expired at once"
    ],
)
def test_expiry_months_by_kind_or_the_default(kind, default, by_kind, months):
    assert rules.expiry_months(kind, default, by_kind) == months


HELD = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("dates", "problem"),
    [
        ([date(2026, 3, 16)], None),
        ([date(2026, 3, 16), None, date(2026, 4, 16)], None),
        ([None, None, None], "missing"),
        ([], "missing"),
        ([date(2026, 3, 16)] * 2, "repeated"),
        ([date(2026, 3, 2)], "before"),
        ([date(2026, 3, 1)], "before"),
        ([date(2028, 3, 3)], "too_far"),
        ([date(2028, 3, 2)], None),
        ([date(2026, 4, d) for d in (1, 2, 3, 4)], "too_many"),
    ],
)
def test_follow_up_dates(dates, problem):
    found = rules.check_follow_ups(dates, HELD)
    assert (found.code if found else None) == problem


def test_follow_ups_without_a_conversation_date_are_only_checked_for_count_and_repeats():
    assert rules.check_follow_ups([date(2000, 1, 1)], None) is None


def test_due_follow_ups_are_those_due_by_today_and_not_done():
    today = date(2026, 3, 10)
    rows = [
        (1, date(2026, 3, 9), False),
        (2, date(2026, 3, 10), False),
        (3, date(2026, 3, 11), False),
        (4, date(2026, 3, 1), True),
    ]
    assert rules.due_follow_ups(rows, today) == [1, 2]
