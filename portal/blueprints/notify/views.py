"""The signed-in person's notifications: list (newest first), open one, mark one or all read;
their delivery preferences; and the signed one-click preference link of the e-mails."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.blueprints.notify.forms import (
    OneClickForm,
    channel_choices,
    field_name,
    preferences_form,
)
from portal.extensions import csrf, db
from portal.htmx import render_view
from portal.notify import mailer, preferences, service
from portal.notify.models import CHANNELS, Notification
from portal.org.models import Person
from portal.params import cursor_id

bp = Blueprint("notify", __name__, url_prefix="/notifications")

PAGE_SIZE = 50


@bp.app_context_processor
def unread_badge() -> dict:
    """`unread_notifications()` for the header badge: one COUNT on an index, only when a
    signed-in page's header asks for it."""

    def unread_notifications() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:  # the list page counted already
            g.unread_notifications = service.unread_count(current_user)
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


@bp.get("/")
@login_required
def notification_list():
    before = cursor_id(request.args.get("before"))
    rows = service.page(current_user, before, PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    g.unread_notifications = service.unread_count(current_user)  # the header's badge too
    return render_view(
        "notify/list.html",
        rows=[(n, service.message(n)) for n in rows],
        next_before=rows[-1].id if more else None,
        unread=g.unread_notifications,
    )


@bp.post("/<int:note_id>/open")
@login_required
def notification_open(note_id: int):
    note = db.session.get(Notification, note_id)
    if note is None or note.person_id != current_user.id:
        abort(404)
    service.mark_read(current_user, note.id)
    db.session.commit()
    return redirect(note.url if note.url.startswith("/") else url_for("home.index"), code=303)


@bp.post("/<int:note_id>/read")
@login_required
def notification_read(note_id: int):
    note = db.session.get(Notification, note_id)
    if note is None or note.person_id != current_user.id:
        abort(404)
    service.mark_read(current_user, note.id)
    db.session.commit()
    return redirect(url_for("notify.notification_list"), code=303)


@bp.post("/read-all")
@login_required
def notification_read_all():
    service.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notify.notification_list"), code=303)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preference_edit():
    current = preferences.channels_for(current_user.id)
    groups = preferences.grouped_kinds()
    kinds = [kind for _group, members in groups for kind in members]
    form = preferences_form(kinds, current, request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            changed = 0
            for kind in kinds:
                chosen = form[field_name(kind)].data
                if chosen != current.get(kind):
                    changed += preferences.set_channel(current_user.id, kind, chosen)
            db.session.commit()
            flash(
                _("Your notification settings were saved.")
                if changed
                else _("Nothing was changed."),
                "success",
            )
            return redirect(url_for("notify.preference_edit"), code=303)
        status = 422
    else:
        status = 200
    return render_view(
        "notify/preferences.html",
        status=status,
        form=form,
        groups=[(group, [form[field_name(k)] for k in members]) for group, members in groups],
    )


@bp.route("/preference/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link authorises; mail programs' one-click POST has no token
def preference_link(token: str):
    """The e-mails' signed link for one kind: GET shows the kind and a button, POST applies it
    (the RFC 8058 one-click POST, with no channel, means "no more e-mail of this kind")."""
    found = mailer.read_preference_token(token)
    if found is None:
        abort(404)
    person_id, kind = found
    person = db.session.get(Person, person_id)
    if person is None or kind not in service.MESSAGES:
        abort(404)
    form = OneClickForm(formdata=request.form if request.method == "POST" else None)
    form.channel.choices = channel_choices()
    current = preferences.channel_for(person.id, kind)
    saved = False
    status = 200
    if request.method == "POST":
        if "channel" not in request.form:
            form.channel.data = "portal"  # List-Unsubscribe=One-Click
        if form.channel.data in CHANNELS and ("channel" not in request.form or form.validate()):
            preferences.set_channel(person.id, kind, form.channel.data)
            db.session.commit()
            current = form.channel.data
            saved = True
        else:
            status = 422
    else:
        form.channel.data = "portal" if current != "portal" else current
    return render_view(
        "notify/one_click.html",
        status=status,
        form=form,
        kind_label=preferences.kind_label(kind),
        current_label=str(preferences.CHANNEL_LABELS[current]),
        saved=saved,
        token=token,
    )
