"""HR administration: the audit log, other people's sessions, grants."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from portal import policy
from portal.htmx import render_view

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/audit")
@login_required
def audit_list():
    policy.require(current_user, "audit.view")
    return render_view("admin/audit_list.html")
