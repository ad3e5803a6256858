"""The coaching effect rolled up per coach, team and question for the sessions a viewer may
see (Area.COACHING) held in a period. A fixed number of statements whatever the number of
sessions: the sessions with their questions and evaluations, the questions failed in the
evaluations of sessions that chose none, the agents' outcomes, and the names. The arithmetic is
in effect.py (pooled_effect, roll_up, by_question)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.coaching import effect
from portal.coaching.models import CoachingSession
from portal.extensions import db
from portal.org.models import Person, Team
from portal.policy import Area, scoped
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
)
from portal.qa.models import ScorecardQuestion


@dataclass(frozen=True)
class EffectRow:
    key: int | None
    name: str
    rolled: effect.RolledEffect


@dataclass(frozen=True)
class EffectRollUps:
    overall: effect.RolledEffect
    by_coach: list[EffectRow]
    by_team: list[EffectRow]
    by_question: list[EffectRow]
    sessions: int  # sessions held in the period that the viewer may see


def _sessions(viewer: Person, start: date, end: date) -> list[CoachingSession]:
    stmt = scoped(
        select(CoachingSession)
        .where(CoachingSession.held_on >= start, CoachingSession.held_on <= end)
        .options(
            joinedload(CoachingSession.agent),
            selectinload(CoachingSession.questions),
            selectinload(CoachingSession.evaluations),
        ),
        CoachingSession,
        viewer,
        Area.COACHING,
    )
    return list(db.session.scalars(stmt.order_by(CoachingSession.held_on, CoachingSession.id)))


def session_at(session: CoachingSession) -> datetime:
    """The moment a session splits before from after: the start of its day (UTC)."""
    return datetime.combine(session.held_on, time.min, tzinfo=UTC)


def failed_by_evaluation(evaluation_ids: set[int]) -> dict[int, set[int]]:
    """The questions failed in each evaluation's current revision (for sessions that chose no
    questions: they address those)."""
    failed: dict[int, set[int]] = defaultdict(set)
    if not evaluation_ids:
        return failed
    rows = db.session.execute(
        select(Evaluation.id, EvaluationAnswer.question_id)
        .join(EvaluationRevision, EvaluationRevision.evaluation_id == Evaluation.id)
        .join(EvaluationAnswer, EvaluationAnswer.revision_id == EvaluationRevision.id)
        .where(
            Evaluation.id.in_(evaluation_ids),
            EvaluationRevision.number == Evaluation.revision_number,
            EvaluationAnswer.failed.is_(True),
        )
    )
    for evaluation_id, question_id in rows:
        failed[evaluation_id].add(question_id)
    return failed


def outcomes_of(person_ids: set[int], question_ids: set[int]) -> dict[int, list[effect.Outcome]]:
    """Each agent's outcomes on the questions in their submitted evaluations (current revision):
    one statement, whatever the number of agents and sessions."""
    by_person: dict[int, list[effect.Outcome]] = defaultdict(list)
    if not person_ids or not question_ids:
        return by_person
    rows = db.session.execute(
        select(
            Evaluation.person_id,
            Evaluation.id,
            Evaluation.submitted_at,
            EvaluationAnswer.question_id,
            EvaluationAnswer.earned,
            EvaluationAnswer.possible,
        )
        .join(EvaluationRevision, EvaluationRevision.evaluation_id == Evaluation.id)
        .join(EvaluationAnswer, EvaluationAnswer.revision_id == EvaluationRevision.id)
        .where(
            Evaluation.person_id.in_(person_ids),
            Evaluation.status != EvaluationStatus.DRAFT,
            Evaluation.submitted_at.is_not(None),
            EvaluationRevision.number == Evaluation.revision_number,
            EvaluationAnswer.question_id.in_(question_ids),
        )
    )
    for person_id, *outcome in rows:
        by_person[person_id].append(effect.Outcome(*outcome))
    return by_person


def session_outcomes(viewer: Person, start: date, end: date) -> list[effect.SessionOutcomes]:
    """The viewer's visible sessions held in [start, end] with their agents' outcomes."""
    sessions = _sessions(viewer, start, end)
    unchosen = {e.id for s in sessions if not s.questions for e in s.evaluations}
    failed = failed_by_evaluation(unchosen)
    questions: dict[int, frozenset[int]] = {}
    for s in sessions:
        if s.questions:
            questions[s.id] = frozenset(q.id for q in s.questions)
        else:
            questions[s.id] = frozenset(q for e in s.evaluations for q in failed.get(e.id, ()))
    outcomes = outcomes_of(
        {s.person_id for s in sessions}, {q for ids in questions.values() for q in ids}
    )
    return [
        effect.SessionOutcomes(
            session_id=s.id,
            coach_id=s.coach_id,
            team_id=s.agent.team_id,
            session_at=session_at(s),
            question_ids=questions[s.id],
            outcomes=tuple(
                o for o in outcomes.get(s.person_id, ()) if o.question_id in questions[s.id]
            ),
        )
        for s in sessions
    ]


def _names(model, column, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def _rows(rolled: dict, names: dict[int, str], unnamed: str) -> list[EffectRow]:
    rows = [
        EffectRow(k, names.get(k, unnamed) if k is not None else unnamed, r)
        for k, r in rolled.items()
    ]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.key or 0))


def effect_roll_ups(viewer: Person, *, start: date, end: date, no_team: str = "") -> EffectRollUps:
    sessions = session_outcomes(viewer, start, end)
    by_coach = effect.roll_up(sessions, lambda s: s.coach_id)
    by_team = effect.roll_up(sessions, lambda s: s.team_id)
    by_question = effect.by_question(sessions)
    return EffectRollUps(
        overall=effect.pooled_effect(sessions),
        by_coach=_rows(by_coach, _names(Person, Person.name, set(by_coach)), ""),
        by_team=_rows(
            by_team, _names(Team, Team.name, {k for k in by_team if k is not None}), no_team
        ),
        by_question=_rows(
            by_question, _names(ScorecardQuestion, ScorecardQuestion.text, set(by_question)), ""
        ),
        sessions=len(sessions),
    )
