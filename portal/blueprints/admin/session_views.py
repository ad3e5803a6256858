"""HR: another person's open sessions; end one or all of them."""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.admin import sessions as admin_sessions
from portal.blueprints.admin.views import bp
from portal.db import utcnow
from portal.htmx import hx_redirect, render_view


@bp.get("/people/<int:person_id>/sessions")
@login_required
def person_sessions(person_id: int):
    person, rows = admin_sessions.open_sessions_for(current_user, person_id)
    return render_view(
        "admin/person_sessions.html",
        person=person,
        rows=rows,
        current_id=current_user.__dict__.get("_session_id"),
    )


@bp.post("/people/<int:person_id>/sessions/<int:session_id>/end")
@login_required
def person_session_end(person_id: int, session_id: int):
    admin_sessions.end_person_session(current_user, person_id, session_id, now=utcnow())
    flash(_("The session was ended."), "success")
    return hx_redirect(url_for("admin.person_sessions", person_id=person_id))


@bp.post("/people/<int:person_id>/sessions/end-all")
@login_required
def person_sessions_end_all(person_id: int):
    ended = admin_sessions.end_person_sessions(current_user, person_id, now=utcnow())
    flash(
        ngettext("%(num)d session was ended.", "%(num)d sessions were ended.", ended),
        "success",
    )
    return hx_redirect(url_for("admin.person_sessions", person_id=person_id))
