"""The meeting page and its regions: status, agenda with talking points, shared notes, the
supervisor's private notes, action items. Each region refreshes on its own over htmx."""

from __future__ import annotations

from datetime import datetime

from flask import abort, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.coaching import meetings, notes, schedule, talking_points
from portal.coaching.models import OneOnOne
from portal.db import usable_token, utcnow
from portal.errors import Conflict, DomainError, ValidationFailed
from portal.htmx import is_fragment_request, render_view

from .forms import (
    ActionItemForm,
    ActionToggleForm,
    AgendaAddForm,
    MeetingStatusForm,
    PrivateNoteForm,
    SharedNotesForm,
    new_token,
)
from .views import bp, show_errors


def _people(meeting: OneOnOne) -> list[SelectChoice]:
    return [
        SelectChoice(meeting.person_id, meeting.report.name),
        SelectChoice(meeting.supervisor_id, meeting.supervisor.name),
    ]


def _action_form(meeting: OneOnOne, form: ActionItemForm | None = None) -> ActionItemForm:
    form = form or ActionItemForm(formdata=None, token=new_token(), owner_id=meeting.person_id)
    form.owner_id.choices = _people(meeting)
    return form


def _agenda_ctx(meeting: OneOnOne, form: AgendaAddForm | None = None) -> dict:
    return {
        "meeting": meeting,
        "agenda": meetings.agenda_for(meeting),
        "points": talking_points.talking_points_for(meeting),
        "agenda_form": form or AgendaAddForm(formdata=None, token=new_token()),
    }


def _actions_ctx(meeting: OneOnOne, form: ActionItemForm | None = None) -> dict:
    return {
        "meeting": meeting,
        "actions": meetings.action_items_for_meeting(meeting),
        "action_form": _action_form(meeting, form),
        "toggle_form": ActionToggleForm(formdata=None),
    }


def _notes_ctx(meeting: OneOnOne, form: SharedNotesForm | None = None, error=None) -> dict:
    return {
        "meeting": meeting,
        "notes_form": form
        or SharedNotesForm(
            formdata=None, shared_notes=meeting.shared_notes, version=meeting.notes_version
        ),
        "notes_error": error,
    }


def _private_ctx(meeting: OneOnOne, form: PrivateNoteForm | None = None, error=None) -> dict:
    note = notes.private_note_for(current_user, meeting)
    return {
        "meeting": meeting,
        "private_form": form
        or PrivateNoteForm(
            formdata=None,
            private_note=note.body if note else "",
            version=note.version if note else 0,
        ),
        "private_error": error,
    }


def _region(meeting: OneOnOne, template: str, /, status: int = 200, **ctx):
    """The region for htmx; otherwise back to the meeting page (303), or the page with the
    error (status >= 400) so what was typed is kept."""
    if is_fragment_request():
        return make_response(render_template(template, **ctx), status)
    if status >= 400:
        return _page(meeting, status=status, **ctx)
    return redirect(url_for("coaching.meeting_detail", meeting_id=meeting.id), code=303)


def _page(meeting: OneOnOne, /, status: int = 200, **overrides):
    ctx: dict = {
        **_agenda_ctx(meeting),
        **_actions_ctx(meeting),
        **_notes_ctx(meeting),
        "status_form": MeetingStatusForm(formdata=None, version=meeting.version),
        "status_error": None,
        "series": meeting.series,
        "can_participate": policy.can(current_user, "one_on_one.participate", meeting),
        "can_record": policy.can(current_user, "one_on_one.record_status", meeting),
        "can_private": policy.can(current_user, "one_on_one.private_note", meeting),
    }
    if ctx["can_private"]:
        ctx.update(_private_ctx(meeting))
    ctx.update(overrides)
    return render_view("coaching/meeting_detail.html", status=status, **ctx)


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting_detail(meeting_id: int):
    return _page(meetings.get_meeting(current_user, meeting_id))


@bp.post("/meetings/<int:meeting_id>/status")
@login_required
def meeting_status(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    policy.require(current_user, "one_on_one.record_status", meeting)
    form = MeetingStatusForm()
    error = None
    if form.validate_on_submit():
        new_at: datetime | None = None
        if form.new_on.data and form.new_time.data:
            new_at = schedule.local_to_utc(
                form.new_on.data, form.new_time.data, current_user.time_zone or "UTC"
            )
        try:
            replacement = meetings.record_status(
                current_user,
                meeting,
                form.action.data,
                expected_version=form.version.data,
                now=utcnow(),
                reason=form.reason.data,
                new_at=new_at,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
            if "new_at" in failure.field_errors:
                form.new_on.errors = list(form.new_on.errors or []) + failure.field_errors["new_at"]
            error = failure
        except DomainError as failure:
            error = failure
        else:
            target = replacement or meeting
            from portal.htmx import hx_redirect

            return hx_redirect(url_for("coaching.meeting_detail", meeting_id=target.id))
    status = error.status if error is not None else 422
    return _region(
        meeting,
        "coaching/_status.html",
        status=status,
        meeting=meeting,
        status_form=form,
        status_error=error.message
        if error is not None and not isinstance(error, ValidationFailed)
        else None,
        can_record=True,
    )


@bp.post("/meetings/<int:meeting_id>/agenda")
@login_required
def agenda_add(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    policy.require(current_user, "one_on_one.participate", meeting)
    form = AgendaAddForm()
    if form.validate_on_submit():
        try:
            if form.point.data:
                point = talking_points.point_by_key(meeting, form.point.data)
                if point is not None:
                    meetings.add_agenda_item(
                        current_user, meeting, point.label, link=point.link, source_key=point.key
                    )
            else:
                token = usable_token(form.token.data)
                key = f"form:{token}" if token else None
                meetings.add_agenda_item(current_user, meeting, form.body.data, source_key=key)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return _region(meeting, "coaching/_agenda.html", **_agenda_ctx(meeting))
    return _region(meeting, "coaching/_agenda.html", status=422, **_agenda_ctx(meeting, form))


@bp.post("/agenda/<int:item_id>/toggle")
@login_required
def agenda_toggle(item_id: int):
    item = meetings.get_agenda_item(current_user, item_id)
    from .forms import EmptyForm

    if not EmptyForm().validate_on_submit():
        abort(400)
    meeting = meetings.toggle_agenda_item(current_user, item)
    return _region(meeting, "coaching/_agenda.html", **_agenda_ctx(meeting))


def _save_note(meeting_id: int, rule: str, form_class, field: str, save, template: str, ctx):
    """Save a meeting's shared notes or one's private note: the region again, with the text
    kept as typed and its errors (422), or with the saved text beside it on a conflict (409)."""
    meeting = meetings.get_meeting(current_user, meeting_id)
    policy.require(current_user, rule, meeting)
    form = form_class()
    if form.validate_on_submit():
        try:
            save(
                current_user,
                meeting,
                getattr(form, field).data or "",
                expected_version=form.version.data,
            )
        except Conflict as conflict:
            meeting = meetings.get_meeting(current_user, meeting_id)
            shown = {"current_notes": meeting.shared_notes} if field == "shared_notes" else {}
            return _region(
                meeting, template, status=409, **ctx(meeting, form, conflict.message), **shown
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return _region(meeting, template, **ctx(meeting), saved=True)
    return _region(meeting, template, status=422, **ctx(meeting, form))


@bp.post("/meetings/<int:meeting_id>/notes")
@login_required
def notes_save(meeting_id: int):
    return _save_note(
        meeting_id,
        "one_on_one.participate",
        SharedNotesForm,
        "shared_notes",
        meetings.save_shared_notes,
        "coaching/_notes.html",
        _notes_ctx,
    )


@bp.post("/meetings/<int:meeting_id>/private-note")
@login_required
def private_note_save(meeting_id: int):
    return _save_note(
        meeting_id,
        "one_on_one.private_note",
        PrivateNoteForm,
        "private_note",
        notes.save_private_note,
        "coaching/_private_note.html",
        _private_ctx,
    )


def action_region(meeting: OneOnOne, status: int = 200, form: ActionItemForm | None = None):
    return make_response(
        render_template("coaching/_action_items.html", **_actions_ctx(meeting, form)), status
    )


@bp.post("/meetings/<int:meeting_id>/actions")
@login_required
def action_add(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    policy.require(current_user, "one_on_one.participate", meeting)
    form = _action_form(meeting, ActionItemForm())
    if form.validate_on_submit():
        try:
            meetings.add_action_item(
                current_user,
                meeting,
                body=form.body.data,
                owner_id=form.owner_id.data,
                due_on=form.due_on.data,
                request_token=form.token.data,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return _region(meeting, "coaching/_action_items.html", **_actions_ctx(meeting))
    return _region(
        meeting, "coaching/_action_items.html", status=422, **_actions_ctx(meeting, form)
    )
