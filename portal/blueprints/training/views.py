"""Training pages: the person's own training, the course catalogue and its administration
(assessment questions, classroom sessions). Assignments, the team matrix, skill gaps and
assessments live in sibling modules attached to the same blueprint."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import policy
from portal.db import utcnow
from portal.errors import Conflict
from portal.htmx import hx_redirect, render_view
from portal.org.models import Person
from portal.params import parse_int
from portal.training import assignments, attempts, cert_rules, courses
from portal.training.certifications import certifications_for
from portal.training.courses import CourseFields
from portal.training.models import Course
from portal.training.queries import today_for
from portal.training.status import Status

from .forms import (
    KIND_LABELS,
    AttendanceForm,
    CourseForm,
    EmptyForm,
    QuestionForm,
    SessionForm,
    VersionForm,
    choices,
)

bp = Blueprint("training", __name__, url_prefix="/training")


@bp.context_processor
def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "Status": Status}


# ---- the person's own training -------------------------------------------------------------


@bp.get("/")
@login_required
def my_training():
    now = utcnow()
    today = today_for(current_user, now)
    me = policy.scoped(
        select(Person.id).where(Person.id == current_user.id),
        Person,
        current_user,
        policy.Area.TRAINING,
    )
    items = assignments.training_items(me, today)
    return render_view(
        "training/my_training.html",
        items=items,
        record=assignments.completions_for(current_user.id),
        certs=[
            (c, cert_rules.state(c.expires_on, today)) for c in certifications_for(current_user.id)
        ],
        form=EmptyForm(),
        today=today,
    )


# ---- catalogue -----------------------------------------------------------------------------


@bp.get("/courses")
@login_required
def course_list():
    policy.require(current_user, "course.view")
    archived = request.args.get("archived") == "1"
    page = courses.courses_page(
        archived=archived, after=request.args.get("after"), limit=current_app.config["PAGE_SIZE"]
    )
    args = {"archived": "1"} if archived else {}
    return render_view("training/course_list.html", page=page, archived=archived, args=args)


@bp.get("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    policy.require(current_user, "course.view")
    course = courses.get_course(course_id)
    return _detail(course)


def _detail(course: Course, *, question_form=None, session_form=None, status: int = 200):
    own_attempts = attempts.attempts_of(current_user.id, course.id)
    return render_view(
        "training/course_detail.html",
        course=course,
        sessions=courses.sessions_for(course),
        own_attempts=own_attempts,
        has_passed=any(a.is_passed for a in own_attempts),
        question_form=question_form or QuestionForm(prefix="question"),
        session_form=session_form or SessionForm(prefix="session"),
        version_form=VersionForm(version=course.version),
        form=EmptyForm(),
        status=status,
    )


def _fill_questions(form: CourseForm) -> None:
    form.qa_questions.choices = choices(courses.qa_question_choices())


def _fields(form: CourseForm) -> CourseFields:
    return CourseFields(
        title=form.title.data or "",
        description=form.description.data or "",
        kind=form.kind.data,
        url=form.url.data or None,
        duration_minutes=form.duration_minutes.data,
        competencies=form.competencies.data or "",
        is_mandatory=bool(form.is_mandatory.data),
        pass_mark=form.pass_mark.data,
        attempts_allowed=form.attempts_allowed.data,
        time_limit_minutes=form.time_limit_minutes.data,
        certification_months=form.certification_months.data,
        qa_question_ids=tuple(form.qa_questions.data or ()),
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@login_required
def course_new():
    policy.require(current_user, "course.manage")
    form = CourseForm()
    _fill_questions(form)
    if form.validate_on_submit():
        course = courses.create_course(current_user, _fields(form))
        return hx_redirect(url_for("training.course_detail", course_id=course.id))
    status = 422 if request.method == "POST" else 200
    return render_view("training/course_form.html", form=form, course=None, status=status)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def course_edit(course_id: int):
    policy.require(current_user, "course.manage")
    course = courses.get_course(course_id)
    form = CourseForm(obj=course if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(course.version)
        form.qa_questions.data = [q.id for q in course.qa_questions]
    _fill_questions(form)
    if form.validate_on_submit():
        try:
            courses.update_course(course, current_user, _fields(form), _int(form.version.data))
        except Conflict as error:
            return render_view(
                "training/course_form.html", form=form, course=course, conflict=error.message,
                status=409,
            )  # fmt: skip
        return hx_redirect(url_for("training.course_detail", course_id=course.id))
    status = 422 if request.method == "POST" else 200
    return render_view("training/course_form.html", form=form, course=course, status=status)


def _int(value) -> int:
    return parse_int(value, -1)


@bp.post("/courses/<int:course_id>/archive")
@login_required
def course_archive(course_id: int):
    return _set_archived(course_id, True)


@bp.post("/courses/<int:course_id>/unarchive")
@login_required
def course_unarchive(course_id: int):
    return _set_archived(course_id, False)


def _set_archived(course_id: int, archived: bool):
    policy.require(current_user, "course.manage")
    course = courses.get_course(course_id)
    form = VersionForm()
    form.validate_on_submit()
    courses.set_archived(course, current_user, archived, _int(form.version.data))
    return hx_redirect(url_for("training.course_detail", course_id=course.id))


# ---- assessment questions ------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/questions")
@login_required
def question_add(course_id: int):
    policy.require(current_user, "course.manage")
    course = courses.get_course(course_id)
    form = QuestionForm(prefix="question")
    if not form.validate_on_submit():
        return _detail(course, question_form=form, status=422)
    courses.add_question(
        course,
        current_user,
        text=form.text.data or "",
        is_multiple=bool(form.is_multiple.data),
        choices=form.parsed_choices(),
    )
    return hx_redirect(url_for("training.course_detail", course_id=course.id) + "#assessment")


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/remove")
@login_required
def question_remove(course_id: int, question_id: int):
    policy.require(current_user, "course.manage")
    course = courses.get_course(course_id)
    EmptyForm().validate_on_submit()
    courses.remove_question(course, question_id, current_user)
    return hx_redirect(url_for("training.course_detail", course_id=course.id) + "#assessment")


# ---- classroom sessions --------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/sessions")
@login_required
def session_add(course_id: int):
    policy.require(current_user, "course.manage")
    course = courses.get_course(course_id)
    form = SessionForm(prefix="session")
    if not form.validate_on_submit():
        return _detail(course, session_form=form, status=422)
    zone = ZoneInfo(current_user.time_zone or "UTC")
    starts_at = form.starts_at.data.replace(tzinfo=zone).astimezone(UTC)
    courses.add_session(
        course, current_user, starts_at=starts_at, place=form.place.data or "",
        seats=form.seats.data or 1,
    )  # fmt: skip
    return hx_redirect(url_for("training.course_detail", course_id=course.id) + "#sessions")


@bp.get("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    session = courses.get_session(session_id)
    seats = courses.seats_for(session, current_user)
    return render_view(
        "training/session_detail.html",
        session=session,
        seats=seats,
        own_seat=next((s for s in seats if s.person_id == current_user.id), None),
        form=EmptyForm(),
        is_past=session.starts_at <= utcnow(),
    )


@bp.post("/sessions/<int:session_id>/book")
@login_required
def session_book(session_id: int):
    session = courses.get_session(session_id)
    EmptyForm().validate_on_submit()
    courses.book_seat(session, current_user, utcnow())
    return hx_redirect(url_for("training.session_detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/attendance")
@login_required
def session_attendance(session_id: int):
    """The trainer ticks who attended; each attendee's classroom course is confirmed."""
    policy.require(current_user, "course.manage")
    session = courses.get_session(session_id)
    form = AttendanceForm()
    form.validate_on_submit()
    attended = set(form.attended.data or [])
    today = today_for(current_user, utcnow())
    for seat in courses.seats_for(session, current_user):
        courses.mark_attendance(seat, seat.id in attended, current_user)
        if seat.id in attended:
            assignments.confirm_completion(current_user, seat.person, session.course, today)
    return hx_redirect(url_for("training.session_detail", session_id=session.id))


# ---- completion ----------------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/complete")
@login_required
def course_complete(course_id: int):
    course = courses.get_course(course_id)
    EmptyForm().validate_on_submit()
    assignments.report_completion(current_user, course, today_for(current_user, utcnow()))
    return redirect(url_for("training.my_training"), code=303)


from . import assign_views, attempt_views  # noqa: E402, F401  (attach their routes to bp)
