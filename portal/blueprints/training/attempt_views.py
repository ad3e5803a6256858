"""Assessments: start an attempt, take it (questions in the attempt's shuffled order, the
deadline kept on the server), submit it and read the result."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.htmx import hx_redirect, render_view
from portal.params import parse_int
from portal.training import attempts, courses, scoring
from portal.training.models import AssessmentChoice, AssessmentQuestion
from portal.training.queries import today_for

from .forms import EmptyForm
from .views import bp


@bp.post("/courses/<int:course_id>/attempts")
@login_required
def attempt_start(course_id: int):
    course = courses.get_course(course_id)
    EmptyForm().validate_on_submit()
    attempt = attempts.start_attempt(current_user, course, utcnow())
    return hx_redirect(url_for("training.attempt_detail", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt_detail(attempt_id: int):
    attempt = attempts.get_own_attempt(current_user, attempt_id)
    course = courses.get_course(attempt.course_id)
    questions = {q.id: q for q in course.questions}
    shown: list[tuple[AssessmentQuestion, list[AssessmentChoice]]] = []
    for qid, choice_ids in attempt.layout:
        question = questions.get(qid)
        if question is None:
            continue
        by_id = {c.id: c for c in question.choices}
        shown.append((question, [by_id[c] for c in choice_ids if c in by_id]))
    now = utcnow()
    return render_view(
        "training/attempt_detail.html",
        attempt=attempt,
        course=course,
        shown=shown,
        form=EmptyForm(),
        seconds_left=(
            max(int((attempt.deadline_at - now).total_seconds()), 0)
            if attempt.deadline_at and attempt.is_open
            else None
        ),
        time_up=attempt.is_open and scoring.is_late(now, attempt.deadline_at),
        left=scoring.attempts_left(
            course.attempts_allowed, attempts.attempt_counts(current_user.id, course.id)
        ),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def attempt_submit(attempt_id: int):
    attempt = attempts.get_own_attempt(current_user, attempt_id)
    EmptyForm().validate_on_submit()
    answers: dict[int, frozenset[int]] = {}
    for qid, _choices in attempt.layout:
        picked = set()
        for raw in request.form.getlist(f"q-{qid}"):
            number = parse_int(raw)
            if number is not None:
                picked.add(number)
        answers[qid] = frozenset(picked)
    now = utcnow()
    attempts.submit_attempt(current_user, attempt, answers, now, today_for(current_user, now))
    return hx_redirect(url_for("training.attempt_detail", attempt_id=attempt.id))
