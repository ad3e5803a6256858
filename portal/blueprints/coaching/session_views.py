"""Coaching sessions: list, record one (linked to evaluations and questions), and its page with
the before/after on the questions it addressed."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.coaching import meetings, sessions
from portal.errors import Conflict, ValidationFailed
from portal.htmx import render_view
from portal.org.models import Person
from portal.params import parse_int
from portal.policy import Area, get_visible_or_404
from portal.web import expected_version

from .forms import CoachingSessionForm, new_token
from .views import bp, show_errors


@bp.get("/sessions")
@login_required
def session_list():
    person_id = request.args.get("person", type=int)
    return render_view(
        "coaching/session_list.html",
        rows=sessions.sessions_for(current_user, person_id=person_id),
        coachable=sessions.coachable_people(current_user),
    )


def _fill(form: CoachingSessionForm, agent: Person) -> list:
    evaluations = sessions.evaluations_of(current_user, agent)
    form.evaluations.choices = [
        SelectChoice(
            e.id,
            f"#{e.id} · {e.submitted_at:%Y-%m-%d} · "
            f"{'-' if e.score is None else f'{e.score * 100:.0f}%'}",
        )
        for e in evaluations
    ]
    form.questions.choices = [
        SelectChoice(q.id, q.text) for q in sessions.questions_of(evaluations)
    ]
    return evaluations


@bp.route("/sessions/new/<int:person_id>", methods=["GET", "POST"])
@login_required
def session_new(person_id: int):
    agent = get_visible_or_404(Person, person_id, current_user, Area.COACHING)
    policy.require(current_user, "coaching.create", agent)
    if request.method == "GET":
        form = CoachingSessionForm(
            formdata=None, token=new_token(), meeting_id=request.args.get("meeting", "")
        )
    else:
        form = CoachingSessionForm()
    _fill(form, agent)
    if request.method == "POST" and form.validate_on_submit():
        meeting = None
        meeting_id = parse_int(form.meeting_id.data)
        if meeting_id is not None:
            meeting = meetings.get_meeting(current_user, meeting_id)
            if meeting.person_id != agent.id:
                meeting = None
        try:
            session = sessions.create_session(
                current_user,
                agent,
                held_on=form.held_on.data,
                behaviour=form.behaviour.data or "",
                commitment=form.commitment.data or "",
                follow_up_on=form.follow_up_on.data,
                evaluation_ids=form.evaluations.data or [],
                question_ids=form.questions.data or [],
                meeting=meeting,
                request_token=form.token.data,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return redirect(url_for("coaching.session_detail", session_id=session.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_view(
        "coaching/session_new.html", form=form, agent=agent, record=None, status=status
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(session_id: int):
    session = sessions.get_session(current_user, session_id)
    policy.require(current_user, "coaching.edit", session)
    if request.method == "GET":
        form = CoachingSessionForm(
            formdata=None,
            held_on=session.held_on,
            behaviour=session.behaviour,
            commitment=session.commitment,
            follow_up_on=session.follow_up_on,
            evaluations=[e.id for e in session.evaluations],
            questions=[q.id for q in session.questions],
            version=str(session.version),
        )
    else:
        form = CoachingSessionForm()
    _fill(form, session.agent)
    status, message = (422 if request.method == "POST" else 200), None
    if request.method == "POST" and form.validate_on_submit():
        try:
            sessions.update_session(
                current_user,
                session,
                expected_version=expected_version(form.version.data),
                held_on=form.held_on.data,
                behaviour=form.behaviour.data or "",
                commitment=form.commitment.data or "",
                follow_up_on=form.follow_up_on.data,
                evaluation_ids=form.evaluations.data or [],
                question_ids=form.questions.data or [],
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        except Conflict as conflict:
            session = sessions.get_session(current_user, session_id)
            form.version.data = str(session.version)  # sending again is a deliberate choice
            status, message = 409, conflict.message
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("coaching.session_detail", session_id=session.id), code=303)
    return render_view(
        "coaching/session_new.html",
        form=form,
        agent=session.agent,
        record=session,
        message=message,
        status=status,
    )


@bp.get("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    session = sessions.get_session(current_user, session_id)
    return render_view(
        "coaching/session_detail.html",
        session=session,
        effect=sessions.effect_of(session),
        min_evaluations=sessions.effect.MIN_EVALUATIONS,
    )
