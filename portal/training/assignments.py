"""Assignments and where people stand on them.

An assignment reaches one person, or every active person matching all the audience columns it
sets (team, position, market), decided when it is read: someone who joins the team next month
has it on their page at once. Everything a page shows comes from `training_items`, one SQL
statement for any number of people, with the standing computed by `status.standing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, not_, or_, select

from portal import audit, policy
from portal.db import create_once, fresh_token, usable_token
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.training.models import (
    AssessmentAttempt,
    AssessmentQuestion,
    Assignment,
    Completion,
    CompletionSource,
    Course,
    CourseKind,
)
from portal.training.status import Standing, StatusCounts, standing

register_kind(
    "training.assigned",
    _l("%(actor)s assigned you the course %(course)s, due %(due)s"),
    label=_l("I was assigned a course"),
)


@dataclass(frozen=True)
class Audience:
    person_id: int | None = None
    team_id: int | None = None
    position_id: int | None = None
    market_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not any((self.person_id, self.team_id, self.position_id, self.market_id))


def audience_matches(assignment: type[Assignment] | object = Assignment):  # noqa: ANN201
    """The join condition "this assignment reaches this person" (Person joined as is)."""
    a = assignment
    return or_(
        a.person_id == Person.id,  # type: ignore[attr-defined]
        and_(
            a.person_id.is_(None),  # type: ignore[attr-defined]
            or_(a.team_id.is_(None), a.team_id == Person.team_id),  # type: ignore[attr-defined]
            or_(a.position_id.is_(None), a.position_id == Person.position_id),  # type: ignore[attr-defined]
            or_(a.market_id.is_(None), a.market_id == Person.market_id),  # type: ignore[attr-defined]
        ),
    )


def people_in_audience(audience: Audience) -> Select:
    """The active people an audience reaches now, as a SELECT of ids."""
    stmt = select(Person.id).where(Person.is_active.is_(True))
    if audience.person_id is not None:
        return stmt.where(Person.id == audience.person_id)
    if audience.team_id is not None:
        stmt = stmt.where(Person.team_id == audience.team_id)
    if audience.position_id is not None:
        stmt = stmt.where(Person.position_id == audience.position_id)
    if audience.market_id is not None:
        stmt = stmt.where(Person.market_id == audience.market_id)
    return stmt


def new_token() -> str:
    return fresh_token()


def create_assignment(
    by: Person, course: Course, audience: Audience, due_on: date, token: str, *, url: str
) -> Assignment:
    """Assign a course; the people it reaches now are notified. A token seen before (a double
    submit) answers the assignment it made."""
    if audience.is_empty:
        raise InvalidTransition()
    policy.require(by, "assignment.create", audience)
    if course.is_archived:
        raise InvalidTransition()
    token = usable_token(token) or fresh_token()

    def make() -> Assignment:
        return Assignment(
            course_id=course.id,
            person_id=audience.person_id,
            team_id=None if audience.person_id else audience.team_id,
            position_id=None if audience.person_id else audience.position_id,
            market_id=None if audience.person_id else audience.market_id,
            due_on=due_on,
            assigned_by_id=by.id,
            token=token,
        )

    assignment, created = create_once(Assignment, make, token=token, assigned_by_id=by.id)
    if not created:
        return assignment
    for person_id in db.session.scalars(people_in_audience(audience)):
        notify(
            person_id,
            by,
            "training.assigned",
            "assignment",
            assignment.id,
            url,
            course=course.title,
            due=due_on.isoformat(),
        )
    audit.record(by, "assignment.create", "assignment", assignment.id, None, assignment.snapshot())
    db.session.commit()
    return assignment


def cancel_assignment(assignment: Assignment, by: Person) -> None:
    policy.require(by, "assignment.create", _audience_of(assignment))
    if assignment.is_cancelled:
        raise InvalidTransition()
    before = assignment.snapshot()
    assignment.is_cancelled = True
    db.session.flush()
    audit.record(
        by, "assignment.cancel", "assignment", assignment.id, before, assignment.snapshot()
    )
    db.session.commit()


def _audience_of(assignment: Assignment) -> Audience:
    return Audience(
        assignment.person_id, assignment.team_id, assignment.position_id, assignment.market_id
    )


def assignments_scope(viewer: Person) -> Select:
    """Assignments the viewer may read: group assignments (their audience names teams, not
    people) and single-person ones whose person is in the viewer's training scope."""
    return select(Assignment).where(
        or_(
            Assignment.person_id.is_(None),
            Assignment.person_id.in_(policy.visible_person_ids(viewer, policy.Area.TRAINING)),
        )
    )


def get_assignment(viewer: Person, assignment_id: int) -> Assignment:
    assignment = db.session.execute(
        assignments_scope(viewer).where(Assignment.id == assignment_id)
    ).scalar_one_or_none()
    if assignment is None:
        raise NotFound()
    return assignment


# ---- where people stand ------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingItem:
    person_id: int
    person_name: str
    manager_id: int | None
    course_id: int
    course_title: str
    kind: str
    is_mandatory: bool
    due_on: date
    completed_on: date | None
    has_assessment: bool
    is_passed: bool
    attempts_used: int
    attempts_allowed: int | None
    standing: Standing
    assignment_id: int | None = None


def items_statement(
    people: Select,
    *,
    course_id: int | None = None,
    assignment_id: int | None = None,
    mandatory_only: bool = False,
    per_assignment: list[int] | None = None,
    due_between: tuple[date, date] | None = None,
) -> Select:
    """The statement behind training_items (same arguments), for callers that aggregate it."""
    columns = [
        Person.id.label("person_id"),
        Assignment.course_id.label("course_id"),
        func.min(Assignment.due_on).label("due_on"),
        (Assignment.id if per_assignment is not None else func.min(Assignment.id)).label(
            "assignment_id"
        ),
    ]
    due = (
        select(*columns)
        .join(Assignment, audience_matches())
        .where(
            Person.is_active.is_(True), Assignment.is_cancelled.is_(False), Person.id.in_(people)
        )
        .group_by(Person.id, Assignment.course_id)
    )
    if per_assignment is not None:
        due = due.where(Assignment.id.in_(per_assignment)).group_by(Assignment.id)
    if course_id is not None:
        due = due.where(Assignment.course_id == course_id)
    if assignment_id is not None:
        due = due.where(Assignment.id == assignment_id)
    if due_between is not None:
        due = due.having(func.min(Assignment.due_on).between(*due_between))
    due_sq = due.subquery()
    attempts = (
        select(
            AssessmentAttempt.person_id,
            AssessmentAttempt.course_id,
            func.count().label("used"),
            func.max(case((AssessmentAttempt.is_passed.is_(True), 1), else_=0)).label("passed"),
        )
        .group_by(AssessmentAttempt.person_id, AssessmentAttempt.course_id)
        .subquery()
    )
    questions = (
        select(AssessmentQuestion.course_id, func.count().label("n"))
        .group_by(AssessmentQuestion.course_id)
        .subquery()
    )
    stmt = (
        select(
            Person.id.label("person_id"),
            Person.name,
            Person.manager_id,
            Course.id,
            Course.title,
            Course.kind,
            Course.is_mandatory,
            due_sq.c.due_on,
            Completion.completed_on.label("completed_on"),
            func.coalesce(questions.c.n, 0).label("questions"),
            func.coalesce(attempts.c.passed, 0).label("passed"),
            func.coalesce(attempts.c.used, 0),
            Course.attempts_allowed,
            due_sq.c.assignment_id,
        )
        .select_from(due_sq)
        .join(Person, Person.id == due_sq.c.person_id)
        .join(Course, Course.id == due_sq.c.course_id)
        .outerjoin(
            Completion,
            and_(Completion.person_id == Person.id, Completion.course_id == Course.id),
        )
        .outerjoin(
            attempts,
            and_(attempts.c.person_id == Person.id, attempts.c.course_id == Course.id),
        )
        .outerjoin(questions, questions.c.course_id == Course.id)
        .where(Course.is_archived.is_(False))
        .order_by(Person.name, Person.id, due_sq.c.due_on, Course.title)
    )
    if mandatory_only:
        stmt = stmt.where(Course.is_mandatory.is_(True))
    return stmt


def is_complete_sql(items: Any) -> Any:
    """status.standing's "complete" over items_statement's columns, for SQL counts: a
    completion and, when the course has an assessment, a pass (tested equal to standing)."""
    return and_(items.c.completed_on.is_not(None), or_(items.c.questions == 0, items.c.passed == 1))


def status_counts_by_assignment(
    people: Select, today: date, ids: list[int]
) -> dict[int, StatusCounts]:
    """Completed / due / overdue per assignment (ids) among `people`: training_items with
    per_assignment, counted by the database (status.standing's rule as CASEs, as the team
    view's training panel does; tested equal to count_statuses of training_items)."""
    if not ids:
        return {}
    items = items_statement(people, per_assignment=ids).order_by(None).subquery("items")
    done = is_complete_sql(items)
    overdue = and_(not_(done), items.c.due_on < today)
    stmt = select(
        items.c.assignment_id,
        func.count(),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((overdue, 1), else_=0)),
    ).group_by(items.c.assignment_id)
    found = {}
    for assignment_id, total, completed, late in db.session.execute(stmt):
        completed, late = int(completed or 0), int(late or 0)
        found[assignment_id] = StatusCounts(
            completed=completed, due=int(total) - completed - late, overdue=late
        )
    empty = StatusCounts(completed=0, due=0, overdue=0)
    return {aid: found.get(aid, empty) for aid in ids}


def training_items(
    people: Select,
    today: date,
    *,
    course_id: int | None = None,
    assignment_id: int | None = None,
    mandatory_only: bool = False,
    per_assignment: list[int] | None = None,
    due_between: tuple[date, date] | None = None,
) -> list[TrainingItem]:
    """Every (person, course) assigned to the active people in `people` (a SELECT of ids,
    already scoped by the caller), with the earliest due date and where they stand. One query.
    With `per_assignment` (ids), one item per (assignment, person) of those assignments.
    With `due_between` (first, last day), only the items whose due date falls in it."""
    stmt = items_statement(
        people,
        course_id=course_id,
        assignment_id=assignment_id,
        mandatory_only=mandatory_only,
        per_assignment=per_assignment,
        due_between=due_between,
    )
    items = []
    for row in db.session.execute(stmt):
        (pid, name, manager_id, cid, title, kind, mandatory, due_on, completed_on, n_questions,
         passed, used, allowed, item_assignment_id) = row  # fmt: skip
        has_assessment = n_questions > 0
        items.append(
            TrainingItem(
                pid, name, manager_id, cid, title, kind, mandatory, due_on, completed_on,
                has_assessment, bool(passed), used, allowed,
                standing(
                    due_on=due_on,
                    today=today,
                    completed_on=completed_on,
                    has_assessment=has_assessment,
                    is_passed=bool(passed),
                    attempts_allowed=allowed,
                    attempts_used=used,
                ),
                item_assignment_id,
            )
        )  # fmt: skip
    return items


# ---- completion ---------------------------------------------------------------------------


def report_completion(person: Person, course: Course, today: date) -> Completion:
    """The person reports an e-learning course done (courses with an assessment complete by
    passing it; classroom and on-the-job courses are confirmed by a trainer)."""
    if course.kind != CourseKind.ELEARNING or course.questions:
        raise InvalidTransition()
    return _complete(person.id, course, today, CompletionSource.SELF_REPORTED, person)


def confirm_completion(by: Person, person: Person, course: Course, today: date) -> Completion:
    """A trainer confirms a classroom or on-the-job course (the person was loaded through the
    training scope, so it is within the trainer's reach)."""
    policy.require(by, "training.confirm", person)
    if course.kind == CourseKind.ELEARNING:
        raise InvalidTransition()
    return _complete(person.id, course, today, CompletionSource.CONFIRMED, by)


def _complete(
    person_id: int, course: Course, on: date, source: CompletionSource, by: Person
) -> Completion:
    existing = db.session.execute(
        select(Completion).where(
            Completion.person_id == person_id, Completion.course_id == course.id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    completion = Completion(
        person_id=person_id,
        course_id=course.id,
        completed_on=on,
        source=source,
        confirmed_by_id=by.id if source == CompletionSource.CONFIRMED else None,
    )
    db.session.add(completion)
    db.session.flush()
    from portal.training.certifications import issue_for_course

    issue_for_course(person_id, course, on)
    audit.record(
        by,
        "completion.create",
        "completion",
        completion.id,
        None,
        {"person_id": person_id, "course_id": course.id, "on": on.isoformat(), "source": source},
    )
    db.session.commit()
    return completion


def completions_for(person_id: int) -> list[Completion]:
    """A person's training record (every completion, archived courses included), newest first.
    The caller loaded the person through the training scope."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(Completion)
            .where(Completion.person_id == person_id)
            .options(joinedload(Completion.course))
            .order_by(Completion.completed_on.desc(), Completion.id.desc())
        )
    )


register_kind(
    "training.overdue",
    _l("%(course)s is overdue (due %(due)s)"),
    label=_l("A course of mine is overdue"),
    urgent=True,
)
register_kind(
    "training.overdue_report",
    _l("%(person)s's course %(course)s is overdue (due %(due)s)"),
    label=_l("A course I assigned, or of someone I manage, is overdue"),
    urgent=True,
)


def send_overdue_notices(today: date) -> int:
    """Tell the person, their manager and whoever assigned it, once, that a course is overdue
    (pages show it too; this makes it reach people who do not look). Returns how many."""
    from portal.notify.models import Notification

    items = [
        i for i in training_items(select(Person.id), today) if i.standing.status.value == "overdue"
    ]
    if not items:
        return 0
    assigners = dict(
        db.session.execute(
            select(Assignment.id, Assignment.assigned_by_id).where(
                Assignment.id.in_({i.assignment_id for i in items})
            )
        ).all()
    )
    sent_before = set(
        db.session.execute(
            select(Notification.person_id, Notification.record_id, Notification.url).where(
                Notification.kind.in_(["training.overdue", "training.overdue_report"])
            )
        ).all()
    )
    sent = 0
    for item in items:
        params = {"course": item.course_title, "due": item.due_on.isoformat()}
        own = (item.person_id, item.course_id, "/training/")
        if own not in sent_before:
            notify(item.person_id, None, "training.overdue", "course", item.course_id, own[2],
                   **params)  # fmt: skip
            sent_before.add(own)
            sent += 1
        record_url = f"/training/people/{item.person_id}"
        for recipient in {item.manager_id, assigners.get(item.assignment_id)} - {None}:
            key = (recipient, item.course_id, record_url)
            if key in sent_before or recipient == item.person_id:
                continue
            notify(recipient, None, "training.overdue_report", "course", item.course_id,
                   record_url, person=item.person_name, **params)  # fmt: skip
            sent_before.add(key)
            sent += 1
    audit.record(None, "training.overdue_notices", "assignment", None, None, {"sent": sent})
    db.session.commit()
    return sent


from portal.training import reminders  # noqa: E402, F401  (registers the reminders' kinds)
