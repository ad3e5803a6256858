"""Skill-gap maths on hand-built counts."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.training.skill_gaps import (
    MIN_ANSWERS_EACH_SIDE,
    Movement,
    QuestionCount,
    Verdict,
    failure_rate,
    skill_gaps,
)


def test_gaps_are_worst_first_with_counts_and_suggested_courses():
    counts = [
        QuestionCount(1, answered=10, failed=1),  # 10%: below the 20% threshold
        QuestionCount(2, answered=10, failed=5),  # 50%
        QuestionCount(3, answered=4, failed=3),  # 75%
        QuestionCount(4, answered=2, failed=2),  # too few answers
        QuestionCount(5, answered=5, failed=1),  # exactly 20%: included
    ]
    gaps = skill_gaps(counts, {2: [7, 7, 3], 3: [], 9: [1]})
    assert [(g.question_id, g.failed, g.answered) for g in gaps] == [
        (3, 3, 4),
        (2, 5, 10),
        (5, 1, 5),
    ]
    assert gaps[1].course_ids == (3, 7)
    assert gaps[0].course_ids == ()
    assert str(gaps[0].percent) == "75.0"


def test_min_answers_and_threshold_are_parameters():
    counts = [QuestionCount(4, answered=2, failed=1)]
    assert skill_gaps(counts, {}, min_answers=2, threshold=Fraction(1, 2))[0].rate == Fraction(1, 2)
    assert skill_gaps(counts, {}, min_answers=2, threshold=Fraction(3, 4)) == []


def test_ties_break_on_failures_then_question_id():
    counts = [QuestionCount(9, 4, 2), QuestionCount(8, 10, 5), QuestionCount(7, 10, 5)]
    assert [g.question_id for g in skill_gaps(counts, {})] == [7, 8, 9]


def test_failure_rate_refuses_impossible_counts():
    assert failure_rate(0, 0) is None
    with pytest.raises(ValueError):
        failure_rate(3, 2)


def test_movement_before_and_after():
    move = Movement(1, QuestionCount(1, 10, 5), QuestionCount(1, 8, 2))
    assert move.before_rate == Fraction(1, 2)
    assert move.after_rate == Fraction(1, 4)
    assert move.change == Fraction(-1, 4)
    assert Movement(1, QuestionCount(1, 10, 5), QuestionCount(1, 0, 0)).change is None


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=20))
def test_every_gap_meets_the_rules(pairs):
    counts = [QuestionCount(i, max(a, f), min(a, f)) for i, (a, f) in enumerate(pairs)]
    for gap in skill_gaps(counts, {}):
        assert gap.answered >= 3
        assert gap.rate >= Fraction(1, 5)
        assert gap.rate == Fraction(gap.failed, gap.answered)


def move(before, after):
    """(answered, failed) on each side."""
    return Movement(1, QuestionCount(1, *before), QuestionCount(1, *after))


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        ((10, 5), (8, 2), Verdict.IMPROVED),
        ((5, 3), (5, 1), Verdict.IMPROVED),  # exactly 5 on each side is enough
        ((5, 1), (5, 3), Verdict.WORSE),
        ((10, 2), (5, 1), Verdict.UNCHANGED),
        ((4, 3), (9, 0), Verdict.NOT_ENOUGH),  # 4 answers before
        ((9, 3), (4, 0), Verdict.NOT_ENOUGH),  # 4 answers since
        ((3, 2), (2, 0), Verdict.NOT_ENOUGH),  # what the record page used to call "improved"
        ((10, 5), (0, 0), Verdict.NOT_ENOUGH),
    ],
)
def test_the_verdict_needs_five_answers_on_each_side(before, after, verdict):
    assert MIN_ANSWERS_EACH_SIDE == 5
    assert move(before, after).verdict() is verdict


counts = st.integers(0, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@given(counts, counts)
def test_never_a_verdict_with_fewer_than_five_answers_on_a_side(before, after):
    verdict = move(before, after).verdict()
    if before[0] < 5 or after[0] < 5:
        assert verdict is Verdict.NOT_ENOUGH
    else:
        change = Fraction(after[1], after[0]) - Fraction(before[1], before[0])
        expected = (
            Verdict.IMPROVED if change < 0 else Verdict.WORSE if change > 0 else Verdict.UNCHANGED
        )
        assert verdict is expected
