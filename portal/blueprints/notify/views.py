"""The signed-in person's notifications: list (newest first), open one, mark all read."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.htmx import render_view
from portal.notify import service
from portal.notify.models import Notification
from portal.params import cursor_id

bp = Blueprint("notify", __name__, url_prefix="/notifications")

PAGE_SIZE = 50


@bp.get("/")
@login_required
def notification_list():
    before = cursor_id(request.args.get("before"))
    rows = service.page(current_user, before, PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render_view(
        "notify/list.html",
        rows=[(n, service.message(n)) for n in rows],
        next_before=rows[-1].id if more else None,
        unread=service.unread_count(current_user),
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


@bp.post("/read-all")
@login_required
def notification_read_all():
    service.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notify.notification_list"), code=303)
