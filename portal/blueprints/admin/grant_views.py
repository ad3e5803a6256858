"""HR: staff grants (QA analysts, trainers, HR admins)."""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.admin import grants
from portal.blueprints.admin.forms import ROLE_LABELS, GrantCreateForm
from portal.blueprints.admin.views import bp
from portal.errors import Conflict, ValidationFailed
from portal.htmx import hx_redirect, render_view


def _render(
    form: GrantCreateForm,
    *,
    status: int = 200,
    fragment: str | None = "admin/_grant_form.html",
    form_error: str | None = None,
    error: str | None = None,
):
    return render_view(
        "admin/grant_list.html",
        fragment,
        status=status,
        rows=grants.grants_for(current_user),
        form=form,
        form_error=form_error,
        error=error,
        role_labels=ROLE_LABELS,
    )


def _create_form() -> GrantCreateForm:
    form = GrantCreateForm()
    form.set_scopes(*grants.scope_choices())
    return form


@bp.get("/grants")
@login_required
def grant_list():
    policy.require(current_user, "grant.manage")
    return _render(_create_form())


@bp.post("/grants")
@login_required
def grant_create():
    policy.require(current_user, "grant.manage")
    form = _create_form()
    if not form.validate_on_submit():
        return _render(form, status=422)
    try:
        grants.create_grant(
            current_user,
            person=form.person.data,
            role=form.role.data,
            team_id=form.team_id.data,
            market_id=form.market_id.data,
        )
    except ValidationFailed as failure:
        for name, messages in failure.field_errors.items():
            getattr(form, name).errors = list(messages)
        message = None if failure.field_errors else failure.message
        return _render(form, status=422, form_error=message)
    flash(_("The grant was added."), "success")
    return hx_redirect(url_for("admin.grant_list"))


@bp.post("/grants/<int:grant_id>/delete")
@login_required
def grant_delete(grant_id: int):
    try:
        grants.delete_grant(current_user, grant_id)
    except Conflict as refusal:
        return _render(_create_form(), status=409, fragment=None, error=refusal.message)
    flash(_("The grant was removed."), "success")
    return hx_redirect(url_for("admin.grant_list"))
