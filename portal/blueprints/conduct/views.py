"""Corrective action pages: the list (mine, my team's; filters; keyset paging) and its CSV
export, the form for a draft, the action's page with its steps (issue, acknowledge, follow-ups
done, close). Reading an action or the list, and exporting, are audited by the service."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.conduct import actions, exports, links, queries
from portal.conduct.labels import (
    KIND_LABELS,
    LINK_LABELS,
    STANDING_LABELS,
    STATE_LABELS,
)
from portal.conduct.models import CorrectiveAction, LinkType
from portal.db import fresh_token, utcnow
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.forms import apply_errors
from portal.htmx import render_view
from portal.org.models import Person
from portal.policy import Area, get_visible_or_404
from portal.time_format import today_for
from portal.web import expected_version

from .forms import FOLLOW_UP_FIELDS, AcknowledgeForm, ActionForm, FollowUpDoneForm, StepForm

bp = Blueprint("conduct", __name__, url_prefix="/conduct")


@bp.context_processor
def _labels() -> dict:
    return {
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "standing_labels": STANDING_LABELS,
        "link_labels": LINK_LABELS,
    }


def _show_errors(form: ActionForm, error: ValidationFailed) -> None:
    apply_errors(form, error, aliases={"follow_ups": "follow_up_1"})


# ---- the list ------------------------------------------------------------------------------


@bp.get("/")
@login_required
def action_list():
    filters = queries.ActionFilters.from_mapping(request.args)
    page = exports.list_actions(
        current_user,
        filters,
        after=request.args.get("after"),
        page_size=current_app.config["PAGE_SIZE"],
        today=today_for(current_user),
    )
    return render_view(
        "conduct/action_list.html",
        filters=filters,
        page=page,
        person=queries.person_filter_name(current_user, filters.person),
        people=actions.correctable_people(current_user),
        state_filters=queries.STATE_FILTERS,
    )


@bp.get("/export.csv")
@login_required
def action_export():
    filters = queries.ActionFilters.from_mapping(request.args)
    export = exports.export_actions(current_user, filters, today_for(current_user))
    response = Response(export.text, mimetype="text/csv")
    name = f"corrective-actions-{utcnow():%Y%m%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- writing a draft -------------------------------------------------------------------------


def _fill_choices(form: ActionForm, person: Person) -> None:
    offered = links.choices_for(current_user, person)
    for record_type in LinkType:
        form.link_field(record_type).choices = [
            SelectChoice(i, label) for i, label in offered[record_type]
        ]


def _draft(form: ActionForm) -> actions.Draft:
    return actions.Draft(
        kind=form.kind.data or "",
        held_on=form.held_on.data,
        facts=form.facts.data or "",
        expectations=form.expectations.data or "",
        follow_ups=form.follow_up_dates(),
        links=form.chosen_links(),
    )


@bp.route("/new/<int:person_id>", methods=["GET", "POST"])
@login_required
def action_new(person_id: int):
    person = get_visible_or_404(Person, person_id, current_user, Area.IMPROVEMENT)
    policy.require(current_user, "conduct.create", person)
    if request.method == "GET":
        form = ActionForm(formdata=None, token=fresh_token(), held_on=today_for(current_user))
    else:
        form = ActionForm()
    _fill_choices(form, person)
    if request.method == "POST" and form.validate_on_submit():
        try:
            action = actions.create_action(
                current_user, person, _draft(form), request_token=form.token.data
            )
        except ValidationFailed as failure:
            _show_errors(form, failure)
        else:
            flash(_("Draft saved. Only you see it until it is issued."), "success")
            return redirect(url_for("conduct.action_detail", action_id=action.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_view(
        "conduct/action_form.html", form=form, person=person, record=None, status=status
    )


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def action_edit(action_id: int):
    action = actions.get_action(current_user, action_id)
    policy.require(current_user, "conduct.edit", action)
    if request.method == "GET":
        dates = [f.due_on for f in action.follow_ups] + [None] * len(FOLLOW_UP_FIELDS)
        chosen: dict[str, list[int]] = {}
        for link in action.links:
            chosen.setdefault(f"links_{link.record_type}", []).append(link.record_id)
        form = ActionForm(
            formdata=None,
            kind=action.kind,
            held_on=action.held_on,
            facts=action.facts,
            expectations=action.expectations,
            version=str(action.version),
            **dict(zip(FOLLOW_UP_FIELDS, dates, strict=False)),
            **chosen,
        )
    else:
        form = ActionForm()
    _fill_choices(form, action.person)
    status, message = (422 if request.method == "POST" else 200), None
    if request.method == "POST" and form.validate_on_submit():
        try:
            actions.update_draft(
                current_user,
                action,
                _draft(form),
                expected_version=expected_version(form.version.data),
            )
        except ValidationFailed as failure:
            _show_errors(form, failure)
        except Conflict as conflict:
            action = actions.get_action(current_user, action_id)
            form.version.data = str(action.version)  # sending again is a deliberate choice
            status, message = 409, conflict.message
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for("conduct.action_detail", action_id=action.id), code=303)
    return render_view(
        "conduct/action_form.html",
        form=form,
        person=action.person,
        record=action,
        message=message,
        status=status,
    )


# ---- the action's page and its steps --------------------------------------------------------


def _detail(
    action: CorrectiveAction,
    *,
    status: int = 200,
    message: str | None = None,
    ack_form: AcknowledgeForm | None = None,
) -> Response:
    return render_view(
        "conduct/action_detail.html",
        action=action,
        linked=links.shown_links(current_user, action.person_id, action.links),
        standing=actions.rules.standing(action.state, action.expires_on, today_for(current_user)),
        steps=actions.steps_for(current_user, action),
        step_form=StepForm(formdata=None, version=str(action.version)),
        ack_form=ack_form or AcknowledgeForm(formdata=None, version=str(action.version)),
        done_form=FollowUpDoneForm(formdata=None),
        message=message,
        status=status,
    )


@bp.get("/<int:action_id>")
@login_required
def action_detail(action_id: int):
    return _detail(actions.view_action(current_user, action_id))


def _after_step(action_id: int, done: str) -> Response:
    flash(done, "success")
    return redirect(url_for("conduct.action_detail", action_id=action_id), code=303)


def _refused(action_id: int, error: Exception, ack_form: AcknowledgeForm | None = None):
    action = actions.view_action(current_user, action_id)  # as it is now
    status = getattr(error, "status", 409)
    message = getattr(error, "message", None) or str(error)
    return _detail(action, status=status, message=message, ack_form=ack_form)


@bp.post("/<int:action_id>/issue")
@login_required
def action_issue(action_id: int):
    action = actions.get_action(current_user, action_id)
    policy.require(current_user, "conduct.issue", action)
    form = StepForm()
    if not form.validate_on_submit():
        return _refused(action_id, ValidationFailed())
    try:
        actions.issue_action(
            current_user,
            action,
            expected_version=expected_version(form.version.data),
            today=today_for(current_user),
        )
    except (Conflict, InvalidTransition, ValidationFailed) as error:
        return _refused(action_id, error)
    return _after_step(
        action_id, _("Issued: %(name)s is asked to acknowledge it.", name=action.person.name)
    )


@bp.post("/<int:action_id>/acknowledge")
@login_required
def action_acknowledge(action_id: int):
    action = actions.get_action(current_user, action_id)
    policy.require(current_user, "conduct.acknowledge", action)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return _refused(action_id, ValidationFailed(), ack_form=form)
    try:
        actions.acknowledge_action(
            current_user,
            action,
            comment=form.comment.data or "",
            expected_version=expected_version(form.version.data),
        )
    except (Conflict, InvalidTransition) as error:
        return _refused(action_id, error, ack_form=form)
    return _after_step(action_id, _("Acknowledged. Your comment is kept with it."))


@bp.post("/follow-ups/<int:follow_up_id>/done")
@login_required
def follow_up_done(follow_up_id: int):
    follow_up = actions.get_follow_up(current_user, follow_up_id)
    action_id = follow_up.action_id
    policy.require(current_user, "conduct.follow_up", follow_up.action)
    form = FollowUpDoneForm()
    if not form.validate_on_submit():
        return _refused(action_id, ValidationFailed())
    try:
        actions.complete_follow_up(current_user, follow_up, note=form.note.data or "")
    except (Conflict, InvalidTransition) as error:
        return _refused(action_id, error)
    return _after_step(action_id, _("Follow-up recorded as done."))


@bp.post("/<int:action_id>/close")
@login_required
def action_close(action_id: int):
    action = actions.get_action(current_user, action_id)
    policy.require(current_user, "conduct.close", action)
    form = StepForm()
    if not form.validate_on_submit():
        return _refused(action_id, ValidationFailed())
    try:
        actions.close_action(
            current_user, action, expected_version=expected_version(form.version.data)
        )
    except (Conflict, InvalidTransition, ValidationFailed) as error:
        return _refused(action_id, error)
    return _after_step(action_id, _("Closed. It counts until it expires."))
