"""Shared set-up for the 1:1 tests: sup_a's weekly series with A1 and A2, meetings in the past
and ahead, and QA evaluations written directly (the evaluation service is being built)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.coaching import series as series_service
from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.qa import scorecard_builder as builder
from portal.qa import scorecards
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
from portal.qa.models import Contact

# A fixed "now": Wednesday 2026-03-04 12:00 UTC.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def setup_series(world, now: datetime = NOW, weeks_back: int = 0) -> dict[int, OneOnOneSeries]:
    """sup_a sets up weekly 1:1s (Monday 10:00 Hong Kong) with A1 and A2, starting
    `weeks_back` weeks before now; returns {report id: series}."""
    start = now - timedelta(weeks=weeks_back)
    series_service.setup_team(world.sup_a, weekday=0, start_time=time(10, 0), now=start)
    found = {
        s.person_id: s
        for s in db.session.scalars(
            select(OneOnOneSeries).where(OneOnOneSeries.supervisor_id == world.sup_a.id)
        )
    }
    if weeks_back:
        for s in found.values():
            series_service.generate_meetings(s, start)
            # walk forward week by week so the past weeks have meetings too
            for w in range(weeks_back + 1):
                series_service.generate_meetings(s, start + timedelta(weeks=w))
        db.session.commit()
    return found


def meetings_of(series: OneOnOneSeries) -> list[OneOnOne]:
    return list(
        db.session.scalars(
            select(OneOnOne).where(OneOnOne.series_id == series.id).order_by(OneOnOne.scheduled_at)
        )
    )


_card_cache: dict = {}
_card_numbers = itertools.count(1)  # names unique within a test whatever ran before


def scorecard_question_ids(world) -> tuple[int, list[int]]:
    """A published-enough scorecard version with two yes/no questions (version id, question ids)."""
    card = scorecards.create_scorecard(
        world.qa,
        name=f"Coaching card {next(_card_numbers)}",
        description="",
        channels=[],
        market_ids=[],
    )
    _card_cache[card.id] = card
    builder.add_section(card, world.qa, expected_version=card.version, title="Main", weight="100")
    section = card.current_version.sections[0]
    from portal.qa.scorecard_rules import QuestionFields

    for text in ("Greeted the customer", "Confirmed the fix"):
        builder.add_question(
            card,
            section.id,
            world.qa,
            expected_version=card.version,
            fields=QuestionFields(
                text=text,
                guidance="",
                answer_type="yes_no",
                points=1,
                scale_max=None,
                na_allowed=False,
                critical_scope=None,
            ),
        )
    version = card.current_version
    return version.id, [q.id for s in version.sections for q in s.questions]


_contact_seq = iter(range(1, 10**6))


def make_evaluation(
    world,
    agent,
    version_id: int,
    *,
    submitted_at: datetime,
    status: str = "submitted",
    critical: bool = False,
    outcomes: dict[int, tuple[int, int]] | None = None,
) -> Evaluation:
    contact = Contact(
        channel="phone",
        source="test",
        external_id=f"EXT-{next(_contact_seq)}",
        person_id=agent.id,
        occurred_at=submitted_at - timedelta(hours=1),
        direction="inbound",
    )
    db.session.add(contact)
    db.session.flush()
    ev = Evaluation(
        contact_id=contact.id,
        person_id=agent.id,
        evaluator_id=world.sup_a.id,
        scorecard_version_id=version_id,
        status=status,
        score=Decimal("0.8"),
        critical_failed=critical,
        submitted_at=None if status == "draft" else submitted_at,
    )
    db.session.add(ev)
    db.session.flush()
    revision = EvaluationRevision(
        evaluation_id=ev.id, number=1, author_id=world.sup_a.id, submitted_at=submitted_at
    )
    db.session.add(revision)
    db.session.flush()
    for qid, (earned, possible) in (outcomes or {}).items():
        db.session.add(
            EvaluationAnswer(
                revision_id=revision.id,
                question_id=qid,
                value="yes" if earned else "no",
                earned=earned,
                possible=possible,
                failed=earned == 0,
            )
        )
    db.session.commit()
    return ev
