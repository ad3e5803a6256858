"""Courses: the catalogue, creating and editing, archiving, assessment questions, QA questions
addressed and classroom sessions. Each public function is one unit of work (policy, change,
audit, commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from portal import audit, policy
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.org.models import Person
from portal.params import split_cursor
from portal.qa.models import ScorecardQuestion
from portal.training.models import (
    AssessmentChoice,
    AssessmentQuestion,
    ClassSession,
    Course,
    CourseQaQuestion,
    SessionSeat,
)


@dataclass(frozen=True)
class CourseFields:
    title: str
    description: str
    kind: str
    url: str | None
    duration_minutes: int | None
    competencies: str
    is_mandatory: bool
    pass_mark: int | None
    attempts_allowed: int | None
    time_limit_minutes: int | None
    certification_months: int | None = None
    qa_question_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CoursePage:
    rows: list[Course]
    next_cursor: str | None
    has_previous: bool


def courses_page(
    *, archived: bool = False, after: str | None = None, limit: int = 25
) -> CoursePage:
    """The catalogue by title, keyset-paged on (title, id)."""
    stmt = select(Course).where(Course.is_archived.is_(archived))
    cursor = _parse_cursor(after)
    if cursor:
        title, last_id = cursor
        stmt = stmt.where(
            or_(Course.title > title, and_(Course.title == title, Course.id > last_id))
        )
    rows = list(db.session.scalars(stmt.order_by(Course.title, Course.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = f"{rows[-1].id}:{rows[-1].title}" if more and rows else None
    return CoursePage(rows, next_cursor, cursor is not None)


def _parse_cursor(after: str | None) -> tuple[str, int] | None:
    return split_cursor(after, ":", str, id_first=True)


def get_course(course_id: int) -> Course:
    course = db.session.execute(
        select(Course)
        .where(Course.id == course_id)
        .options(
            selectinload(Course.questions).selectinload(AssessmentQuestion.choices),
            selectinload(Course.qa_questions),
        )
    ).scalar_one_or_none()
    if course is None:
        raise NotFound()
    return course


def qa_question_choices() -> list[tuple[int, str]]:
    """QA questions a course can address: (id, "scorecard · question"), newest version first."""
    from portal.qa.models import Scorecard, ScorecardSection, ScorecardVersion

    rows = db.session.execute(
        select(
            ScorecardQuestion.id, Scorecard.name, ScorecardVersion.number, ScorecardQuestion.text
        )
        .join(ScorecardSection, ScorecardSection.id == ScorecardQuestion.section_id)
        .join(ScorecardVersion, ScorecardVersion.id == ScorecardSection.version_id)
        .join(Scorecard, Scorecard.id == ScorecardVersion.scorecard_id)
        .order_by(Scorecard.name, ScorecardVersion.number.desc(), ScorecardQuestion.id)
        .limit(500)
    ).all()
    return [(qid, f"{name} v{number} · {text}") for qid, name, number, text in rows]


def _check_version(course: Course, expected: int | None) -> None:
    if expected is not None and expected != course.version:
        raise Conflict()


def _apply(course: Course, fields: CourseFields) -> None:
    course.title = fields.title.strip()
    course.description = fields.description
    course.kind = fields.kind
    course.url = fields.url or None
    course.duration_minutes = fields.duration_minutes
    course.competencies = fields.competencies.strip()
    course.is_mandatory = fields.is_mandatory
    course.pass_mark = fields.pass_mark
    course.attempts_allowed = fields.attempts_allowed
    course.time_limit_minutes = fields.time_limit_minutes
    course.certification_months = fields.certification_months


def _set_qa_questions(course: Course, question_ids: tuple[int, ...]) -> None:
    wanted = set(question_ids)
    if wanted:
        found = set(
            db.session.scalars(select(ScorecardQuestion.id).where(ScorecardQuestion.id.in_(wanted)))
        )
        if found != wanted:
            raise ValidationFailed(field_errors={"qa_questions": "unknown question"})
    db.session.execute(
        CourseQaQuestion.__table__.delete().where(CourseQaQuestion.course_id == course.id)
    )
    for qid in sorted(wanted):
        db.session.add(CourseQaQuestion(course_id=course.id, question_id=qid))


def create_course(by: Person, fields: CourseFields) -> Course:
    policy.require(by, "course.manage")
    course = Course(created_by_id=by.id)
    _apply(course, fields)
    db.session.add(course)
    db.session.flush()
    _set_qa_questions(course, fields.qa_question_ids)
    audit.record(by, "course.create", "course", course.id, None, course.snapshot())
    db.session.commit()
    return course


def update_course(course: Course, by: Person, fields: CourseFields, expected_version: int) -> None:
    policy.require(by, "course.manage")
    _check_version(course, expected_version)
    before = course.snapshot()
    _apply(course, fields)
    _set_qa_questions(course, fields.qa_question_ids)
    db.session.flush()
    audit.record(by, "course.edit", "course", course.id, before, course.snapshot())
    db.session.commit()


def set_archived(course: Course, by: Person, archived: bool, expected_version: int) -> None:
    """Archive (or bring back) a course. Nothing is deleted: records keep pointing at it."""
    policy.require(by, "course.manage")
    _check_version(course, expected_version)
    if course.is_archived == archived:
        raise InvalidTransition()
    before = course.snapshot()
    course.is_archived = archived
    db.session.flush()
    action = "course.archive" if archived else "course.unarchive"
    audit.record(by, action, "course", course.id, before, course.snapshot())
    db.session.commit()


def add_question(
    course: Course, by: Person, *, text: str, is_multiple: bool, choices: list[tuple[str, bool]]
) -> AssessmentQuestion:
    """Add an assessment question with its choices ((label, is_correct), in order)."""
    policy.require(by, "course.manage")
    position = (max((q.position for q in course.questions), default=0)) + 1
    question = AssessmentQuestion(
        course_id=course.id, position=position, text=text.strip(), is_multiple=is_multiple
    )
    question.choices = [
        AssessmentChoice(position=i, label=label, is_correct=correct)
        for i, (label, correct) in enumerate(choices, start=1)
    ]
    db.session.add(question)
    if course.pass_mark is None:
        course.pass_mark = 80
    db.session.flush()
    audit.record(
        by,
        "assessment_question.create",
        "course",
        course.id,
        None,
        {"question_id": question.id, "text": question.text, "choices": choices},
    )
    db.session.commit()
    return question


def remove_question(course: Course, question_id: int, by: Person) -> None:
    """Remove a question. Attempts keep their stored layout and answers; their score stands."""
    policy.require(by, "course.manage")
    question = db.session.get(AssessmentQuestion, question_id)
    if question is None or question.course_id != course.id:
        raise NotFound()
    audit.record(
        by,
        "assessment_question.remove",
        "course",
        course.id,
        {"question_id": question.id, "text": question.text},
        None,
    )
    db.session.delete(question)
    db.session.commit()


# ---- classroom sessions --------------------------------------------------------------------


def add_session(
    course: Course, by: Person, *, starts_at: datetime, place: str, seats: int
) -> ClassSession:
    policy.require(by, "course.manage")
    session = ClassSession(
        course_id=course.id, starts_at=starts_at, place=place.strip(), seats=seats, trainer_id=by.id
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        by,
        "class_session.create",
        "class_session",
        session.id,
        None,
        {
            "course_id": course.id,
            "starts_at": starts_at.isoformat(),
            "place": place,
            "seats": seats,
        },
    )
    db.session.commit()
    return session


@dataclass(frozen=True)
class SessionRow:
    session: ClassSession
    booked: int


def sessions_for(course: Course) -> list[SessionRow]:
    """The course's sessions with their booked seat counts, in one query."""
    booked = (
        select(SessionSeat.session_id, func.count().label("n"))
        .group_by(SessionSeat.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ClassSession, func.coalesce(booked.c.n, 0))
        .outerjoin(booked, booked.c.session_id == ClassSession.id)
        .where(ClassSession.course_id == course.id)
        .order_by(ClassSession.starts_at, ClassSession.id)
    ).all()
    return [SessionRow(s, n) for s, n in rows]


def get_session(session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None:
        raise NotFound()
    return session


def seats_for(session: ClassSession, viewer: Person) -> list[SessionSeat]:
    """The seats on a session the viewer may see (Area.TRAINING scope), by name."""
    stmt = (
        select(SessionSeat)
        .join(Person, Person.id == SessionSeat.person_id)
        .where(SessionSeat.session_id == session.id)
        .options(selectinload(SessionSeat.person))
        .order_by(Person.name, Person.id)
    )
    return list(db.session.scalars(policy.scoped(stmt, SessionSeat, viewer, policy.Area.TRAINING)))


def book_seat(session: ClassSession, person: Person, now: datetime) -> SessionSeat:
    """Book the person on a session; a second booking finds the first; a full session refuses."""
    existing = db.session.execute(
        select(SessionSeat).where(
            SessionSeat.session_id == session.id, SessionSeat.person_id == person.id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    if session.starts_at <= now:
        raise InvalidTransition()
    taken = db.session.scalar(select(func.count()).where(SessionSeat.session_id == session.id))
    if (taken or 0) >= session.seats:
        raise Conflict(_full_message())
    seat = SessionSeat(session_id=session.id, person_id=person.id)
    db.session.add(seat)
    db.session.flush()
    audit.record(person, "class_session.book", "class_session", session.id, None, {"seat": seat.id})
    db.session.commit()
    return seat


def _full_message() -> str:
    from flask_babel import gettext

    return gettext("This session is full. Choose another session.")


def mark_attendance(seat: SessionSeat, attended: bool, by: Person) -> None:
    """Record whether the person attended (the caller loaded the seat through the scope)."""
    policy.require(by, "course.manage")
    if seat.attended == attended:
        return
    before = {"attended": seat.attended}
    seat.attended = attended
    db.session.flush()
    audit.record(
        by, "session_seat.attendance", "session_seat", seat.id, before, {"attended": attended}
    )
    db.session.commit()
