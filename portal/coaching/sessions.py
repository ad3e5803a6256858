"""Coaching sessions: on the evaluations and questions they address, and whether the agent's
results on those questions moved afterwards (the arithmetic is in effect.py)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit, policy
from portal.coaching import effect, effect_queries
from portal.coaching.models import CoachingSession, OneOnOne
from portal.db import create_once, usable_token
from portal.errors import Conflict, ValidationFailed
from portal.extensions import db
from portal.org.models import Person
from portal.policy import Area, get_visible_or_404, scoped
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
)
from portal.qa.models import ScorecardQuestion


def get_session(viewer: Person, session_id: int) -> CoachingSession:
    return get_visible_or_404(CoachingSession, session_id, viewer, Area.COACHING)


def coachable_people(viewer: Person) -> list[Person]:
    """Active people strictly below the viewer: whom they may coach."""
    stmt = select(Person).where(
        Person.path.startswith(viewer.path, autoescape=True),
        Person.id != viewer.id,
        Person.is_active.is_(True),
    )
    return list(db.session.scalars(stmt.order_by(Person.name, Person.id)))


def evaluations_of(viewer: Person, agent: Person, limit: int = 30) -> list[Evaluation]:
    """The agent's submitted evaluations the viewer may see, newest first."""
    stmt = scoped(
        select(Evaluation).where(
            Evaluation.person_id == agent.id, Evaluation.status != EvaluationStatus.DRAFT
        ),
        Evaluation,
        viewer,
        Area.QA,
    )
    return list(db.session.scalars(stmt.order_by(Evaluation.submitted_at.desc()).limit(limit)))


def questions_of(evaluations: list[Evaluation]) -> list[ScorecardQuestion]:
    """The scorecard questions answered in these evaluations' current revisions."""
    if not evaluations:
        return []
    revision_ids = select(EvaluationRevision.id).where(
        EvaluationRevision.evaluation_id.in_([e.id for e in evaluations])
    )
    stmt = (
        select(ScorecardQuestion)
        .where(
            ScorecardQuestion.id.in_(
                select(EvaluationAnswer.question_id).where(
                    EvaluationAnswer.revision_id.in_(revision_ids)
                )
            )
        )
        .order_by(ScorecardQuestion.id)
    )
    return list(db.session.scalars(stmt))


def _checked(
    by: Person,
    agent: Person,
    held_on: date | None,
    behaviour: str,
    commitment: str,
    follow_up_on: date | None,
    evaluation_ids: list[int],
    question_ids: list[int],
) -> tuple[list[Evaluation], list[ScorecardQuestion]]:
    """The chosen evaluations and questions, or ValidationFailed naming each wrong field."""
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = [_("Give the date of the session.")]
    if not (behaviour or "").strip():
        errors["behaviour"] = [_("Say which behaviour should change.")]
    if not (commitment or "").strip():
        errors["commitment"] = [_("Write down the commitment agreed.")]
    if held_on and follow_up_on and follow_up_on < held_on:
        errors["follow_up_on"] = [_("The follow-up comes after the session.")]
    allowed = {e.id: e for e in evaluations_of(by, agent, limit=500)}
    chosen = [allowed[i] for i in evaluation_ids if i in allowed]
    if len(chosen) != len(set(evaluation_ids)):
        errors["evaluations"] = [_("Choose among the agent's evaluations.")]
    questions = (
        list(
            db.session.scalars(
                select(ScorecardQuestion).where(ScorecardQuestion.id.in_(question_ids))
            )
        )
        if question_ids
        else []
    )
    if len(questions) != len(set(question_ids)):
        errors["questions"] = [_("Choose among the scorecard questions.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    return chosen, questions


def update_session(
    by: Person,
    session: CoachingSession,
    *,
    expected_version: int | None,
    held_on: date | None,
    behaviour: str,
    commitment: str,
    follow_up_on: date | None,
    evaluation_ids: list[int],
    question_ids: list[int],
) -> CoachingSession:
    """Correct a recorded session (its coach only); a stale form is refused (Conflict)."""
    policy.require(by, "coaching.edit", session)
    if expected_version is not None and expected_version != session.version:
        raise Conflict(
            _(
                "This session was changed since you opened it. It is shown as it is now; "
                "what you typed is kept."
            )
        )
    chosen, questions = _checked(
        by,
        session.agent,
        held_on,
        behaviour,
        commitment,
        follow_up_on,
        evaluation_ids,
        question_ids,
    )
    before = session.snapshot()
    assert held_on is not None
    session.held_on = held_on
    session.behaviour = behaviour.strip()
    session.commitment = commitment.strip()
    session.follow_up_on = follow_up_on
    session.evaluations = chosen
    session.questions = questions
    try:
        db.session.flush()
    except Conflict:  # a stale version (db.ConflictSession has rolled back)
        raise Conflict(_("This session was changed since you opened it.")) from None
    audit.record(
        by, "coaching_session.edit", "coaching_session", session.id, before, session.snapshot()
    )
    db.session.commit()
    return session


def create_session(
    by: Person,
    agent: Person,
    *,
    held_on: date | None,
    behaviour: str,
    commitment: str,
    follow_up_on: date | None,
    evaluation_ids: list[int],
    question_ids: list[int],
    meeting: OneOnOne | None = None,
    request_token: str | None = None,
) -> CoachingSession:
    """Record a coaching session with an agent below the viewer (a double submit with the same
    form token finds the first one)."""
    policy.require(by, "coaching.create", agent)
    token = usable_token(request_token)
    chosen, questions = _checked(
        by, agent, held_on, behaviour, commitment, follow_up_on, evaluation_ids, question_ids
    )
    assert held_on is not None

    def make() -> CoachingSession:
        made = CoachingSession(
            person_id=agent.id,
            coach_id=by.id,
            meeting_id=meeting.id if meeting else None,
            held_on=held_on,
            behaviour=behaviour.strip(),
            commitment=commitment.strip(),
            follow_up_on=follow_up_on,
            request_token=token,
        )
        made.evaluations = chosen
        made.questions = questions
        return made

    session, created = create_once(CoachingSession, make, coach_id=by.id, request_token=token)
    if not created:
        return session
    audit.record(
        by, "coaching_session.create", "coaching_session", session.id, None, session.snapshot()
    )
    db.session.commit()
    return session


def sessions_for(viewer: Person, *, person_id: int | None = None, limit: int = 50):
    stmt = scoped(
        select(CoachingSession).options(
            joinedload(CoachingSession.agent), joinedload(CoachingSession.coach)
        ),
        CoachingSession,
        viewer,
        Area.COACHING,
    )
    if person_id is not None:
        stmt = stmt.where(CoachingSession.person_id == person_id)
    return list(
        db.session.scalars(
            stmt.order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc()).limit(limit)
        )
    )


def session_question_ids(session: CoachingSession) -> list[int]:
    """The questions the session addresses; with none chosen, those failed in its evaluations."""
    if session.questions:
        return [q.id for q in session.questions]
    failed = effect_queries.failed_by_evaluation({e.id for e in session.evaluations})
    return sorted({q for ids in failed.values() for q in ids})


def effect_of(session: CoachingSession) -> effect.Effect:
    """The agent's outcome on the session's questions before and after it (current revisions
    of submitted evaluations only): the roll-up's loaders for one session."""
    question_ids = session_question_ids(session)
    outcomes = effect_queries.outcomes_of({session.person_id}, set(question_ids))
    return effect.coaching_effect(
        outcomes.get(session.person_id, []), question_ids, effect_queries.session_at(session)
    )
