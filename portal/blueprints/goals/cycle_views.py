"""Cycle administration (HR): the list, a new cycle, its settings and phases, enrolment by org
subtree, starting and completing it, and its progress by team."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.forms import apply_errors
from portal.goals import cycle_config as config
from portal.goals import cycles
from portal.goals.models import PhaseKind, ReviewCycle
from portal.htmx import hx_redirect, render_view
from portal.org.models import Person, Position

from .forms import CycleForm, EnrolForm, VersionForm
from .views import bp


def _enrol_form(formdata: bool = True) -> EnrolForm:
    form = EnrolForm() if formdata else EnrolForm(formdata=None)
    managers = db.session.execute(
        select(Person.id, Person.name)
        .where(Person.is_active.is_(True), Person.id.in_(select(Person.manager_id)))
        .order_by(Person.depth, Person.name)
    ).all()
    form.root.choices = [SelectChoice("", _("Everyone"))] + [
        SelectChoice(pid, name) for pid, name in managers
    ]
    positions = db.session.execute(select(Position).order_by(Position.rank, Position.name))
    form.positions.choices = [SelectChoice(p.id, p.name) for p in positions.scalars()]
    return form


def _cycle_form(cycle: ReviewCycle | None = None) -> CycleForm:
    if cycle is None:
        return CycleForm(
            formdata=None,
            data={
                "version": "0",
                "scale": config.scale_text(config.DEFAULT_SCALE),
                "bands": config.bands_text(config.DEFAULT_BANDS),
                "guideline": config.guideline_text(config.DEFAULT_GUIDELINE),
                "competencies": config.competencies_text(config.DEFAULT_COMPETENCIES),
            },
        )
    data = {
        "version": str(cycle.version),
        "name": cycle.name,
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
        "goals_weight": cycle.goals_weight,
        "competencies_weight": cycle.competencies_weight,
        "promotion_min_months": cycle.promotion_min_months,
        "achievement_cap_percent": cycle.achievement_cap_percent,
        "scale": config.scale_text(cycle.scale),
        "bands": config.bands_text(cycle.bands),
        "guideline": config.guideline_text(cycle.guideline),
        "competencies": config.competencies_text(cycle.competencies),
    }
    for phase in cycle.phases:
        data[f"due_{phase.kind}"] = phase.due_on
    return CycleForm(formdata=None, data=data)


def _fields(form: CycleForm) -> cycles.CycleFields:
    """Parse the typed rules; every problem goes to its field, then ValidationFailed."""
    scale, scale_errors = config.parse_scale(form.scale.data or "")
    values = [item["value"] for item in scale]
    bands, band_errors = config.parse_bands(form.bands.data or "", values)
    guideline, guideline_errors = config.parse_guideline(form.guideline.data or "", values)
    competencies, competency_errors = config.parse_competencies(form.competencies.data or "")
    cap_errors = config.check_cap(form.achievement_cap_percent.data, bands)
    errors = {
        name: problems
        for name, problems in (
            ("scale", scale_errors),
            ("bands", band_errors),
            ("guideline", guideline_errors),
            ("competencies", competency_errors),
            ("achievement_cap_percent", cap_errors),
        )
        if problems
    }
    if errors:
        raise ValidationFailed(field_errors=errors)
    return cycles.CycleFields(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        scale=scale,
        bands=bands,
        guideline=guideline,
        competencies=competencies,
        goals_weight=form.goals_weight.data,
        competencies_weight=form.competencies_weight.data,
        promotion_min_months=form.promotion_min_months.data,
        achievement_cap_percent=form.achievement_cap_percent.data,
        phases={kind.value: getattr(form, f"due_{kind.value}").data for kind in PhaseKind},
    )


@bp.get("/cycles")
@login_required
def cycle_list():
    rows = cycles.cycles_for(current_user)
    return render_view("goals/cycle_list.html", rows=rows)


@bp.route("/cycles/new", methods=["GET", "POST"])
@login_required
def cycle_new():
    policy.require(current_user, "cycle.manage")
    form = CycleForm() if request.method == "POST" else _cycle_form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            cycle = cycles.create_cycle(current_user, _fields(form))
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            return hx_redirect(url_for("goals.cycle_detail", cycle_id=cycle.id))
    status = 422 if request.method == "POST" else 200
    return render_view("goals/cycle_new.html", form=form, status=status)


def cycle_page(cycle, *, form=None, enrol_form=None, status=200, message="", enrolled=None):
    return render_view(
        "goals/cycle_detail.html",
        status=status,
        cycle=cycle,
        form=form or (_cycle_form(cycle) if not cycle.is_completed else None),
        enrol_form=enrol_form or _enrol_form(formdata=False),
        version_form=VersionForm(formdata=None, data={"version": str(cycle.version)}),
        teams=cycles.progress_by_team(cycle),
        unfinished=cycles.unfinished_count(cycle),
        message=message,
        enrolled=enrolled,
    )


@bp.get("/cycles/<int:cycle_id>")
@login_required
def cycle_detail(cycle_id: int):
    return cycle_page(cycles.get_cycle(current_user, cycle_id))


@bp.post("/cycles/<int:cycle_id>/edit")
@login_required
def cycle_edit(cycle_id: int):
    cycle = cycles.get_cycle(current_user, cycle_id)
    form = CycleForm()
    if not form.validate_on_submit():
        return cycle_page(cycle, form=form, status=422)
    try:
        cycles.edit_cycle(
            cycle, current_user, _fields(form), expected_version=form.expected_version
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return cycle_page(cycles.get_cycle(current_user, cycle_id), form=form, status=422)
    except (Conflict, InvalidTransition) as error:
        cycle = cycles.get_cycle(current_user, cycle_id)
        form.version.data = str(cycle.version)
        return cycle_page(cycle, form=form, status=409, message=error.message)
    return hx_redirect(url_for("goals.cycle_detail", cycle_id=cycle_id))


@bp.post("/cycles/<int:cycle_id>/enrol")
@login_required
def cycle_enrol(cycle_id: int):
    cycle = cycles.get_cycle(current_user, cycle_id)
    form = _enrol_form()
    if not form.validate_on_submit():
        return cycle_page(cycle, enrol_form=form, status=422)
    rule = cycles.Eligibility(
        root_id=form.root.data,
        hired_before=form.hired_before.data,
        position_ids=tuple(form.positions.data or ()),
    )
    try:
        added = cycles.enrol(cycle, current_user, rule)
    except ValidationFailed as error:
        apply_errors(form, error)
        return cycle_page(cycle, enrol_form=form, status=422)
    except (Conflict, InvalidTransition) as error:
        return cycle_page(
            cycles.get_cycle(current_user, cycle_id),
            enrol_form=form,
            status=409,
            message=error.message,
        )
    return cycle_page(cycle, enrolled=added)


def _cycle_step(cycle_id: int, step):
    cycle = cycles.get_cycle(current_user, cycle_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return cycle_page(cycle, status=422, message=_("Reload the page and try again."))
    try:
        step(cycle, current_user, expected_version=form.expected_version)
    except (Conflict, InvalidTransition) as error:
        return cycle_page(
            cycles.get_cycle(current_user, cycle_id), status=409, message=error.message
        )
    return hx_redirect(url_for("goals.cycle_detail", cycle_id=cycle_id))


@bp.post("/cycles/<int:cycle_id>/start")
@login_required
def cycle_start(cycle_id: int):
    return _cycle_step(cycle_id, cycles.start_cycle)


@bp.post("/cycles/<int:cycle_id>/complete")
@login_required
def cycle_complete(cycle_id: int):
    return _cycle_step(cycle_id, cycles.complete_cycle)
