"""Calibration results: how far each evaluator is from the reference (the lead), how much the
evaluators agree per question, and Krippendorff's alpha at the level each answer type calls for.

Pure: plain rows in, plain results out (the maths lives in `agreement`). Units for alpha are
(contact, question) pairs; coders are everyone who scored, the lead included. N/A is a missing
value. Levels: yes/no and choice lists are nominal (a choice is a category, whatever its points);
a points scale is ordinal (its steps are ranked, not necessarily equally spaced); the overall
score is interval.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from portal.qa import agreement
from portal.qa.agreement import AlphaVerdict, Level

NA = "na"

LEVEL_OF_TYPE = {"yes_no": Level.NOMINAL, "choice": Level.NOMINAL, "scale": Level.ORDINAL}

BOOTSTRAP_SAMPLES = 500


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    text: str
    answer_type: str  # yes_no / scale / choice
    scale_max: int | None = None


@dataclass(frozen=True)
class Scoring:
    """One evaluator's scoring of one contact."""

    contact_id: int
    evaluator_id: int
    score: Decimal | None
    answers: Mapping[int, str]  # question id -> stored value ("yes", "3", choice id, "na")


@dataclass(frozen=True)
class AlphaSummary:
    level: Level
    alpha: float | None
    verdict: AlphaVerdict
    interval: tuple[float, float] | None
    percent_agreement: float | None
    prevalence: dict[Hashable, float]
    n_units: int


@dataclass(frozen=True)
class QuestionResult:
    question: QuestionInfo
    level: Level
    reference_agreement: float | None  # share of evaluators' answers equal to the lead's
    n_compared: int
    percent_agreement: float | None  # among every pair of scorers, lead included
    alpha: float | None
    verdict: AlphaVerdict
    prevalence: dict[Hashable, float]

    @property
    def is_ambiguous(self) -> bool:
        """Fewer than 80 % of the evaluators' answers match the reference."""
        return self.reference_agreement is not None and self.reference_agreement < 0.8


@dataclass(frozen=True)
class EvaluatorResult:
    evaluator_id: int
    n_contacts: int  # contacts both they and the lead scored
    mean_difference: Decimal | None  # their score minus the lead's, averaged: > 0 lenient
    match_rate: float | None  # share of questions answered like the lead
    per_question: dict[int, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CalibrationResult:
    evaluators: list[EvaluatorResult]
    questions: list[QuestionResult]
    by_level: list[AlphaSummary]  # one per level present among the questions
    overall_score: AlphaSummary  # interval alpha on the overall scores (units: contacts)
    missing_reference: list[int]  # contacts the lead did not score


def _value(question: QuestionInfo, stored: str | None) -> Hashable | None:
    if stored is None or stored == NA:
        return None
    if question.answer_type == "scale":
        return int(stored)
    return stored


def _summary(data, level: Level, order=None, seed: int = 0) -> AlphaSummary:
    result = agreement.alpha_result(data, level, order=order)
    interval = (
        agreement.bootstrap_alpha(data, level, n=BOOTSTRAP_SAMPLES, seed=seed, order=order)
        if result.alpha is not None
        else None
    )
    return AlphaSummary(
        level=level,
        alpha=result.alpha,
        verdict=agreement.interpret_alpha(result.alpha),
        interval=interval,
        percent_agreement=agreement.percent_agreement(data),
        prevalence=agreement.value_prevalence(data),
        n_units=result.n_units,
    )


def _order(questions: Sequence[QuestionInfo]) -> list[int] | None:
    tops = [q.scale_max for q in questions if q.answer_type == "scale" and q.scale_max]
    return list(range(0, max(tops) + 1)) if tops else None


def compute(
    questions: Sequence[QuestionInfo],
    contact_ids: Sequence[int],
    lead_id: int,
    scorings: Sequence[Scoring],
    seed: int = 0,
) -> CalibrationResult:
    """Every figure of a closed session's results page."""
    by_key = {(s.contact_id, s.evaluator_id): s for s in scorings}
    coders = [lead_id] + sorted({s.evaluator_id for s in scorings} - {lead_id})
    evaluators = coders[1:]

    def answer(contact_id: int, coder: int, question: QuestionInfo) -> Hashable | None:
        scoring = by_key.get((contact_id, coder))
        return None if scoring is None else _value(question, scoring.answers.get(question.id))

    # Reference deviation per contact, aggregated per evaluator and per question.
    matches: dict[int, dict[int, list[bool]]] = {e: {} for e in evaluators}
    differences: dict[int, list[Decimal]] = {e: [] for e in evaluators}
    missing_reference = []
    for contact_id in contact_ids:
        reference = by_key.get((contact_id, lead_id))
        if reference is None:
            missing_reference.append(contact_id)
            continue
        ref_answers = {q.id: answer(contact_id, lead_id, q) for q in questions}
        scores = {
            e: {q.id: answer(contact_id, e, q) for q in questions}
            for e in evaluators
            if (contact_id, e) in by_key
        }
        deviation = agreement.deviation_from_reference(
            ref_answers,
            scores,
            reference_score=reference.score,
            evaluator_scores={e: by_key[(contact_id, e)].score for e in scores},
        )
        for row in deviation.evaluators:
            for question_id, same in row.matches.items():
                matches[row.evaluator].setdefault(question_id, []).append(same)
            if row.score_difference is not None:
                differences[row.evaluator].append(row.score_difference)

    evaluator_results = []
    for e in evaluators:
        flat = [same for values in matches[e].values() for same in values]
        diffs = differences[e]
        evaluator_results.append(
            EvaluatorResult(
                evaluator_id=e,
                n_contacts=len(diffs),
                mean_difference=sum(diffs, Decimal(0)) / len(diffs) if diffs else None,
                match_rate=sum(flat) / len(flat) if flat else None,
                per_question={
                    q.id: (sum(matches[e][q.id]) / len(matches[e][q.id]))
                    if matches[e].get(q.id)
                    else None
                    for q in questions
                },
            )
        )

    question_results = []
    for q in questions:
        level = LEVEL_OF_TYPE[q.answer_type]
        data = [[answer(c, coder, q) for c in contact_ids] for coder in coders]
        compared = [v for e in evaluators for v in matches[e].get(q.id, [])]
        order = _order([q])
        result = agreement.alpha_result(data, level, order=order)
        question_results.append(
            QuestionResult(
                question=q,
                level=level,
                reference_agreement=sum(compared) / len(compared) if compared else None,
                n_compared=len(compared),
                percent_agreement=agreement.percent_agreement(data),
                alpha=result.alpha,
                verdict=agreement.interpret_alpha(result.alpha),
                prevalence=agreement.value_prevalence(data),
            )
        )

    by_level = []
    for level in (Level.NOMINAL, Level.ORDINAL):
        group = [q for q in questions if LEVEL_OF_TYPE[q.answer_type] == level]
        if not group:
            continue
        data = [[answer(c, coder, q) for c in contact_ids for q in group] for coder in coders]
        by_level.append(_summary(data, level, _order(group), seed))

    overall_data = [
        [(by_key[(c, coder)].score if (c, coder) in by_key else None) for c in contact_ids]
        for coder in coders
    ]
    overall_data = [[None if v is None else Decimal(v) for v in row] for row in overall_data]
    overall = _summary(overall_data, Level.INTERVAL, None, seed)
    return CalibrationResult(
        evaluators=evaluator_results,
        questions=question_results,
        by_level=by_level,
        overall_score=overall,
        missing_reference=missing_reference,
    )
