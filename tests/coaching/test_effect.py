"""Coaching before/after: average per-question outcome with counts; too few says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from portal.coaching.effect import Outcome, coaching_effect

SESSION = datetime(2026, 3, 10, tzinfo=UTC)


def o(eid, days, qid, earned, possible=1):
    return Outcome(eid, SESSION + timedelta(days=days), qid, earned, possible)


def test_before_and_after_averages_with_counts():
    outcomes = [
        o(1, -9, 7, 0),
        o(2, -5, 7, 1),
        o(3, -2, 7, 0),
        o(3, -2, 8, 1),  # q8 not addressed
        o(4, 1, 7, 1),
        o(5, 3, 7, 1),
        o(6, 6, 7, 0, 2),
        o(6, 6, 7, 2, 2),
    ]
    effect = coaching_effect(outcomes, [7], SESSION)
    assert effect.before.average == Fraction(1, 3) and effect.before.answers == 3
    assert effect.before.evaluations == 3
    assert effect.after.average == Fraction(3, 4) and effect.after.answers == 4
    assert effect.after.evaluations == 3
    assert effect.enough and effect.change == Fraction(3, 4) - Fraction(1, 3)


def test_too_few_evaluations_on_either_side_is_not_enough():
    outcomes = [o(1, -3, 7, 0), o(2, -2, 7, 0), o(3, -1, 7, 1), o(4, 2, 7, 1)]
    effect = coaching_effect(outcomes, [7], SESSION)
    assert not effect.enough and effect.change is None
    assert effect.after.evaluations == 1


def test_no_evaluations_at_all():
    effect = coaching_effect([], [7], SESSION)
    assert effect.before.average is None and effect.after.average is None
    assert not effect.enough


def test_not_applicable_answers_are_left_out():
    effect = coaching_effect([o(1, -1, 7, None, None), o(2, -1, 7, 0, 0)], [7], SESSION)
    assert effect.before.answers == 0


@given(st.lists(st.tuples(st.integers(-30, 30), st.integers(0, 3), st.integers(1, 3)), max_size=30))
def test_averages_are_shares_and_counts_add_up(rows):
    outcomes = [o(i, d, 7, min(e, p), p) for i, (d, e, p) in enumerate(rows)]
    effect = coaching_effect(outcomes, [7], SESSION)
    assert effect.before.answers + effect.after.answers == len(rows)
    for side in (effect.before, effect.after):
        assert side.average is None or 0 <= side.average <= 1
