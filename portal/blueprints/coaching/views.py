"""1:1 pages: my 1:1s, setting up a team's series, a series' history, open action items, the
calendar feed. The meeting page, completion and coaching sessions are in sibling modules."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.coaching import calendar, meetings, queries
from portal.coaching import series as series_service
from portal.db import utcnow
from portal.errors import DomainError, ValidationFailed
from portal.extensions import db
from portal.htmx import is_fragment_request, render_view
from portal.params import parse_datetime

from . import forms
from .forms import ActionToggleForm, EmptyForm, SeriesEditForm, SeriesSetupForm

bp = Blueprint("coaching", __name__, url_prefix="/coaching")

HISTORY_PAGE = 20


@bp.context_processor
def _labels() -> dict:
    return {
        "status_labels": forms.STATUS_LABELS,
        "cadence_labels": forms.CADENCE_LABELS,
        "weekday_labels": forms.WEEKDAY_LABELS,
        "action_labels": forms.ACTION_LABELS,
        "cell_labels": forms.CELL_LABELS,
    }


def show_errors(form, error: ValidationFailed) -> None:
    for name, messages in error.field_errors.items():
        target = form._fields.get(name)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = list(target.errors or []) + list(messages)


def _index(setup_form: SeriesSetupForm, status: int = 200) -> Response:
    now = utcnow()
    supervising = queries.supervised_series(current_user, now)
    return render_view(
        "coaching/index.html",
        supervising=supervising,
        without=queries.reports_without_series(current_user),
        own=queries.own_series(current_user, now),
        setup_form=setup_form,
        status=status,
    )


@bp.get("/")
@login_required
def index():
    return _index(SeriesSetupForm())


@bp.post("/series/setup")
@login_required
def series_setup():
    policy.require(current_user, "one_on_one.setup_team")
    form = SeriesSetupForm()
    if form.validate_on_submit():
        try:
            created = series_service.setup_team(
                current_user,
                cadence=form.cadence.data,
                weekday=form.weekday.data,
                start_time=form.start_time.data,
                now=utcnow(),
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            from flask import flash

            flash(
                _("1:1s set up with %(n)d people.", n=len(created))
                if created
                else _("Everyone in your team already has a 1:1 series."),
                "success",
            )
            return redirect(url_for("coaching.index"), code=303)
    return _index(form, status=422)


@bp.get("/series/<int:series_id>")
@login_required
def series_detail(series_id: int):
    series = meetings.get_series(current_user, series_id)
    form = SeriesEditForm(
        formdata=None,
        cadence=series.cadence,
        weekday=series.weekday,
        start_time=series.start_time,
        version=series.version,
    )
    return _series_page(series, form)


@bp.post("/series/<int:series_id>/edit")
@login_required
def series_edit(series_id: int):
    series = meetings.get_series(current_user, series_id)
    policy.require(current_user, "one_on_one.edit_series", series)
    form = SeriesEditForm()
    status = 422
    if form.validate_on_submit():
        try:
            series_service.update_series(
                current_user,
                series,
                cadence=form.cadence.data,
                weekday=form.weekday.data,
                start_time=form.start_time.data,
                expected_version=form.version.data,
                now=utcnow(),
            )
        except ValidationFailed as error:
            show_errors(form, error)
        except DomainError as error:
            form.form_errors.append(error.message)
            status = error.status
            series = meetings.get_series(current_user, series_id)
        else:
            return redirect(url_for("coaching.series_detail", series_id=series.id), code=303)
    return _series_page(series, form, status=status)


def _series_page(series, form, status: int = 200) -> Response:
    before = parse_datetime(request.args.get("before"))
    rows = queries.series_meetings(series, before=before, limit=HISTORY_PAGE + 1)
    more = len(rows) > HISTORY_PAGE
    rows = rows[:HISTORY_PAGE]
    return render_view(
        "coaching/series_detail.html",
        series=series,
        rows=rows,
        next_before=rows[-1].scheduled_at.isoformat() if more else None,
        form=form,
        status=status,
    )


@bp.get("/actions")
@login_required
def action_list():
    items = queries.open_action_items(current_user)
    return render_view(
        "coaching/action_list.html",
        mine=[i for i in items if i.mine],
        theirs=[i for i in items if not i.mine],
        form=ActionToggleForm(),
    )


@bp.post("/actions/<int:item_id>/toggle")
@login_required
def action_toggle(item_id: int):
    item = meetings.get_action_item(current_user, item_id)
    form = ActionToggleForm()
    if not form.validate_on_submit():
        abort(422)
    meeting = None
    if form.meeting_id.data:
        meeting = meetings.get_meeting(current_user, form.meeting_id.data)
        if meeting.series_id != item.series_id:
            abort(404)
    done = form.done.data != "0" if form.done.data else not item.is_done
    meetings.set_action_item_done(current_user, item, done, now=utcnow(), meeting=meeting)
    if meeting is not None:
        from .meeting_views import action_region

        if is_fragment_request():
            return action_region(meeting)
        return redirect(url_for("coaching.meeting_detail", meeting_id=meeting.id), code=303)
    return redirect(url_for("coaching.action_list"), code=303)


# ---- calendar feed -------------------------------------------------------------------------


@bp.get("/calendar")
@login_required
def calendar_settings():
    return render_view(
        "coaching/calendar.html",
        feed=calendar.feed_of(current_user),
        new_link=None,
        form=EmptyForm(),
    )


@bp.post("/calendar/reset")
@login_required
def calendar_reset():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    token = calendar.reset_feed(current_user)
    link = url_for("coaching.calendar_feed", token=token, _external=True)
    return render_view(
        "coaching/calendar.html", feed=calendar.feed_of(current_user), new_link=link, form=form
    )


@bp.post("/calendar/revoke")
@login_required
def calendar_revoke():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    calendar.revoke_feed(current_user)
    return redirect(url_for("coaching.calendar_settings"), code=303)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """No sign-in: calendar apps cannot sign in; the secret token is the key."""
    person = calendar.person_for_token(token)
    if person is None:
        abort(404)
    body = calendar.ics_for(person, utcnow(), request.host_url)
    db.session.rollback()
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response


from portal.coaching import audit_entries  # noqa: E402, F401  (says how coaching audit entries read)

from . import completion_views, effect_views, meeting_views, session_views  # noqa: E402, F401
