"""Skill gaps from QA: per-question answer and failure counts over submitted evaluations.

Only evaluations past draft count (submitted, acknowledged, disputed, resolved), each through
its current revision, and N/A answers (no points possible) are left out. The people counted
are those the viewer may see in Area.TRAINING: trainers see counts, never evaluations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, case, func, select

from portal import policy
from portal.extensions import db
from portal.org.models import Person
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
)
from portal.qa.models import ScorecardQuestion
from portal.training.models import Completion, Course, CourseQaQuestion
from portal.training.skill_gaps import Movement, QuestionCount

COUNTED = (
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.ACKNOWLEDGED,
    EvaluationStatus.DISPUTED,
    EvaluationStatus.RESOLVED,
)


def question_counts(
    viewer: Person,
    *,
    start: datetime,
    end: datetime,
    person_id: int | None = None,
    team_id: int | None = None,
) -> list[QuestionCount]:
    """Answered and failed counts per QA question for the people in scope, in [start, end)."""
    stmt: Select = (
        select(
            EvaluationAnswer.question_id,
            func.count(),
            func.sum(case((EvaluationAnswer.failed.is_(True), 1), else_=0)),
        )
        .join(EvaluationRevision, EvaluationRevision.id == EvaluationAnswer.revision_id)
        .join(
            Evaluation,
            (Evaluation.id == EvaluationRevision.evaluation_id)
            & (EvaluationRevision.number == Evaluation.revision_number),
        )
        .where(
            Evaluation.status.in_([s.value for s in COUNTED]),
            Evaluation.submitted_at >= start,
            Evaluation.submitted_at < end,
            EvaluationAnswer.possible.is_not(None),
            Evaluation.person_id.in_(policy.visible_person_ids(viewer, policy.Area.TRAINING)),
        )
        .group_by(EvaluationAnswer.question_id)
    )
    if person_id is not None:
        stmt = stmt.where(Evaluation.person_id == person_id)
    if team_id is not None:
        stmt = stmt.where(
            Evaluation.person_id.in_(select(Person.id).where(Person.team_id == team_id))
        )
    return [QuestionCount(qid, n, int(failed or 0)) for qid, n, failed in db.session.execute(stmt)]


def courses_by_question(question_ids: list[int]) -> dict[int, list[int]]:
    """The active courses mapped to each QA question."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(CourseQaQuestion.question_id, CourseQaQuestion.course_id)
        .join(Course, Course.id == CourseQaQuestion.course_id)
        .where(CourseQaQuestion.question_id.in_(question_ids), Course.is_archived.is_(False))
    )
    mapping: dict[int, list[int]] = {}
    for qid, cid in rows:
        mapping.setdefault(qid, []).append(cid)
    return mapping


def question_texts(question_ids: list[int]) -> dict[int, str]:
    if not question_ids:
        return {}
    return dict(
        db.session.execute(
            select(ScorecardQuestion.id, ScorecardQuestion.text).where(
                ScorecardQuestion.id.in_(question_ids)
            )
        ).all()
    )


def course_titles(course_ids: list[int]) -> dict[int, str]:
    if not course_ids:
        return {}
    return dict(
        db.session.execute(select(Course.id, Course.title).where(Course.id.in_(course_ids))).all()
    )


def movements_for(person_id: int) -> list[tuple[int, Movement]]:
    """For each course the person completed that addresses QA questions: each question's
    failures before the completion date and from it on, in one query. The caller loaded the
    person through the training scope."""
    after = case((Evaluation.submitted_at >= Completion.completed_on, 1), else_=0)
    stmt = (
        select(
            Completion.course_id,
            EvaluationAnswer.question_id,
            after.label("after"),
            func.count(),
            func.sum(case((EvaluationAnswer.failed.is_(True), 1), else_=0)),
        )
        .join(CourseQaQuestion, CourseQaQuestion.course_id == Completion.course_id)
        .join(Evaluation, Evaluation.person_id == Completion.person_id)
        .join(
            EvaluationRevision,
            (EvaluationRevision.evaluation_id == Evaluation.id)
            & (EvaluationRevision.number == Evaluation.revision_number),
        )
        .join(
            EvaluationAnswer,
            (EvaluationAnswer.revision_id == EvaluationRevision.id)
            & (EvaluationAnswer.question_id == CourseQaQuestion.question_id),
        )
        .where(
            Completion.person_id == person_id,
            Evaluation.status.in_([s.value for s in COUNTED]),
            EvaluationAnswer.possible.is_not(None),
        )
        .group_by(Completion.course_id, EvaluationAnswer.question_id, after)
    )
    sides: dict[tuple[int, int], dict[int, QuestionCount]] = {}
    for course_id, question_id, is_after, n, failed in db.session.execute(stmt):
        sides.setdefault((course_id, question_id), {})[int(is_after)] = QuestionCount(
            question_id, n, int(failed or 0)
        )
    result = []
    for (course_id, question_id), counts in sorted(sides.items()):
        empty = QuestionCount(question_id, 0, 0)
        result.append(
            (course_id, Movement(question_id, counts.get(0, empty), counts.get(1, empty)))
        )
    return result
