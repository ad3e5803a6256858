"""Taking an assessment: start an attempt (shuffled, with a server-side deadline), submit it
(scored on the server), and the attempts kept for the person."""

from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy import func, select

from portal import audit
from portal.errors import Conflict, InvalidTransition, NotFound
from portal.extensions import db
from portal.org.models import Person
from portal.training import scoring
from portal.training.assignments import _complete
from portal.training.models import AssessmentAttempt, CompletionSource, Course, CourseKind


def attempts_of(person_id: int, course_id: int) -> list[AssessmentAttempt]:
    return list(
        db.session.scalars(
            select(AssessmentAttempt)
            .where(
                AssessmentAttempt.person_id == person_id, AssessmentAttempt.course_id == course_id
            )
            .order_by(AssessmentAttempt.number)
        )
    )


def start_attempt(
    person: Person, course: Course, now: datetime, rng: random.Random | None = None
) -> AssessmentAttempt:
    """Start the person's next attempt. An open attempt still within its time is returned
    instead (a double click starts one attempt); passed or out of attempts refuses (409)."""
    if not course.questions or course.is_archived:
        raise InvalidTransition()
    previous = attempts_of(person.id, course.id)
    if any(a.is_passed for a in previous):
        raise InvalidTransition()
    for attempt in previous:
        if attempt.is_open and not scoring.is_late(now, attempt.deadline_at):
            return attempt
    left = scoring.attempts_left(course.attempts_allowed, len(previous))
    if left == 0:
        raise InvalidTransition()
    layout = scoring.shuffled_layout(
        [(q.id, [c.id for c in q.choices]) for q in course.questions],
        rng or random.SystemRandom(),
    )
    attempt = AssessmentAttempt(
        person_id=person.id,
        course_id=course.id,
        number=len(previous) + 1,
        started_at=now,
        deadline_at=scoring.deadline(now, course.time_limit_minutes),
        layout=layout,
        pass_mark=course.pass_mark if course.pass_mark is not None else 80,
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(
        person,
        "assessment_attempt.start",
        "assessment_attempt",
        attempt.id,
        None,
        {"course_id": course.id, "number": attempt.number},
    )
    db.session.commit()
    return attempt


def get_own_attempt(person: Person, attempt_id: int) -> AssessmentAttempt:
    """Only the person taking it opens an attempt page (others read results on records)."""
    attempt = db.session.get(AssessmentAttempt, attempt_id)
    if attempt is None or attempt.person_id != person.id:
        raise NotFound()
    return attempt


def submit_attempt(
    person: Person,
    attempt: AssessmentAttempt,
    answers: dict[int, frozenset[int]],
    now: datetime,
    today: date,
) -> AssessmentAttempt:
    """Score the attempt on the server. After the time limit the answers are not counted and
    the attempt is failed (it stays, as every attempt does). A pass completes an e-learning
    course."""
    if attempt.person_id != person.id:
        raise NotFound()
    if not attempt.is_open:
        raise Conflict(_already_submitted())
    course = attempt.course
    key = _key(course, attempt)
    late = scoring.is_late(now, attempt.deadline_at)
    counted = {} if late else answers
    result = scoring.score_attempt(key, counted, attempt.pass_mark)
    attempt.submitted_at = now
    attempt.answers = {str(q): sorted(c) for q, c in answers.items()}
    attempt.correct = result.correct
    attempt.total = result.total
    attempt.percent = result.percent
    attempt.is_passed = result.is_passed
    attempt.is_late = late
    db.session.flush()
    audit.record(
        person,
        "assessment_attempt.submit",
        "assessment_attempt",
        attempt.id,
        None,
        {
            "correct": result.correct,
            "total": result.total,
            "passed": result.is_passed,
            "late": late,
        },
    )
    if result.is_passed and course.kind == CourseKind.ELEARNING:
        _complete(person.id, course, today, CompletionSource.ASSESSMENT, person)
    db.session.commit()
    return attempt


def _key(course: Course, attempt: AssessmentAttempt) -> list[scoring.QuestionKey]:
    """The answer key for the questions the attempt showed (a question removed since then
    drops out of this attempt's score rather than counting as wrong)."""
    by_id = {q.id: q for q in course.questions}
    key = []
    for qid, _choices in attempt.layout:
        question = by_id.get(qid)
        if question is None:
            continue
        key.append(
            scoring.QuestionKey(
                question_id=qid,
                correct=frozenset(c.id for c in question.choices if c.is_correct),
                choices=tuple(c.id for c in question.choices),
            )
        )
    return key


def attempt_counts(person_id: int, course_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                AssessmentAttempt.person_id == person_id, AssessmentAttempt.course_id == course_id
            )
        )
        or 0
    )


def _already_submitted() -> str:
    from flask_babel import gettext

    return gettext("This attempt was already submitted; its result is below.")
