"""HR administration: the audit log (here), staff grants and other people's sessions
(sibling modules attaching their routes to the same blueprint)."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user, login_required

from portal import audit_display, policy
from portal.admin import audit_queries
from portal.blueprints.admin.forms import AuditFilterForm
from portal.htmx import is_fragment_request, render_view
from portal.params import cursor_id

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/audit")
@login_required
def audit_list():
    # Checked before the filters are read, so a refused viewer learns nothing from errors.
    policy.require(current_user, "audit.view")
    form = AuditFilterForm(request.args)
    if not is_fragment_request():  # the picker is only drawn with the whole page
        form.set_actions(audit_display.action_groups(audit_queries.logged_actions()))
    if not form.validate():
        return render_view(
            "admin/audit_list.html",
            "admin/_audit_results.html",
            status=422,
            form=form,
            results=None,
        )
    filters = form.filters()
    page = audit_queries.search_audit(
        current_user,
        filters,
        after=cursor_id(request.args.get("after")),
        limit=current_app.config["PAGE_SIZE"],
    )
    return render_view(
        "admin/audit_list.html",
        "admin/_audit_results.html",
        form=form,
        results=page,
        entries=audit_display.present(page.rows, current_user, url_for),
        paging_args=filters.as_args(),
    )


# The sibling modules register their routes on `bp` when imported.
from portal.blueprints.admin import grant_views, session_views  # noqa: E402, F401
