"""Points lost per question: hand-computed cases, and against every case in the shared
scoring file (without critical fails the score points lost add up to 100 − the score)."""

import json
from fractions import Fraction
from pathlib import Path

import pytest

from portal.qa.points_lost import QuestionLoss, points_lost
from portal.qa.scoring import (
    NA,
    CardSpec,
    CriticalScope,
    QuestionSpec,
    QuestionType,
    SectionSpec,
    card_from_dict,
    score,
)

CASES = json.loads((Path(__file__).parents[1] / "data" / "scoring.json").read_text("utf-8"))
CARDS = {card["id"]: card_from_dict(card) for card in CASES["cards"]}

YES = QuestionType.YES_NO
CARD = CardSpec(
    "c",
    (
        SectionSpec(
            "open",
            1,
            (
                QuestionSpec("greet", YES, points=2),
                QuestionSpec("name", YES, points=2, na_allowed=True),
            ),
        ),
        SectionSpec(
            "solve",
            3,
            (
                QuestionSpec("fix", QuestionType.SCALE, max=4),
                QuestionSpec("id", YES, points=1, critical=CriticalScope.SECTION),
            ),
        ),
    ),
)


def test_each_question_loses_its_missing_points_and_its_share_of_the_score():
    losses = points_lost(CARD, {"greet": "no", "name": "yes", "fix": 3, "id": "yes"})
    # open: 2 of 4 (weight 1 of 4); solve: 4 of 5 (weight 3 of 4)
    assert losses["greet"] == QuestionLoss(2, Fraction(100, 4) * Fraction(2, 4), False, False)
    assert losses["name"] == QuestionLoss(0, Fraction(0), False, False)
    assert losses["fix"] == QuestionLoss(1, Fraction(300, 4) * Fraction(1, 5), False, False)
    overall = score(CARD, {"greet": "no", "name": "yes", "fix": 3, "id": "yes"}).overall
    assert sum(loss.score_points for loss in losses.values()) == 100 - overall


def test_an_na_question_loses_nothing_and_shrinks_its_sections_points():
    losses = points_lost(CARD, {"greet": "no", "name": NA, "fix": 4, "id": "yes"})
    assert losses["name"] == QuestionLoss(0, Fraction(0), True, False)
    assert losses["greet"].score_points == Fraction(25)  # all of open's quarter of the score


def test_a_critical_fail_is_marked_and_its_section_has_no_share():
    losses = points_lost(CARD, {"greet": "yes", "name": "yes", "fix": 2, "id": "no"})
    assert losses["id"] == QuestionLoss(1, None, False, True)
    assert losses["fix"].score_points is None and losses["fix"].points == 2
    assert losses["greet"].score_points == Fraction(0)


def test_unanswered_questions_are_left_out():
    assert set(points_lost(CARD, {"greet": "yes"})) == {"greet"}


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_the_score_points_lost_add_up_to_what_the_score_misses(case):
    card = CARDS[case["card"]]
    result = score(card, case["answers"])
    losses = points_lost(card, case["answers"])
    assert set(losses) == set(case["answers"])
    assert all(loss.points >= 0 for loss in losses.values())
    if result.critical_failures:
        failed = set(result.critical_failures)
        assert {qid for qid, loss in losses.items() if loss.critical_failed} == failed
    elif result.overall is not None:
        assert sum(loss.score_points for loss in losses.values()) == 100 - result.overall
