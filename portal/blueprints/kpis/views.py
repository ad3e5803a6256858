"""KPI definitions (HR), targets (HR, and managers within their subtree), and the import of
daily values."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.db import utcnow
from portal.errors import Conflict
from portal.extensions import db
from portal.htmx import hx_redirect, render_view
from portal.kpis import definitions, values
from portal.org.models import Position
from portal.web import expected_version

from .forms import (
    AGGREGATION_LABELS,
    DIRECTION_LABELS,
    KpiActionForm,
    KpiForm,
    KpiTargetForm,
    KpiValueImportForm,
)

bp = Blueprint("kpis", __name__, url_prefix="/kpis")


def _kpi_form(kpi=None) -> KpiForm:
    form = KpiForm(obj=kpi) if kpi is not None and request.method == "GET" else KpiForm()
    form.positions.choices = [
        SelectChoice(p.id, p.name)
        for p in db.session.execute(select(Position).order_by(Position.rank, Position.name))
        .scalars()
        .all()
    ]
    if kpi is not None and request.method == "GET":
        form.positions.data = [p.id for p in kpi.positions]
        form.version.data = str(kpi.version)
    return form


def _fields(form: KpiForm) -> definitions.KpiFields:
    return definitions.KpiFields(
        code=form.code.data.strip(),
        name=form.name.data.strip(),
        unit=(form.unit.data or "").strip(),
        direction=form.direction.data,
        aggregation=form.aggregation.data,
        decimals=form.decimals.data,
        position_ids=tuple(form.positions.data or ()),
    )


@bp.get("/")
@login_required
def kpi_list():
    policy.require(current_user, "kpi.list")
    return render_view(
        "kpis/kpi_list.html",
        kpis=definitions.all_kpis(current_user),
        target_counts=definitions.visible_target_counts(current_user),
        direction_labels=DIRECTION_LABELS,
        aggregation_labels=AGGREGATION_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def kpi_new():
    policy.require(current_user, "kpi.define")
    form = _kpi_form()
    if request.method == "POST":
        if form.validate_on_submit() and definitions.code_taken(form.code.data.strip()):
            form.code.errors.append(_("Another KPI has this code."))
        elif form.validate_on_submit():
            kpi = definitions.create_kpi(current_user, _fields(form))
            return hx_redirect(url_for("kpis.kpi_detail", kpi_id=kpi.id))
        return render_view("kpis/kpi_new.html", status=422, form=form)
    return render_view("kpis/kpi_new.html", form=form)


def _targets_form() -> KpiTargetForm:
    """The target form, offering only the markets and teams the viewer may set targets for
    (a posted id outside them is "not a valid choice", a 422)."""
    form = KpiTargetForm()
    markets, teams = definitions.target_choices(current_user)
    form.scope.choices = [
        SelectChoice(f"market:{m.id}", f"{_('Market')}: {m.name}") for m in markets
    ] + [
        SelectChoice(
            f"team:{t.id}", f"{_('Team')}: {t.name}" + (f" ({t.market.code})" if t.market else "")
        )
        for t in teams
    ]
    return form


def _detail(kpi, *, form=None, target_form=None, status=200, error=None):
    targets = definitions.visible_targets(current_user, kpi)
    return render_view(
        "kpis/kpi_detail.html",
        status=status,
        kpi=kpi,
        form=form or _kpi_form(kpi),
        may_define=policy.can(current_user, "kpi.define", kpi),
        targets=targets,
        removable={t.id for t in targets if policy.can(current_user, "kpi.set_target", t)},
        target_form=target_form or _targets_form(),
        action_form=KpiActionForm(),
        names=definitions.scope_names(targets),
        error=error,
        direction_labels=DIRECTION_LABELS,
        aggregation_labels=AGGREGATION_LABELS,
    )


def _visible_kpi(kpi_id: int):
    """The set-up pages are for HR and managers (403 for others); a KPI that does not exist
    is a 404. Definitions are organisation-wide, so every manager sees every KPI."""
    policy.require(current_user, "kpi.list")
    return definitions.get_kpi(kpi_id)


@bp.get("/<int:kpi_id>")
@login_required
def kpi_detail(kpi_id: int):
    return _detail(_visible_kpi(kpi_id))


@bp.post("/<int:kpi_id>/edit")
@login_required
def kpi_edit(kpi_id: int):
    kpi = _visible_kpi(kpi_id)
    policy.require(current_user, "kpi.define", kpi)
    form = _kpi_form(kpi)
    if not form.validate_on_submit():
        return _detail(kpi, form=form, status=422)
    if definitions.code_taken(form.code.data.strip(), kpi.id):
        form.code.errors.append(_("Another KPI has this code."))
        return _detail(kpi, form=form, status=422)
    try:
        expected = expected_version(form.version.data)
    except ValueError:
        expected = None
    try:
        definitions.edit_kpi(current_user, kpi, _fields(form), expected_version=expected)
    except Conflict as conflict:
        db.session.rollback()
        return _detail(definitions.get_kpi(kpi_id), form=form, status=409, error=conflict.message)
    flash(_("The KPI was saved."), "success")
    return hx_redirect(url_for("kpis.kpi_detail", kpi_id=kpi.id))


@bp.post("/<int:kpi_id>/archive")
@login_required
def kpi_archive(kpi_id: int):
    kpi = _visible_kpi(kpi_id)
    policy.require(current_user, "kpi.define", kpi)
    if not KpiActionForm().validate_on_submit():
        abort(400)
    definitions.set_archived(current_user, kpi, not kpi.is_archived)
    return hx_redirect(url_for("kpis.kpi_detail", kpi_id=kpi.id))


@bp.post("/<int:kpi_id>/targets")
@login_required
def kpi_target_set(kpi_id: int):
    kpi = _visible_kpi(kpi_id)
    form = _targets_form()
    if not form.validate_on_submit():
        return _detail(kpi, target_form=form, status=422)
    kind, _sep, raw_id = form.scope.data.partition(":")
    definitions.set_target(
        current_user,
        kpi,
        market_id=int(raw_id) if kind == "market" else None,
        team_id=int(raw_id) if kind == "team" else None,
        target=form.target.data,
    )
    return hx_redirect(url_for("kpis.kpi_detail", kpi_id=kpi.id))


@bp.post("/<int:kpi_id>/targets/<int:target_id>/delete")
@login_required
def kpi_target_delete(kpi_id: int, target_id: int):
    kpi = _visible_kpi(kpi_id)
    if not KpiActionForm().validate_on_submit():
        abort(400)
    definitions.delete_target(current_user, kpi, target_id)
    return hx_redirect(url_for("kpis.kpi_detail", kpi_id=kpi.id))


@bp.route("/values/import", methods=["GET", "POST"])
@login_required
def value_import():
    policy.require(current_user, "kpi.import")
    form = KpiValueImportForm()
    outcome = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = values.import_csv(current_user, form.file.data.stream, today=utcnow().date())
            if outcome.ok:
                flash(
                    ngettext(
                        "%(num)d daily value was imported.",
                        "%(num)d daily values were imported.",
                        outcome.written,
                    ),
                    "success",
                )
                return hx_redirect(url_for("kpis.value_import"))
        status = 422
    return render_view(
        "kpis/value_import.html",
        status=status,
        form=form,
        outcome=outcome,
        columns=values.COLUMNS,
        max_rows=values.MAX_ROWS,
    )


@bp.get("/values/import-template.csv")
@login_required
def value_import_template():
    policy.require(current_user, "kpi.import")
    response = Response(values.template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="kpi-values-template.csv"'
    return response
