"""Building QA programme test data directly: a published card, contacts, evaluations."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from portal.extensions import db
from portal.qa import scoring
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
)
from portal.qa.models import (
    Contact,
    QuestionChoice,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)

_ids = itertools.count(1)


@dataclass
class Card:
    scorecard: Scorecard
    version: ScorecardVersion
    yes_no: ScorecardQuestion  # 10 points, critical for the evaluation
    scale: ScorecardQuestion  # 0..4
    choice: ScorecardQuestion  # Full (2) / Partly (1) / None (0, failing)


def make_card(author, name: str = "Programme card") -> Card:
    card = Scorecard(name=f"{name} {next(_ids)}", description="")
    version = ScorecardVersion(
        scorecard=card, number=1, created_by_id=author.id, published_at=datetime.now(UTC)
    )
    section = ScorecardSection(version=version, position=1, title="Call", weight=Decimal(100))
    yes_no = ScorecardQuestion(
        section=section,
        position=1,
        text="Verified the caller",
        answer_type="yes_no",
        points=10,
        critical_scope="evaluation",
    )
    scale = ScorecardQuestion(
        section=section, position=2, text="Empathy", answer_type="scale", scale_max=4
    )
    choice = ScorecardQuestion(section=section, position=3, text="Resolved", answer_type="choice")
    for position, (label, points) in enumerate((("Full", 2), ("Partly", 1), ("None", 0)), 1):
        QuestionChoice(
            question=choice, position=position, label=label, points=points, is_failing=points == 0
        )
    db.session.add(card)
    db.session.flush()
    card.current_version_id = version.id
    db.session.commit()
    return Card(card, version, yes_no, scale, choice)


def make_contact(agent, when: datetime, channel: str = "phone", **kw) -> Contact:
    contact = Contact(
        channel=channel,
        source="test",
        external_id=f"EXT-{next(_ids)}",
        person_id=agent.id,
        occurred_at=when,
        direction=kw.pop("direction", "inbound"),
        market_id=kw.pop("market_id", agent.market_id),
        segment_id=kw.pop("segment_id", agent.segment_id),
        **kw,
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def answers_for(card: Card, yes: str, scale: int, choice_label: str) -> dict:
    choice = next(c for c in card.choice.choices if c.label == choice_label)
    return {card.yes_no.id: yes, card.scale.id: scale, card.choice.id: str(choice.id)}


def make_evaluation(
    card: Card,
    contact: Contact,
    evaluator,
    answers: dict,
    *,
    submitted_at: datetime | None = None,
    status: str = EvaluationStatus.SUBMITTED,
) -> Evaluation:
    """A submitted evaluation whose score and per-question outcome come from the real formula."""
    spec = card.version.spec()
    result = scoring.score(spec, answers)
    overall = result.overall
    evaluation = Evaluation(
        contact_id=contact.id,
        person_id=contact.person_id,
        evaluator_id=evaluator.id,
        scorecard_version_id=card.version.id,
        status=status,
        score=_decimal(overall),
        score_exact=None if overall is None else f"{overall.numerator}/{overall.denominator}",
        critical_failed=bool(result.critical_failures),
        submitted_at=submitted_at or contact.occurred_at,
    )
    revision = EvaluationRevision(evaluation=evaluation, number=1, author_id=evaluator.id)
    failures = set(result.critical_failures)
    for question in spec.questions():
        value = answers[question.id]
        earned, possible, failed = _outcome(question, value)
        revision.answers.append(
            EvaluationAnswer(
                question_id=question.id,
                value=str(value),
                earned=earned,
                possible=possible,
                failed=failed or question.id in failures,
            )
        )
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


def _outcome(question, value):
    if value == scoring.NA:
        return None, None, False
    if question.type == scoring.QuestionType.YES_NO:
        return (question.points if value == "yes" else 0), question.points, value == "no"
    if question.type == scoring.QuestionType.SCALE:
        return int(value), question.max, int(value) == 0
    top = max(question.choices.values())
    return question.choices[value], top, value in question.failing_choices


def _decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-8"))
