"""Assessment scoring, pass mark, shuffling, time limit and attempts: pure rules."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.training.scoring import (
    GRACE,
    QuestionKey,
    attempts_left,
    deadline,
    is_late,
    score_attempt,
    shuffled_layout,
)

KEY = [
    QuestionKey(1, frozenset({10}), (10, 11)),  # single answer
    QuestionKey(2, frozenset({20, 21}), (20, 21, 22)),  # multiple answers
    QuestionKey(3, frozenset({30}), (30, 31, 32)),
    QuestionKey(4, frozenset({40}), (40, 41)),
]


def fs(*ids):
    return frozenset(ids)


@pytest.mark.parametrize(
    ("answers", "correct"),
    [
        ({1: fs(10), 2: fs(20, 21), 3: fs(30), 4: fs(40)}, 4),
        ({}, 0),
        ({2: fs(20)}, 0),  # a multiple-answer question needs every correct choice
        ({2: fs(20, 21, 22)}, 0),  # ... and no wrong one
        ({1: fs(10, 11)}, 0),  # picking both on a single-answer question is wrong
        ({1: fs(10), 2: fs(21, 20)}, 2),
        ({1: fs(30)}, 0),  # a choice from another question does not count
        ({3: fs(30, 10)}, 1),  # foreign choices are ignored, not counted as wrong
    ],
)
def test_score_counts_questions_answered_exactly(answers, correct):
    result = score_attempt(KEY, answers, pass_mark=75)
    assert result.correct == correct
    assert result.total == 4
    assert result.fraction == Fraction(correct, 4)


@pytest.mark.parametrize(
    ("correct", "pass_mark", "passed"),
    [(3, 75, True), (2, 75, False), (4, 100, True), (3, 100, False), (0, 0, True), (2, 50, True)],
)
def test_pass_mark_is_inclusive(correct, pass_mark, passed):
    answers = {q.question_id: q.correct for q in KEY[:correct]}
    assert score_attempt(KEY, answers, pass_mark).is_passed is passed


def test_percent_is_exact_to_four_places():
    key = KEY[:3]
    assert score_attempt(key, {1: fs(10)}, 50).percent == Decimal("33.3333")


def test_an_assessment_without_questions_cannot_be_scored():
    with pytest.raises(ValueError):
        score_attempt([], {}, 50)


def test_shuffle_keeps_every_question_and_choice():
    questions = [(1, [10, 11]), (2, [20, 21, 22]), (3, [30, 31])]
    layout = shuffled_layout(questions, random.Random(4))
    assert sorted(q for q, _ in layout) == [1, 2, 3]
    assert {q: sorted(c) for q, c in layout} == {q: sorted(c) for q, c in questions}


def test_shuffle_changes_the_order_for_some_seed():
    questions = [(i, [i * 10, i * 10 + 1]) for i in range(6)]
    orders = {tuple(q for q, _ in shuffled_layout(questions, random.Random(s))) for s in range(10)}
    assert len(orders) > 1


START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_time_limit_edges():
    end = deadline(START, 10)
    assert end == START + timedelta(minutes=10)
    assert not is_late(end, end)
    assert not is_late(end + GRACE, end)
    assert is_late(end + GRACE + timedelta(microseconds=1), end)
    assert deadline(START, None) is None
    assert not is_late(START + timedelta(days=9), None)


@pytest.mark.parametrize(
    ("allowed", "used", "left"), [(None, 7, None), (3, 0, 3), (3, 2, 1), (3, 3, 0), (3, 5, 0)]
)
def test_attempts_left(allowed, used, left):
    assert attempts_left(allowed, used) == left


@given(st.lists(st.booleans(), min_size=1, max_size=12), st.integers(0, 100))
def test_score_matches_the_count_of_correct_questions(rights, pass_mark):
    key = [QuestionKey(i, fs(i * 10), (i * 10, i * 10 + 1)) for i in range(len(rights))]
    answers = {i: fs(i * 10 if right else i * 10 + 1) for i, right in enumerate(rights)}
    result = score_attempt(key, answers, pass_mark)
    assert result.correct == sum(rights)
    assert result.is_passed == (Fraction(sum(rights) * 100, len(rights)) >= pass_mark)
