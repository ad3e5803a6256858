"""Score arithmetic for QA evaluations (DESIGN.md, "QA: scoring contacts").

Section score = points earned / points possible over the questions not answered N/A; a section
whose questions are all N/A drops out; overall = sum(weight x section score) / sum(weights of the
sections that did not drop out). A failed critical question sets its section, or the whole
evaluation, to 0. Results are exact Fractions (percentages 0-100); rounding happens only in
`format_percent`, for display. Pure: no database, no Flask, no clock.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from portal.qa.card_spec import (
    NA,
    CardSpec,
    CriticalScope,
    InvalidCard,
    QuestionSpec,
    QuestionType,
    SectionSpec,
    card_from_dict,
    validate_card,
)

__all__ = [
    "NA",
    "AnswerProblem",
    "AnswerValue",
    "CardSpec",
    "CriticalScope",
    "InvalidAnswer",
    "InvalidCard",
    "QuestionSpec",
    "QuestionType",
    "ScoreResult",
    "SectionDetail",
    "SectionSpec",
    "card_from_dict",
    "format_percent",
    "format_score",
    "outcome",
    "provisional",
    "score",
    "validate_card",
]

# "yes"/"no" for yes/no, an int for a scale, a choice's key for a choice, or NA.
AnswerValue = str | int

_HUNDRED = Fraction(100)
_YES, _NO = "yes", "no"


class AnswerProblem(StrEnum):
    """Why an answer was refused; the values are the codes used in tests/data/scoring.json."""

    MISSING = "missing_answer"
    UNKNOWN_QUESTION = "unknown_question"
    NA_NOT_ALLOWED = "na_not_allowed"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CHOICE = "unknown_choice"
    WRONG_TYPE = "wrong_type"


class InvalidAnswer(ValueError):
    """An answer that cannot be scored, naming the question and why."""

    def __init__(self, question_id: Hashable, reason: AnswerProblem) -> None:
        super().__init__(f"question {question_id!r}: {reason.value}")
        self.question_id = question_id
        self.reason = reason


@dataclass(frozen=True)
class SectionDetail:
    """How a section's score came about: points (not percentages) over the answered questions.

    `critical_failed` is true when a failed section-scope critical question set the section to 0;
    an evaluation-scope failure leaves the section's own score as computed and zeroes the overall.
    """

    earned: Fraction
    possible: Fraction
    na_questions: tuple[Hashable, ...]
    critical_failed: bool


@dataclass(frozen=True)
class ScoreResult:
    """Percentages 0-100 as exact Fractions; a dropped section scores None."""

    overall: Fraction | None  # None when every section dropped out
    sections: dict[Hashable, Fraction | None]
    dropped: frozenset[Hashable]
    critical_failures: tuple[Hashable, ...]  # question ids, in card order
    section_details: dict[Hashable, SectionDetail]


def score(card: CardSpec, answers: Mapping[Hashable, AnswerValue]) -> ScoreResult:
    """Score one evaluation. Raises InvalidCard or InvalidAnswer; every question needs an answer."""
    validate_card(card)
    known = {q.id for q in card.questions()}
    for question_id in answers:
        if question_id not in known:
            raise InvalidAnswer(question_id, AnswerProblem.UNKNOWN_QUESTION)

    sections: dict[Hashable, Fraction | None] = {}
    details: dict[Hashable, SectionDetail] = {}
    failures: list[Hashable] = []
    evaluation_failed = False
    weighted_sum = total_weight = Fraction(0)
    for section in card.sections:
        detail, failed = _score_section(section, answers)
        details[section.id] = detail
        failures += [q.id for q in failed]
        evaluation_failed |= any(q.critical == CriticalScope.EVALUATION for q in failed)
        if len(detail.na_questions) == len(section.questions):
            sections[section.id] = None
            continue
        section_score = Fraction(0) if detail.critical_failed else _percent(detail)
        sections[section.id] = section_score
        weight = Fraction(section.weight)
        weighted_sum += weight * section_score
        total_weight += weight

    overall: Fraction | None = None
    if total_weight:
        overall = Fraction(0) if evaluation_failed else weighted_sum / total_weight
    return ScoreResult(
        overall=overall,
        sections=sections,
        dropped=frozenset(sid for sid, value in sections.items() if value is None),
        critical_failures=tuple(failures),
        section_details=details,
    )


def _score_section(
    section: SectionSpec, answers: Mapping[Hashable, AnswerValue]
) -> tuple[SectionDetail, list[QuestionSpec]]:
    """The section's points and N/A questions, and its failed critical questions."""
    earned = possible = 0
    na_questions: list[Hashable] = []
    failed: list[QuestionSpec] = []
    for question in section.questions:
        if question.id not in answers:
            raise InvalidAnswer(question.id, AnswerProblem.MISSING)
        value = answers[question.id]
        if value == NA:
            if not question.na_allowed:
                raise InvalidAnswer(question.id, AnswerProblem.NA_NOT_ALLOWED)
            na_questions.append(question.id)
            continue
        points, fails = _mark(question, value)
        earned += points
        possible += question.possible
        if fails and question.critical is not None:
            failed.append(question)
    section_failed = any(q.critical == CriticalScope.SECTION for q in failed)
    detail = SectionDetail(
        Fraction(earned), Fraction(possible), tuple(na_questions), section_failed
    )
    return detail, failed


def _mark(question: QuestionSpec, value: AnswerValue) -> tuple[int, bool]:
    """The points an answer earns and whether it counts as a failure of the question."""
    if question.type == QuestionType.YES_NO:
        if not isinstance(value, str):
            raise InvalidAnswer(question.id, AnswerProblem.WRONG_TYPE)
        if value not in (_YES, _NO):
            raise InvalidAnswer(question.id, AnswerProblem.UNKNOWN_CHOICE)
        return (question.possible, False) if value == _YES else (0, True)
    if question.type == QuestionType.SCALE:
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidAnswer(question.id, AnswerProblem.WRONG_TYPE)
        if not 0 <= value <= question.possible:
            raise InvalidAnswer(question.id, AnswerProblem.OUT_OF_RANGE)
        return value, value < question.possible
    if not isinstance(value, str):
        raise InvalidAnswer(question.id, AnswerProblem.WRONG_TYPE)
    if value not in question.choices:
        raise InvalidAnswer(question.id, AnswerProblem.UNKNOWN_CHOICE)
    return question.choices[value], value in question.failing_choices


def outcome(question: QuestionSpec, value: AnswerValue) -> tuple[int | None, int | None, bool]:
    """One answer's (earned, possible, failed); N/A gives (None, None, False). Raises
    InvalidAnswer like `score`. Kept per answer for per-question roll-ups."""
    if value == NA:
        if not question.na_allowed:
            raise InvalidAnswer(question.id, AnswerProblem.NA_NOT_ALLOWED)
        return None, None, False
    earned, failed = _mark(question, value)
    return earned, question.possible, failed


@dataclass(frozen=True)
class Provisional:
    """The score so far while an evaluation is being answered: `result` scores the answered
    questions only (a section with none answered yet counts as dropped out), `unanswered`
    lists the rest in card order. `result` is None until anything is answered."""

    result: ScoreResult | None
    unanswered: tuple[Hashable, ...]

    @property
    def complete(self) -> bool:
        return not self.unanswered


def provisional(card: CardSpec, answers: Mapping[Hashable, AnswerValue]) -> Provisional:
    """Score what has been answered so far (the live score of the evaluation form).

    With every question answered this is exactly `score(card, answers)`. Unanswered questions
    are left out, as if not on the card; sections with nothing answered are reported dropped.
    """
    validate_card(card)
    unanswered = tuple(q.id for q in card.questions() if q.id not in answers)
    if not unanswered:
        return Provisional(score(card, answers), ())
    sections = []
    for section in card.sections:
        answered = tuple(q for q in section.questions if q.id in answers)
        if answered:
            sections.append(SectionSpec(section.id, section.weight, answered))
    if not sections:
        return Provisional(None, unanswered)
    partial = score(CardSpec(card.id, tuple(sections)), answers)
    empty = {s.id for s in card.sections} - {s.id for s in sections}
    return Provisional(
        ScoreResult(
            overall=partial.overall,
            sections={s.id: partial.sections.get(s.id) for s in card.sections},
            dropped=partial.dropped | frozenset(empty),
            critical_failures=partial.critical_failures,
            section_details=partial.section_details,
        ),
        unanswered,
    )


def _percent(detail: SectionDetail) -> Fraction:
    return _HUNDRED * detail.earned / detail.possible


def format_score(value: Fraction | Decimal | int | str | None) -> str:
    """A score for display: "94.3 %", from an exact value or its stored "p/q" text; "–" when
    there is none (a draft, or every section N/A)."""
    if value is None or value == "":
        return "–"
    return f"{format_percent(Fraction(value))} %"


def format_percent(value: Fraction | Decimal | int, places: int = 1) -> str:
    """Round once, for display, half up as Decimal's ROUND_HALF_UP: 200/3 -> "66.7".

    Rounds the exact value, so a long repeating fraction is never rounded twice.
    """
    exact = value if isinstance(value, Fraction) else Fraction(value)
    return _rounded_ratio(exact.numerator, exact.denominator, places)


def format_share(part: int, whole: int, places: int = 1) -> str:
    """`part` of `whole` as a percentage for display, rounded as `format_percent` rounds
    100 * part / whole ("1 of 3" -> "33.3"); integers only, for pages of hundreds of rows."""
    return _rounded_ratio(100 * part, whole, places)


def _rounded_ratio(p: int, q: int, places: int) -> str:
    """p/q (q > 0) rounded half away from zero to `places` decimals, in integers."""
    if places < 0:
        raise ValueError("places must be 0 or more")
    rounded = (2 * abs(p) * 10**places + q) // (2 * q)  # floor(|p/q| * 10^places + 1/2)
    if p < 0:
        rounded = -rounded
    return f"{Decimal(rounded).scaleb(-places):f}"
