"""Improvement-plan pages: the list (mine, my team's), a plan with its expectations, check-ins
and history, the forms that open and change it, its PDF and the CSV export. Every read of a
plan, its PDF and the export is audited by the service."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.db import fresh_token, utcnow
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.forms import DECIMAL_LIMIT, apply_errors
from portal.goals import figures, pdf
from portal.htmx import hx_redirect, render_view
from portal.improvement import plans as service
from portal.improvement import rules
from portal.improvement.models import PlanState
from portal.org.csv_safety import csv_text
from portal.params import parse_int
from portal.time_format import today_for

from .forms import (
    DIRECTION_LABELS,
    EVENT_LABELS,
    OUTCOME_LABELS,
    STATE_LABELS,
    AcknowledgeForm,
    CheckInForm,
    ExpectationForm,
    OutcomeForm,
    PlanForm,
    VersionForm,
)

bp = Blueprint("improvement", __name__, url_prefix="/improvement")


@bp.context_processor
def _labels() -> dict:
    return {
        "state_labels": STATE_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "event_labels": EVENT_LABELS,
        "direction_labels": DIRECTION_LABELS,
        "pct": figures.percent,
    }


# ---- the list and the export ----------------------------------------------------------------


@bp.get("/")
@login_required
def plan_list():
    state = request.args.get("state") or None
    if state not in {s.value for s in PlanState}:
        state = None
    person_id = parse_int(request.args.get("person"))
    page = service.team_plans(
        current_user,
        state=state,
        person_id=person_id,
        after=request.args.get("after"),
        limit=current_app.config["PAGE_SIZE"],
    )
    args = {k: v for k, v in {"state": state, "person": person_id}.items() if v}
    return render_view(
        "improvement/plan_list.html",
        "improvement/_plan_rows.html",
        mine=service.my_plans(current_user),
        page=page,
        people=service.people_with_plans(current_user),
        state=state,
        person_id=person_id,
        args=args,
    )


@bp.get("/export.csv")
@login_required
def plan_export():
    rows = service.export_rows(current_user)
    header = [
        _("Employee"),
        _("Employee ID"),
        _("State"),
        _("Starts on"),
        _("Ends on"),
        _("Expectations met"),
        _("Expectations"),
        _("Acknowledged"),
        _("Outcome"),
    ]
    body = []
    for plan, person in rows:
        standing = rules.standing([v.figures for v in service.expectation_views(plan.expectations)])
        body.append(
            [
                person.name,
                person.employee_id,
                str(STATE_LABELS[PlanState(plan.state)]),
                plan.starts_on.isoformat(),
                plan.ends_on.isoformat(),
                standing.met,
                standing.total,
                _("yes") if plan.acknowledged_at else _("no"),
                str(OUTCOME_LABELS[plan.outcome]) if plan.outcome else "",
            ]
        )
    response = Response(csv_text(header, body), mimetype="text/csv")
    name = f"improvement-plans-{utcnow():%Y%m%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- opening and editing a draft -------------------------------------------------------------


def _plan_form(*, plan=None, person_id=None, formdata=True) -> PlanForm:
    if formdata:
        form = PlanForm()
    elif plan is not None:
        form = PlanForm(
            formdata=None,
            data={
                "version": str(plan.version),
                "person_id": plan.person_id,
                "reason": plan.reason,
                "support": plan.support,
                "starts_on": plan.starts_on,
                "length_days": plan.length_days,
                "check_in_every_days": plan.check_in_every_days,
            },
        )
    else:
        form = PlanForm(
            formdata=None,
            data={
                "version": "0",
                "person_id": person_id,
                "starts_on": today_for(current_user),
                "length_days": 60,
                "token": fresh_token(),
            },
        )
    return form


def _fields(form: PlanForm) -> service.PlanFields:
    return service.PlanFields(
        reason=form.reason.data or "",
        support=form.support.data or "",
        starts_on=form.starts_on.data,
        length_days=form.length_days.data,
        check_in_every_days=form.check_in_every_days.data,
    )


def _new_page(form: PlanForm, *, status: int = 200, message: str = ""):
    people = service.people_for_new_plan(current_user)
    form.person_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.id, f"{p.name} · {p.employee_id}") for p in people
    ]
    return render_view(
        "improvement/plan_new.html", status=status, form=form, message=message, plan=None
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def plan_new():
    policy.require(current_user, "improvement.list_team")
    if request.method == "GET":
        return _new_page(
            _plan_form(person_id=parse_int(request.args.get("person")), formdata=False)
        )
    form = _plan_form()
    if not form.validate_on_submit():
        return _new_page(form, status=422)
    if form.person_id.data is None:
        form.person_id.errors = [_("Choose the employee.")]
        return _new_page(form, status=422)
    person = service.person_for_new_plan(current_user, form.person_id.data)
    try:
        plan = service.create_plan(person, current_user, _fields(form), token=form.token.data)
    except ValidationFailed as error:
        apply_errors(form, error)
        return _new_page(form, status=422)
    except Conflict as error:
        return _new_page(form, status=409, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan.id))


def _edit_page(plan, form: PlanForm, *, status: int = 200, message: str = ""):
    form.person_id.choices = [SelectChoice(plan.person_id, plan.person.name)]
    return render_view(
        "improvement/plan_edit.html", status=status, form=form, plan=plan, message=message
    )


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def plan_edit(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.edit", plan)
    if request.method == "GET":
        return _edit_page(plan, _plan_form(plan=plan, formdata=False))
    form = _plan_form()
    if not form.validate_on_submit():
        return _edit_page(plan, form, status=422)
    try:
        service.edit_plan(plan, current_user, _fields(form), expected_version=form.expected_version)
    except ValidationFailed as error:
        plan = service.get_plan(current_user, plan_id)
        apply_errors(form, error)
        return _edit_page(plan, form, status=422)
    except (Conflict, InvalidTransition) as error:
        plan = service.get_plan(current_user, plan_id)
        form.version.data = str(plan.version)
        return _edit_page(plan, form, status=409, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))


# ---- the plan page ---------------------------------------------------------------------------


def plan_page(plan, *, status: int = 200, bound: dict | None = None, typed=None, message=""):
    """The plan as the viewer may see it, with the forms open to them in its state."""
    bound = bound or {}
    version = {"version": str(plan.version)}
    runs = policy.can(current_user, "improvement.edit", plan)
    can_edit = plan.is_draft and runs
    can_check_in = plan.is_active and policy.can(current_user, "improvement.check_in", plan)
    can_decide = plan.is_active and policy.can(current_user, "improvement.close", plan)
    can_ack = (
        plan.is_active
        and plan.acknowledged_at is None
        and policy.can(current_user, "improvement.acknowledge", plan)
    )
    return render_view(
        "improvement/plan_detail.html",
        status=status,
        plan=plan,
        view=service.plan_view(plan),
        today=today_for(current_user),
        can_edit=can_edit,
        version_form=VersionForm(formdata=None, data=version),
        expectation_form=bound.get("expectation")
        or (ExpectationForm(formdata=None, data=version) if can_edit else None),
        check_in_form=bound.get("check_in")
        or (
            CheckInForm(
                formdata=None, data={"token": fresh_token(), "held_on": today_for(current_user)}
            )
            if can_check_in
            else None
        ),
        acknowledge_form=bound.get("acknowledge")
        or (AcknowledgeForm(formdata=None, data=version) if can_ack else None),
        outcome_form=bound.get("outcome")
        or (OutcomeForm(formdata=None, data=version) if can_decide else None),
        typed=typed or {},
        message=message,
        is_person=plan.person_id == current_user.id,
    )


@bp.get("/<int:plan_id>")
@login_required
def plan_detail(plan_id: int):
    return plan_page(service.read_plan(current_user, plan_id))


@bp.get("/<int:plan_id>/plan.pdf")
@login_required
def plan_pdf(plan_id: int):
    plan = service.read_plan(current_user, plan_id, action="pip.pdf")
    html = render_template(
        "improvement/plan_pdf.html",
        plan=plan,
        view=service.plan_view(plan),
        pdf_fonts=pdf.font_stack(
            get_locale(), plan.person.market.code if plan.person.market else None
        ),
    )
    response = Response(pdf.html_to_pdf(html), mimetype="application/pdf")
    name = re.sub(
        r"[^A-Za-z0-9._-]", "-", f"improvement-plan-{plan.person.employee_id}-{plan.starts_on}"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _expectation_fields(form: ExpectationForm) -> service.ExpectationFields:
    return service.ExpectationFields(
        title=form.title.data or "",
        metric=form.metric.data or "",
        unit=form.unit.data or "",
        baseline=form.baseline.data,
        target=form.target.data,
        direction=form.direction.data,
        due_on=form.due_on.data,
    )


@bp.post("/<int:plan_id>/expectations")
@login_required
def expectation_create(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.edit", plan)
    form = ExpectationForm()
    if not form.validate_on_submit():
        return plan_page(plan, status=422, bound={"expectation": form})
    try:
        service.add_expectation(
            plan,
            current_user,
            _expectation_fields(form),
            expected_version=form.expected_version,
        )
    except ValidationFailed as error:
        plan = service.get_plan(current_user, plan_id)
        apply_errors(form, error)
        return plan_page(plan, status=422, bound={"expectation": form})
    except (Conflict, InvalidTransition) as error:
        plan = service.get_plan(current_user, plan_id)
        form.version.data = str(plan.version)
        return plan_page(plan, status=409, bound={"expectation": form}, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))


@bp.post("/<int:plan_id>/expectations/<int:expectation_id>/delete")
@login_required
def expectation_delete(plan_id: int, expectation_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.edit", plan)
    form = VersionForm()
    if not form.validate_on_submit():
        return plan_page(plan, status=422)
    try:
        service.remove_expectation(
            plan, current_user, expectation_id, expected_version=form.expected_version
        )
    except (Conflict, InvalidTransition) as error:
        plan = service.get_plan(current_user, plan_id)
        return plan_page(plan, status=409, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))


@bp.post("/<int:plan_id>/start")
@login_required
def plan_start(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.edit", plan)
    form = VersionForm()
    if not form.validate_on_submit():
        return plan_page(plan, status=422)
    try:
        service.start_plan(plan, current_user, expected_version=form.expected_version)
    except (Conflict, InvalidTransition, ValidationFailed) as error:
        plan = service.get_plan(current_user, plan_id)
        status = 422 if isinstance(error, ValidationFailed) else 409
        return plan_page(plan, status=status, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))


@bp.post("/<int:plan_id>/acknowledge")
@login_required
def plan_acknowledge(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.acknowledge", plan)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return plan_page(plan, status=422, bound={"acknowledge": form})
    try:
        service.acknowledge_plan(
            plan,
            current_user,
            comment=form.comment.data or "",
            expected_version=form.expected_version,
        )
    except (Conflict, InvalidTransition) as error:
        plan = service.get_plan(current_user, plan_id)
        form.version.data = str(plan.version)
        return plan_page(plan, status=409, bound={"acknowledge": form}, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))


def _typed_values(plan) -> tuple[dict[int, Decimal], dict[str, str], dict[str, list[str]]]:
    """The values typed per expectation: (the readable ones by expectation id, every raw text by
    field name, errors by field name). A blank value is "not measured this time"."""
    values: dict[int, Decimal] = {}
    raw: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for expectation in plan.expectations:
        name = f"value-{expectation.id}"
        text = (request.form.get(name) or "").strip()
        raw[name] = text
        if not text:
            continue
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            errors[name] = [_("Enter a number.")]
            continue
        if not number.is_finite() or abs(number) >= DECIMAL_LIMIT:
            errors[name] = [_("Enter a number.")]
            continue
        values[expectation.id] = number
    return values, raw, errors


@bp.post("/<int:plan_id>/check-ins")
@login_required
def check_in_create(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.check_in", plan)
    form = CheckInForm()
    values, raw, value_errors = _typed_values(plan)
    valid = form.validate_on_submit()
    if not valid or value_errors:
        return plan_page(
            plan, status=422, bound={"check_in": form}, typed={**raw, "errors": value_errors}
        )
    try:
        service.add_check_in(
            plan,
            current_user,
            held_on=form.held_on.data,
            note=form.note.data or "",
            values=values,
            token=form.token.data,
            today=today_for(current_user),
        )
    except ValidationFailed as error:
        plan = service.get_plan(current_user, plan_id)
        apply_errors(form, error)
        return plan_page(plan, status=422, bound={"check_in": form}, typed=raw)
    except (Conflict, InvalidTransition) as error:
        plan = service.get_plan(current_user, plan_id)
        return plan_page(
            plan, status=409, bound={"check_in": form}, typed=raw, message=error.message
        )
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))


@bp.post("/<int:plan_id>/outcome")
@login_required
def plan_outcome(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    policy.require(current_user, "improvement.close", plan)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return plan_page(plan, status=422, bound={"outcome": form})
    try:
        service.record_outcome(
            plan,
            current_user,
            outcome=form.outcome.data,
            reason=form.reason.data or "",
            extend_days=form.extend_days.data,
            expected_version=form.expected_version,
        )
    except ValidationFailed as error:
        plan = service.get_plan(current_user, plan_id)
        apply_errors(form, error)
        return plan_page(plan, status=422, bound={"outcome": form})
    except (Conflict, InvalidTransition) as error:
        plan = service.get_plan(current_user, plan_id)
        form.version.data = str(plan.version)
        return plan_page(plan, status=409, bound={"outcome": form}, message=error.message)
    return hx_redirect(url_for("improvement.plan_detail", plan_id=plan_id))
