"""Score arithmetic: every case in tests/data/scoring.json, plus hand-computed cases per rule."""

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from portal.qa.scoring import (
    NA,
    AnswerProblem,
    CardSpec,
    CriticalScope,
    InvalidAnswer,
    InvalidCard,
    QuestionSpec,
    QuestionType,
    SectionDetail,
    SectionSpec,
    card_from_dict,
    format_percent,
    score,
    validate_card,
)

CASES = json.loads((Path(__file__).parents[1] / "data" / "scoring.json").read_text("utf-8"))
CARDS = {card["id"]: card_from_dict(card) for card in CASES["cards"]}


def frac(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


# --- the shared case file -------------------------------------------------------------------


def test_the_case_file_has_cases_and_refusals():
    assert len(CASES["cases"]) >= 14
    assert len(CASES["errors"]) >= 2


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_case_file_scores_exactly(case):
    expected = case["expected"]
    result = score(CARDS[case["card"]], case["answers"])

    assert result.overall == frac(expected["overall"])
    # The file lists only scored sections; the API also reports each dropped one as None.
    expected_sections = {sid: Fraction(value) for sid, value in expected["sections"].items()}
    expected_sections |= {sid: None for sid in expected["dropped"]}
    assert result.sections == expected_sections
    assert result.dropped == frozenset(expected["dropped"])
    assert result.critical_failures == tuple(expected["critical_failures"])


@pytest.mark.parametrize("case", CASES["errors"], ids=[c["name"] for c in CASES["errors"]])
def test_case_file_refusals_raise_invalid_answer(case):
    with pytest.raises(InvalidAnswer) as refused:
        score(CARDS[case["card"]], case["answers"])
    if "error" in case:
        assert refused.value.reason == case["error"]


# --- hand-built cards -----------------------------------------------------------------------


def yes_no(qid, points=1, **kwargs) -> QuestionSpec:
    return QuestionSpec(qid, QuestionType.YES_NO, points=points, **kwargs)


def scale(qid, top=4, **kwargs) -> QuestionSpec:
    return QuestionSpec(qid, QuestionType.SCALE, max=top, **kwargs)


def choice(qid, choices, **kwargs) -> QuestionSpec:
    return QuestionSpec(qid, QuestionType.CHOICE, choices=choices, **kwargs)


def section(sid, weight, *questions) -> SectionSpec:
    return SectionSpec(sid, weight, tuple(questions))


def card(*sections) -> CardSpec:
    return CardSpec("hand", tuple(sections))


# Section "a" (weight 3): yes/no worth 5 (N/A allowed), scale 0..4.
# Section "b" (weight 1): scale 0..100 (N/A allowed).
SHARES = card(
    section("a", 3, yes_no("a1", 5, na_allowed=True), scale("a2", 4)),
    section("b", 1, scale("b1", 100, na_allowed=True)),
)


@pytest.mark.parametrize(
    ("answers", "sections", "overall"),
    [
        # 5 + 4 of 9, and 100 of 100: 3 x 100 + 1 x 100 over 4.
        ({"a1": "yes", "a2": 4, "b1": 100}, {"a": 100, "b": 100}, 100),
        # N/A is left out: 2 of 4 (not 2 of 9) = 50; (3 x 50 + 100) / 4 = 250/4.
        ({"a1": NA, "a2": 2, "b1": 100}, {"a": 50, "b": 100}, Fraction(250, 4)),
        # Weights are shares: a at 0 weighs 3, b at 100 weighs 1 -> 25, although b has
        # 100 points possible and a only 9 (as points it would be 100/109).
        ({"a1": "no", "a2": 0, "b1": 100}, {"a": 0, "b": 100}, 25),
        ({"a1": "yes", "a2": 4, "b1": 0}, {"a": 100, "b": 0}, 75),
        # 6 of 9 = 200/3; (3 x 200/3 + 1 x 50) / 4 = 250/4.
        ({"a1": "yes", "a2": 1, "b1": 50}, {"a": Fraction(200, 3), "b": 50}, Fraction(250, 4)),
        # An all-N/A section drops out: a alone decides.
        ({"a1": "yes", "a2": 1, "b1": NA}, {"a": Fraction(200, 3), "b": None}, Fraction(200, 3)),
    ],
)
def test_hand_computed_section_and_overall_scores(answers, sections, overall):
    result = score(SHARES, answers)
    assert result.sections == {
        sid: None if v is None else Fraction(v) for sid, v in sections.items()
    }
    assert result.overall == Fraction(overall)


def test_a_dropped_section_is_listed_and_left_out_of_the_weights():
    result = score(SHARES, {"a1": "no", "a2": 4, "b1": NA})
    assert result.dropped == frozenset({"b"})
    assert result.sections["b"] is None
    assert result.overall == Fraction(400, 9)  # 4 of 9 in a alone; b's weight does not count
    assert result.section_details["b"] == SectionDetail(Fraction(0), Fraction(0), ("b1",), False)


def test_marking_a_full_marks_question_na_can_lower_the_section_score():
    answered = score(SHARES, {"a1": "yes", "a2": 1, "b1": 100})
    marked_na = score(SHARES, {"a1": NA, "a2": 1, "b1": 100})
    # 5 + 1 of 9 = 66.7%, but with the full-marks yes/no set aside only 1 of 4 = 25% remains.
    assert answered.sections["a"] == Fraction(200, 3)
    assert marked_na.sections["a"] == Fraction(25)
    assert marked_na.sections["a"] < answered.sections["a"]
    assert marked_na.section_details["a"] == SectionDetail(Fraction(1), Fraction(4), ("a1",), False)


def test_section_details_show_points_earned_possible_and_what_was_na():
    result = score(SHARES, {"a1": NA, "a2": 3, "b1": 40})
    assert result.section_details == {
        "a": SectionDetail(Fraction(3), Fraction(4), ("a1",), False),
        "b": SectionDetail(Fraction(40), Fraction(100), (), False),
    }


# Section "s" (weight 1): critical yes/no (section scope, N/A allowed), a scale 0..4 that is
# critical for the section, a non-critical choice with a failing choice.
# Section "t" (weight 1): critical yes/no for the whole evaluation, and a yes/no worth 3.
CRITICAL = card(
    section(
        "s",
        1,
        yes_no("s1", 2, na_allowed=True, critical=CriticalScope.SECTION),
        scale("s2", 4, critical=CriticalScope.SECTION),
        choice("s3", {"good": 4, "bad": 0}, failing_choices=frozenset({"bad"})),
    ),
    section(
        "t",
        1,
        yes_no("t1", 1, critical=CriticalScope.EVALUATION),
        yes_no("t2", 3),
    ),
)
ALL_RIGHT = {"s1": "yes", "s2": 4, "s3": "good", "t1": "yes", "t2": "yes"}


@pytest.mark.parametrize(
    ("changes", "sections", "overall", "failures"),
    [
        ({}, {"s": 100, "t": 100}, 100, ()),
        # Section scope: s drops to 0 although 8 of 10 points were earned; t unaffected.
        ({"s1": "no"}, {"s": 0, "t": 100}, 50, ("s1",)),
        # A scale fails below its maximum: 3 of 4 is a critical fail.
        ({"s2": 3}, {"s": 0, "t": 100}, 50, ("s2",)),
        # A failing choice on a non-critical question only costs its points: 6 of 10.
        ({"s3": "bad"}, {"s": 60, "t": 100}, 80, ()),
        # A critical question answered N/A has not failed: 8 of 8.
        ({"s1": NA}, {"s": 100, "t": 100}, 100, ()),
        # Evaluation scope: overall 0; t keeps its own score (3 of 4) and s is untouched.
        ({"t1": "no"}, {"s": 100, "t": 75}, 0, ("t1",)),
        # Both scopes together, listed in card order.
        ({"t1": "no", "s1": "no"}, {"s": 0, "t": 75}, 0, ("s1", "t1")),
    ],
)
def test_critical_failures_by_scope(changes, sections, overall, failures):
    result = score(CRITICAL, ALL_RIGHT | changes)
    assert result.sections == {sid: Fraction(v) for sid, v in sections.items()}
    assert result.overall == Fraction(overall)
    assert result.critical_failures == failures


def test_only_a_section_scope_failure_marks_the_section_detail_as_critically_failed():
    result = score(CRITICAL, ALL_RIGHT | {"s1": "no", "t1": "no"})
    assert result.section_details["s"].critical_failed is True
    assert result.section_details["t"].critical_failed is False
    # The panel still gets the points: 8 of 10 earned before the critical fail zeroed s.
    assert (result.section_details["s"].earned, result.section_details["s"].possible) == (8, 10)


def test_overall_is_none_when_every_question_is_na():
    all_na = card(section("x", 2, yes_no("x1", na_allowed=True), scale("x2", 3, na_allowed=True)))
    result = score(all_na, {"x1": NA, "x2": NA})
    assert result.overall is None
    assert result.sections == {"x": None}
    assert result.dropped == frozenset({"x"})


def test_integer_ids_and_decimal_weights_work_as_the_database_will_supply_them():
    db_card = CardSpec(
        7,
        (
            section(10, Decimal("1.5"), yes_no(100, 2)),
            section(11, Decimal("0.5"), scale(101, 2)),
        ),
    )
    result = score(db_card, {100: "yes", 101: 1})
    assert result.sections == {10: Fraction(100), 11: Fraction(50)}
    assert result.overall == Fraction(175, 2)  # (1.5 x 100 + 0.5 x 50) / 2


# --- rounding happens once, for display -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(200, 3), 1, "66.7"),
        (Fraction(280, 3), 1, "93.3"),
        (Fraction(1650, 19), 1, "86.8"),
        (Fraction(12300, 133), 2, "92.48"),
        (Fraction(1, 4), 1, "0.3"),  # half up, not half to even
        (Fraction(5, 8), 2, "0.63"),
        (Fraction(5, 2), 0, "3"),
        (Decimal("66.65"), 1, "66.7"),
        (Fraction(0), 1, "0.0"),
        (100, 1, "100.0"),
        (100, 0, "100"),
    ],
)
def test_format_percent_rounds_half_up_for_display(value, places, shown):
    assert format_percent(value, places) == shown


def test_scores_stay_exact_until_formatted():
    answers = dict(CASES["cases"][1]["answers"])
    result = score(CARDS["phone-v1"], answers)
    assert result.overall == Fraction(280, 3)  # not 93.3, not a float
    assert isinstance(result.overall, Fraction)
    assert format_percent(result.overall) == "93.3"


def test_format_percent_refuses_negative_places():
    with pytest.raises(ValueError):
        format_percent(Fraction(1, 3), -1)


# --- refused answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "question_id", "reason"),
    [
        ({"t2": NA}, "t2", AnswerProblem.NA_NOT_ALLOWED),
        ({"s2": 5}, "s2", AnswerProblem.OUT_OF_RANGE),
        ({"s2": -1}, "s2", AnswerProblem.OUT_OF_RANGE),
        ({"s2": "4"}, "s2", AnswerProblem.WRONG_TYPE),
        ({"s2": True}, "s2", AnswerProblem.WRONG_TYPE),
        ({"s3": "great"}, "s3", AnswerProblem.UNKNOWN_CHOICE),
        ({"s3": 4}, "s3", AnswerProblem.WRONG_TYPE),
        ({"t1": "maybe"}, "t1", AnswerProblem.UNKNOWN_CHOICE),
        ({"t1": True}, "t1", AnswerProblem.WRONG_TYPE),
        ({"zz": "yes"}, "zz", AnswerProblem.UNKNOWN_QUESTION),
    ],
)
def test_invalid_answers_are_refused_with_the_question_and_reason(changes, question_id, reason):
    with pytest.raises(InvalidAnswer) as refused:
        score(CRITICAL, ALL_RIGHT | changes)
    assert refused.value.question_id == question_id
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError)


def test_an_unanswered_question_is_refused_rather_than_prefilled():
    answers = {k: v for k, v in ALL_RIGHT.items() if k != "s2"}
    with pytest.raises(InvalidAnswer) as refused:
        score(CRITICAL, answers)
    assert (refused.value.question_id, refused.value.reason) == ("s2", "missing_answer")


# --- refused scorecards ---------------------------------------------------------------------

GOOD_SECTION = section("ok", 1, yes_no("ok1"))


@pytest.mark.parametrize(
    ("bad_card", "message"),
    [
        (card(), "at least one section"),
        (card(section("s", 0, yes_no("q"))), "weight must be above 0"),
        (card(section("s", -2, yes_no("q"))), "weight must be above 0"),
        (card(section("s", True, yes_no("q"))), "whole or decimal number"),
        (card(section("s", 0.5, yes_no("q"))), "whole or decimal number"),
        (card(section("s", Decimal("NaN"), yes_no("q"))), "finite"),
        (card(section("s", 1)), "at least one question"),
        (card(GOOD_SECTION, section("ok", 1, yes_no("q"))), "section id 'ok' is used more"),
        (card(GOOD_SECTION, section("s", 1, yes_no("ok1"))), "question id 'ok1' is used more"),
        (card(section("s", 1, scale("q", 0))), "a maximum of 1 or more"),
        (card(section("s", 1, yes_no("q", 0))), "points of 1 or more"),
        (card(section("s", 1, choice("q", {}))), "at least one choice"),
        (card(section("s", 1, choice("q", {"a": 0}))), "at least one choice must be worth"),
        (card(section("s", 1, choice("q", {"a": -1, "b": 2}))), "points of 0 or more"),
        (card(section("s", 1, choice("q", {NA: 1}))), "other than 'na'"),
        (
            card(section("s", 1, choice("q", {"a": 1}, failing_choices=frozenset({"b"})))),
            "failing choices ['b'] are not among the choices",
        ),
        (card(section("s", 1, scale("q", 3, points=2))), "points apply only to yes/no"),
        (card(section("s", 1, yes_no("q", critical="global"))), "unknown critical scope"),
    ],
)
def test_validate_card_refuses_unscorable_cards_with_a_clear_message(bad_card, message):
    with pytest.raises(InvalidCard) as refused:
        validate_card(bad_card)
    assert any(message in problem for problem in refused.value.problems)


def test_validate_card_reports_every_problem_at_once():
    bad = card(section("s", 0, scale("q", 0)), section("s", 1, yes_no("q")))
    with pytest.raises(InvalidCard) as refused:
        validate_card(bad)
    assert len(refused.value.problems) == 4  # weight, duplicate section, duplicate question, max


def test_scoring_an_invalid_card_is_refused():
    with pytest.raises(InvalidCard):
        score(card(section("s", 0, yes_no("q"))), {"q": "yes"})


def test_validate_card_accepts_the_case_file_cards():
    for spec in CARDS.values():
        validate_card(spec)
    assert CARDS["phone-v1"].sections[1].questions[1].failing_choices == frozenset({"none"})


@pytest.mark.parametrize(
    "data",
    [
        {"id": "x"},
        {"id": "x", "sections": [{"id": "s", "questions": []}]},
        {"id": "x", "sections": [{"id": "s", "weight": 1, "questions": [{"id": "q"}]}]},
        {
            "id": "x",
            "sections": [{"id": "s", "weight": 1, "questions": [{"id": "q", "type": "essay"}]}],
        },
    ],
)
def test_card_from_dict_refuses_malformed_data(data):
    with pytest.raises(InvalidCard):
        card_from_dict(data)


def test_card_from_dict_reads_fractional_weights_exactly():
    data = {"id": "x", "sections": [{"id": "s", "weight": 0.1, "questions": []}]}
    data["sections"][0]["questions"] = [{"id": "q", "type": "yes_no", "points": 1}]
    assert card_from_dict(data).sections[0].weight == Decimal("0.1")
