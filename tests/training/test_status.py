"""Where a person stands on an assigned course, at the edges of the due date."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.training.status import Status, count_statuses, earliest_due, standing

DUE = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("today", "completed_on", "has_assessment", "is_passed", "expected"),
    [
        (DUE, None, False, False, Status.DUE),  # due today: not yet overdue
        (DUE + timedelta(days=1), None, False, False, Status.OVERDUE),
        (DUE - timedelta(days=5), None, False, False, Status.DUE),
        (DUE + timedelta(days=9), DUE + timedelta(days=3), False, False, Status.COMPLETED),
        # A must-pass assessment not passed never completes, even with a completion.
        (DUE + timedelta(days=1), DUE, True, False, Status.OVERDUE),
        (DUE, DUE, True, False, Status.DUE),
        (DUE + timedelta(days=1), DUE, True, True, Status.COMPLETED),
    ],
)
def test_standing_table(today, completed_on, has_assessment, is_passed, expected):
    result = standing(
        due_on=DUE,
        today=today,
        completed_on=completed_on,
        has_assessment=has_assessment,
        is_passed=is_passed,
    )
    assert result.status == expected


def test_attempts_used_up_without_a_pass_is_blocked_and_still_counts_as_overdue():
    result = standing(
        due_on=DUE,
        today=DUE + timedelta(days=1),
        completed_on=None,
        has_assessment=True,
        is_passed=False,
        attempts_allowed=2,
        attempts_used=2,
    )
    assert result.status == Status.OVERDUE and result.is_blocked
    one_left = standing(
        due_on=DUE,
        today=DUE,
        completed_on=None,
        has_assessment=True,
        is_passed=False,
        attempts_allowed=2,
        attempts_used=1,
    )
    assert not one_left.is_blocked


def test_unlimited_attempts_never_block():
    result = standing(
        due_on=DUE, today=DUE, completed_on=None, has_assessment=True, is_passed=False,
        attempts_allowed=None, attempts_used=50,
    )  # fmt: skip
    assert not result.is_blocked


def test_earliest_due_wins():
    assert earliest_due([date(2026, 12, 1), DUE, date(2027, 1, 1)]) == DUE


@given(st.lists(st.sampled_from(list(Status))))
def test_counts_add_up(statuses):
    counts = count_statuses(statuses)
    assert counts.total == len(statuses)
    assert counts.overdue == statuses.count(Status.OVERDUE)


@given(st.integers(-400, 400), st.booleans(), st.booleans())
def test_without_a_completion_the_status_is_due_or_overdue_by_the_date(offset, assessed, passed):
    today = DUE + timedelta(days=offset)
    result = standing(
        due_on=DUE, today=today, completed_on=None, has_assessment=assessed, is_passed=passed
    )
    assert result.status == (Status.OVERDUE if offset > 0 else Status.DUE)
