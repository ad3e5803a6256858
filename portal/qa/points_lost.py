"""What each answer cost: points lost per question, and the share of the overall score it
cost, for the evaluation page. Pure: plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from portal.qa.card_spec import NA, CardSpec, CriticalScope
from portal.qa.scoring import AnswerValue, outcome

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
    `scoring.score` for an unreadable answer."""
    specs = {q.id: q for q in card.questions()}
    marks = {qid: outcome(specs[qid], value) for qid, value in answers.items() if qid in specs}
    failed = {qid for qid, (_e, _p, fails) in marks.items() if fails and specs[qid].critical}
    whole_failed = any(specs[qid].critical == CriticalScope.EVALUATION for qid in failed)
    possible_of: dict[Hashable, int] = {}
    for section in card.sections:
        possible_of[section.id] = sum(
            marks[q.id][1] or 0 for q in section.questions if q.id in marks
        )
    weights = sum(
        (Fraction(s.weight) for s in card.sections if possible_of[s.id]), start=Fraction(0)
    )
    losses: dict[Hashable, QuestionLoss] = {}
    for section in card.sections:
        section_failed = any(
            specs[q.id].critical == CriticalScope.SECTION and q.id in failed
            for q in section.questions
        )
        for question in section.questions:
            if question.id not in marks:
                continue
            earned, possible, _fails = marks[question.id]
            is_na = answers[question.id] == NA
            lost = 0 if is_na else (possible or 0) - (earned or 0)
            share: Fraction | None
            if whole_failed or section_failed:
                share = None
            elif is_na or not lost:
                share = Fraction(0)
            else:
                weight_share = Fraction(section.weight) / weights
                share = _HUNDRED * weight_share * lost / possible_of[section.id]
            losses[question.id] = QuestionLoss(lost, share, is_na, question.id in failed)
    return losses
