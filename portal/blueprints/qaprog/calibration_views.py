"""Calibration pages: sessions (list, new), blind scoring of each contact, closing, results."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.forms import apply_errors
from portal.htmx import hx_redirect, render_view
from portal.qa import calibration_service as service
from portal.qa import evaluations
from portal.qa.calibration_grid import MIN_CONTACTS_TO_ESTIMATE
from portal.qa.contacts import ContactFilters
from portal.qa.evaluation_maths import answer_field, comment_field
from portal.qa.score_panel import build_panel

from ..qa.forms import CRITICAL_LABELS
from . import caching
from .forms import CalibrationCloseForm, CalibrationCreateForm
from .views import bp


@bp.get("/calibration")
@login_required
def calibration_list():
    sessions = service.sessions_for(current_user)
    return render_view("qaprog/calibration_list.html", sessions=sessions)


@bp.route("/calibration/new", methods=["GET", "POST"])
@login_required
def calibration_new():
    """Title, scorecard, evaluators, and contacts picked from a searchable, paged list of those
    the lead may see. Searching and paging post the same form (buttons `search` and `after`), so
    what was typed and picked is kept; only "Create and invite" creates."""
    policy.require(current_user, "calibration.create")
    form = CalibrationCreateForm()
    versions, reviewers = caching.picker_choices()
    form.scorecard_version.choices = [SelectChoice(str(c.id), c.label) for c in versions]
    form.evaluators.choices = [SelectChoice(c.id, c.label) for c in reviewers]
    form.fill_channels()
    browsing = request.method == "POST" and ("search" in request.form or "after" in request.form)
    picked_ids: list[int] = []
    status = 200
    try:
        picked_ids = service.parse_contact_ids(request.form.getlist("pick"))
    except ValidationFailed as error:
        apply_errors(form, error, {"contacts": "pick"})
        status = 422
    if request.method == "POST" and not browsing and status == 200:
        if form.validate_on_submit():
            try:
                session = service.create_session(
                    current_user,
                    title=form.title.data.strip(),
                    scorecard_version_id=form.scorecard_version.data,
                    contact_ids=picked_ids,
                    evaluator_ids=list(form.evaluators.data or []),
                )
            except ValidationFailed as error:
                apply_errors(form, error, {"contacts": "pick"})
            else:
                return hx_redirect(url_for("qaprog.calibration_detail", session_id=session.id))
        status = 422
    filters = _picker_filters(form) if request.method == "POST" else ContactFilters()
    after = request.form.get("after") if browsing else None
    return render_view(
        "qaprog/calibration_new.html",
        status=status,
        form=form,
        page=caching.pickable_contacts(filters, after or None),
        picked=caching.picked_contacts(picked_ids),
        max_contacts=service.MAX_CONTACTS,
    )


def _picker_filters(form: CalibrationCreateForm) -> ContactFilters:
    """The picker's search as filters (all of it ignored while a search field is wrong)."""
    if not form.picker_valid():
        return ContactFilters()
    return ContactFilters(
        reference=form.reference.data or "",
        agent=form.agent.data or "",
        channel=form.channel.data or None,
        start_on=form.start_on.data,
        end_on=form.end_on.data,
    )


@bp.get("/calibration/<int:session_id>")
@login_required
def calibration_detail(session_id: int):
    session = service.get_session(current_user, session_id)
    return _detail(session)


def _detail(session, status: int = 200, message: str | None = None):
    names = service.people_names([session.lead_id] + [p.evaluator_id for p in session.participants])
    contacts = service.session_contacts(session)
    return render_view(
        "qaprog/calibration_detail.html",
        status=status,
        session=session,
        mine=service.own_scores(current_user, session),
        progress=service.progress(session),
        names=names,
        contacts=contacts,
        agents=service.agent_names(current_user, contacts.values()),
        may_score=policy.can(current_user, "calibration.score", session),
        close_form=CalibrationCloseForm(version=session.version),
        message=message,
    )


@bp.route("/calibration/<int:session_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
@login_required
def calibration_score(session_id: int, contact_id: int):
    """Blind scoring with the evaluation form (live score, keyboard); a scorer who scored the
    contact already finds their answers filled in. A POST with `live` answers the score panel
    for the answers so far (nothing saved)."""
    session = service.get_session(current_user, session_id)
    contact = service.session_contact(session, contact_id)
    version = session.scorecard_version
    mine = service.own_scores(current_user, session).get(contact_id)
    values = service.form_values(mine) if mine else {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        policy.require(current_user, "calibration.score", session)
        values = request.form.to_dict()
        if values.get("live"):
            panel = build_panel(version, evaluations.live_score(version, values))
            return render_view(
                "qa/_score_panel.html", panel=panel, bar=True, critical_labels=CRITICAL_LABELS
            )
        spec = version.spec()
        typed = {q.id: values.get(answer_field(q.id), "") for q in spec.questions()}
        answers, problems = service.parse_answers(spec, typed)
        comments = service.comments_from_form(spec, values)
        errors = {answer_field(p.question_id): [p.message] for p in problems}
        errors.update(service.comment_errors(comments))
        if not errors:
            try:
                service.submit_score(current_user, session, contact_id, answers, comments)
            except (Conflict, InvalidTransition) as error:
                return _detail(session, status=error.status, message=error.message)
            except ValidationFailed as error:
                errors = error.field_errors
            else:
                return hx_redirect(url_for("qaprog.calibration_detail", session_id=session.id))
    return render_view(
        "qaprog/calibration_score.html",
        status=422 if errors else 200,
        session=session,
        contact=contact,
        version=version,
        values=values,
        errors=errors,
        panel=build_panel(version, evaluations.live_score(version, values)),
        already=mine is not None,
        may_score=policy.can(current_user, "calibration.score", session),
        answer_field=answer_field,
        comment_field=comment_field,
        critical_labels=CRITICAL_LABELS,
    )


@bp.post("/calibration/<int:session_id>/close")
@login_required
def calibration_close(session_id: int):
    session = service.get_session(current_user, session_id)
    form = CalibrationCloseForm()
    policy.require(current_user, "calibration.close", session)
    try:
        service.close_session(current_user, session, expected_version=form.version.data or 0)
    except (Conflict, InvalidTransition) as error:
        return _detail(session, status=error.status, message=error.message)
    return hx_redirect(url_for("qaprog.calibration_results", session_id=session.id))


@bp.get("/calibration/<int:session_id>/results")
@login_required
def calibration_results(session_id: int):
    session = service.get_session(current_user, session_id)
    if session.is_open:
        return _detail(session, status=409, message=str(InvalidTransition.default_message))
    view = service.results_view(current_user, session)
    names = service.people_names([session.lead_id] + [p.evaluator_id for p in session.participants])
    return render_view(
        "qaprog/calibration_results.html",
        session=session,
        view=view,
        names=names,
        agents=service.agent_names(current_user, view.contacts.values()),
        choice_labels=view.choice_labels,
        min_contacts=MIN_CONTACTS_TO_ESTIMATE,
    )
