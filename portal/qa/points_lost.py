"""What each answer cost: points lost per question, and the share of the overall score it
cost, for the evaluation page. Pure: plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from portal.qa.card_spec import NA, CardSpec, CriticalScope
from portal.qa.scoring import AnswerValue, outcome, provisional

_HUNDRED = Fraction(100)


@dataclass(frozen=True)
class QuestionLoss:
    """One question's cost. `points`: possible − earned (0 for N/A, which loses nothing).
    `score_points`: how many points of the overall percentage the question cost; None when a
    failed critical question set its section or the whole evaluation to 0 (the critical fail,
    not the question's points, is then what the score lost)."""

    points: int
    score_points: Fraction | None
    is_na: bool
    critical_failed: bool


def points_lost(
    card: CardSpec, answers: Mapping[Hashable, AnswerValue]
) -> dict[Hashable, QuestionLoss]:
    """The cost of each answered question (unanswered ones are left out). Without critical
    fails the score points lost add up to 100 − the overall score. Raises InvalidAnswer like
    `scoring.score` for an unreadable answer. The sections' possible points, the dropped
    sections and the critical fails are the score's own (`scoring.provisional`)."""
    specs = {q.id: q for q in card.questions()}
    answered = {qid: value for qid, value in answers.items() if qid in specs}
    result = provisional(card, answered).result
    if result is None:
        return {}
    failed = set(result.critical_failures)
    whole_failed = any(specs[qid].critical == CriticalScope.EVALUATION for qid in failed)
    weights = sum(
        (Fraction(s.weight) for s in card.sections if s.id not in result.dropped),
        start=Fraction(0),
    )
    losses: dict[Hashable, QuestionLoss] = {}
    for section in card.sections:
        detail = result.section_details.get(section.id)
        for question in section.questions:
            if question.id not in answered:
                continue
            earned, possible, _fails = outcome(question, answered[question.id])
            is_na = answered[question.id] == NA
            lost = 0 if is_na else (possible or 0) - (earned or 0)
            share: Fraction | None
            if whole_failed or (detail is not None and detail.critical_failed):
                share = None
            elif is_na or not lost:
                share = Fraction(0)
            else:
                weight_share = Fraction(section.weight) / weights
                share = _HUNDRED * weight_share * lost / detail.possible  # type: ignore[union-attr]
            losses[question.id] = QuestionLoss(lost, share, is_na, question.id in failed)
    return losses
