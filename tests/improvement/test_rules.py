"""The pure rules of an improvement plan: its end date, when check-ins are due, the lifecycle,
what a form may hold, and expectations' progress and standing (cases computed by hand)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.errors import InvalidTransition
from portal.improvement import rules
from portal.improvement.models import PlanState

D = Decimal


@pytest.mark.parametrize(
    ("start", "length", "extensions", "end"),
    [
        (date(2026, 3, 1), 30, (), date(2026, 3, 31)),
        (date(2026, 3, 1), 60, (), date(2026, 4, 30)),
        (date(2026, 3, 1), 90, (), date(2026, 5, 30)),
        (date(2026, 3, 1), 30, (30,), date(2026, 4, 30)),
        (date(2026, 3, 1), 30, (30, 90), date(2026, 7, 29)),
        (date(2026, 12, 15), 30, (), date(2027, 1, 14)),  # across the year's end
        (date(2028, 2, 1), 30, (), date(2028, 3, 2)),  # a leap February
    ],
)
def test_the_end_date_is_the_start_plus_the_length_and_every_extension(
    start, length, extensions, end
):
    assert rules.end_date(start, length, extensions) == end


@pytest.mark.parametrize("length", [0, 7, 29, 31, 45, 120, -30])
def test_a_plan_runs_30_60_or_90_days_and_nothing_else(length):
    with pytest.raises(ValueError):
        rules.end_date(date(2026, 3, 1), length)
    with pytest.raises(ValueError):
        rules.end_date(date(2026, 3, 1), 30, [length])


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.sampled_from(rules.LENGTHS),
    st.lists(st.sampled_from(rules.LENGTHS), max_size=4),
)
def test_every_extension_moves_the_end_later_by_exactly_its_days(start, length, extensions):
    before = rules.end_date(start, length, extensions)
    for days in rules.LENGTHS:
        assert rules.end_date(start, length, [*extensions, days]) - before == timedelta(days)
    assert before > start


@pytest.mark.parametrize(
    ("start", "every", "last", "end", "due"),
    [
        (date(2026, 3, 2), 7, None, date(2026, 4, 1), date(2026, 3, 9)),  # a week after start
        (date(2026, 3, 2), 7, date(2026, 3, 10), date(2026, 4, 1), date(2026, 3, 17)),
        (date(2026, 3, 2), 14, date(2026, 3, 30), date(2026, 4, 1), date(2026, 4, 1)),  # capped
        (date(2026, 3, 2), 1, None, date(2026, 4, 1), date(2026, 3, 3)),
        # A check-in recorded before the start (moved start) counts from the start.
        (date(2026, 3, 2), 7, date(2026, 2, 20), date(2026, 4, 1), date(2026, 3, 9)),
    ],
)
def test_the_next_check_in_is_due_a_cadence_after_the_last_never_after_the_end(
    start, every, last, end, due
):
    assert rules.next_check_in_due(start, every, last, end) == due


@pytest.mark.parametrize("every", [0, 32, -7])
def test_check_ins_are_due_every_1_to_31_days(every):
    with pytest.raises(ValueError):
        rules.next_check_in_due(date(2026, 3, 2), every, None, date(2026, 4, 1))


def test_days_left_is_zero_on_the_last_day_and_negative_after():
    end = date(2026, 4, 1)
    assert rules.days_left(end, date(2026, 3, 30)) == 2
    assert rules.days_left(end, end) == 0
    assert rules.days_left(end, date(2026, 4, 3)) == -2


@pytest.mark.parametrize(
    ("state", "step", "after"),
    [
        ("draft", "start", PlanState.ACTIVE),
        ("active", "extend", PlanState.ACTIVE),
        ("active", "close", PlanState.CLOSED),
    ],
)
def test_the_lifecycle_moves_forward_only(state, step, after):
    assert rules.next_state(state, step) == after


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("draft", "close"),
        ("draft", "extend"),
        ("active", "start"),
        ("closed", "start"),
        ("closed", "extend"),
        ("closed", "close"),
        ("nonsense", "start"),
        ("draft", "nonsense"),
    ],
)
def test_impossible_steps_are_refused(state, step):
    with pytest.raises(InvalidTransition):
        rules.next_state(state, step)


def test_only_an_active_plan_not_yet_acknowledged_can_be_acknowledged():
    assert rules.can_acknowledge("active", False)
    assert not rules.can_acknowledge("active", True)
    assert not rules.can_acknowledge("draft", False)
    assert not rules.can_acknowledge("closed", False)


def test_a_plan_form_needs_a_reason_a_start_a_length_and_a_cadence():
    ok = dict(starts_on=date(2026, 3, 2), length_days=60, every_days=7, reason="Why")
    assert rules.plan_errors(**ok) == {}
    assert rules.plan_errors(**{**ok, "reason": "  "}) == {"reason": "required"}
    assert rules.plan_errors(**{**ok, "starts_on": None}) == {"starts_on": "required"}
    assert rules.plan_errors(**{**ok, "length_days": 45}) == {"length_days": "length"}
    assert rules.plan_errors(**{**ok, "length_days": None}) == {"length_days": "length"}
    assert rules.plan_errors(**{**ok, "every_days": 0}) == {"check_in_every_days": "cadence"}
    assert rules.plan_errors(**{**ok, "every_days": None}) == {"check_in_every_days": "cadence"}


def test_a_check_in_is_held_between_the_start_and_today():
    start, today = date(2026, 3, 2), date(2026, 3, 20)
    assert rules.check_in_date_error(start, start, today) is None
    assert rules.check_in_date_error(today, start, today) is None
    assert rules.check_in_date_error(date(2026, 3, 1), start, today) == "before_start"
    assert rules.check_in_date_error(date(2026, 3, 21), start, today) == "future"


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "latest", "percent", "met"),
    [
        ("higher", D(65), D(80), None, None, False),
        ("higher", D(65), D(80), D(65), D(0), False),
        ("higher", D(65), D(80), D(72.5), D(50), False),
        ("higher", D(65), D(80), D(80), D(100), True),
        ("higher", D(65), D(80), D(86), D(140), True),
        ("higher", D(65), D(80), D(62), D(-20), False),
        ("lower", D(24), D(12), D(18), D(50), False),
        ("lower", D(24), D(12), D(12), D(100), True),
        ("lower", D(24), D(12), D(30), D(-50), False),
        ("higher", D(90), D(90), D(90), D(100), True),  # keep the level
        ("higher", D(90), D(90), D(89), D(0), False),
    ],
)
def test_an_expectations_progress_runs_from_baseline_to_target_like_a_goals(
    direction, baseline, target, latest, percent, met
):
    shown = rules.expectation_figures(direction, baseline, target, latest)
    assert shown.progress.percent == percent
    assert shown.is_met is met


def test_the_standing_counts_met_measured_and_all_expectations():
    figures = [
        rules.expectation_figures("higher", D(0), D(10), D(10)),
        rules.expectation_figures("higher", D(0), D(10), D(5)),
        rules.expectation_figures("lower", D(10), D(5), None),
    ]
    assert rules.standing(figures) == rules.Standing(met=1, measured=2, total=3)
    assert rules.standing([]) == rules.Standing(0, 0, 0)


@pytest.mark.parametrize(
    ("current_on", "current", "held_on", "value", "expected"),
    [
        (None, None, date(2026, 3, 9), D(70), (date(2026, 3, 9), D(70))),
        (date(2026, 3, 9), D(70), date(2026, 3, 16), D(75), (date(2026, 3, 16), D(75))),
        # recorded late for an earlier day: the later value stays the latest
        (date(2026, 3, 16), D(75), date(2026, 3, 9), D(70), (date(2026, 3, 16), D(75))),
        # the same day again: the newer record wins
        (date(2026, 3, 16), D(75), date(2026, 3, 16), D(77), (date(2026, 3, 16), D(77))),
    ],
)
def test_the_latest_value_is_the_one_of_the_latest_day(
    current_on, current, held_on, value, expected
):
    assert rules.latest_after(current_on, current, held_on, value) == expected
