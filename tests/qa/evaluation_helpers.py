"""Shared set-up for the evaluation tests: a published phone card, a contact, full answers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from sqlalchemy import select

from portal import policy
from portal.extensions import db
from portal.qa import evaluations
from portal.qa.evaluation_models import Evaluation
from portal.qa.models import Contact, Scorecard
from tests.qa.test_scorecards import build_card

_counter = iter(range(1, 10**6))


def make_contact(agent, *, channel: str = "phone", days_ago: int = 1, marker: str = "") -> Contact:
    contact = Contact(
        channel=channel,
        source="test",
        external_id=f"EXT-{next(_counter)}{marker}",
        person_id=agent.id,
        occurred_at=datetime.now(UTC) - timedelta(days=days_ago),
        direction="inbound",
        transcript=f"Agent: hello {marker}",
    )
    db.session.add(contact)
    db.session.commit()
    return contact


def questions(card: Scorecard) -> dict[str, int]:
    """Question ids by text, on the card's live (current) version."""
    return {q.text: q.id for s in card.current_version.sections for q in s.questions}


def choice_key(card: Scorecard, label: str) -> str:
    for section in card.current_version.sections:
        for question in section.questions:
            for choice in question.choices:
                if choice.label == label:
                    return choice.key
    raise KeyError(label)


def full_answers(card: Scorecard, **overrides: str) -> dict[str, str]:
    """Greeting yes, identity yes, need 3 of 4, solution Full: 660/7 % (hand-computed:
    Opening 15/15 = 100 %, Resolution 13/14; (20 x 100 + 80 x 1300/14) / 100)."""
    ids = questions(card)
    form = {
        f"q-{ids['Greeting']}": "yes",
        f"q-{ids['Identity verified']}": "yes",
        f"q-{ids['Need understood']}": "3",
        f"q-{ids['Solution correct']}": choice_key(card, "Full"),
        "overall_comment": "Good call",
    }
    for text, value in overrides.items():
        form[f"q-{ids[text.replace('_', ' ')]}"] = value
    return form


FULL_SCORE = Fraction(660, 7)


def submitted(world, card: Scorecard, agent=None, evaluator=None, **overrides) -> Evaluation:
    """A submitted evaluation of a new contact of `agent` (A1) by `evaluator` (A's supervisor)."""
    agent = agent or world.agent_a1
    evaluator = evaluator or world.sup_a
    contact = make_contact(agent)
    evaluation = evaluations.start(evaluator, contact, card.current_version)
    evaluations.save(
        evaluator,
        evaluation,
        full_answers(card, **overrides),
        expected_version=evaluation.version,
        submit=True,
    )
    return evaluation


def card_for(world) -> Scorecard:
    return build_card(world.qa)


def plain_overturn_counts(viewer) -> Counter:
    """A plain count of the viewer's visible non-draft evaluations per evaluator: evaluations
    (n), disputed (d), resolved (r), re-scored (k); what the overturn page must show."""
    rows = db.session.scalars(
        policy.scoped(
            select(Evaluation).where(Evaluation.status != "draft"),
            Evaluation,
            viewer,
            policy.Area.QA,
        )
    ).all()
    expected = Counter()
    for e in rows:
        expected[(e.evaluator_id, "n")] += 1
        expected[(e.evaluator_id, "d")] += e.disputed_at is not None
        expected[(e.evaluator_id, "r")] += e.resolution is not None
        expected[(e.evaluator_id, "k")] += e.resolution == "rescored"
    return +expected


def overturn_counts(rates) -> Counter:
    """The same counts read from (evaluator id, OverturnRate) pairs."""
    found = Counter()
    for evaluator_id, rate in rates:
        found[(evaluator_id, "n")] += rate.evaluations
        found[(evaluator_id, "d")] += rate.disputed
        found[(evaluator_id, "r")] += rate.resolved
        found[(evaluator_id, "k")] += rate.rescored
    return +found
