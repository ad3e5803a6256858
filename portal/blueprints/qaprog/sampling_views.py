"""Sampling pages: rules (list, new), running a rule for a week, a run's picks and why."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.errors import Conflict, ValidationFailed
from portal.htmx import hx_redirect, render_view
from portal.qa import programme_choices as choices
from portal.qa import sampling_service as service
from portal.qa.contacts import filter_choices
from portal.web import expected_version

from .forms import RuleActiveForm, SamplingRuleForm, SamplingRunForm
from .views import _today, bp


@bp.get("/sampling")
@login_required
def sampling_rule_list():
    rules = service.rules_for(current_user)
    return render_view("qaprog/sampling_rule_list.html", rules=rules)


def _rule_form() -> SamplingRuleForm:
    form = SamplingRuleForm()
    _teams, markets, segments = filter_choices()
    form.fill_choices(choices.nodes_for(current_user), markets, segments)
    return form


def _fields(form: SamplingRuleForm) -> service.RuleFields:
    return service.RuleFields(
        name=form.name.data.strip(),
        root_person_id=form.root.data or 0,
        per_agent=form.per_agent.data,
        stratify=form.stratify.data,
        channel_minimums=form.minimums() if form.stratify.data == "minimum" else {},
        market_id=form.market.data,
        segment_id=form.segment.data,
        direction=form.direction.data or None,
        min_duration_seconds=form.min_duration_seconds.data,
        assign_to=form.assign_to.data,
        due_days=form.due_days.data,
    )


@bp.route("/sampling/new", methods=["GET", "POST"])
@login_required
def sampling_rule_new():
    service.rules_for(current_user)  # 403 for those who may not manage sampling
    form = _rule_form()
    if request.method == "GET":
        form.per_agent.data = form.per_agent.data or 4
        form.due_days.data = 7 if form.due_days.data is None else form.due_days.data
    if form.validate_on_submit():
        try:
            rule = service.create_rule(current_user, _fields(form))
        except ValidationFailed as error:
            for name, messages in error.field_errors.items():
                getattr(form, name).errors = list(messages)
        else:
            return hx_redirect(url_for("qaprog.sampling_rule_detail", rule_id=rule.id))
    status = 422 if request.method == "POST" else 200
    return render_view("qaprog/sampling_rule_new.html", status=status, form=form, rule=None)


def _filled(rule) -> SamplingRuleForm:
    """The edit form showing the rule as it is now."""
    form = _rule_form()
    form.name.data = rule.name
    form.root.data = rule.root_person_id
    form.per_agent.data = rule.per_agent
    form.stratify.data = rule.stratify
    for channel, n in (rule.channel_minimums or {}).items():
        if hasattr(form, f"min_{channel}"):
            getattr(form, f"min_{channel}").data = n
    form.market.data = rule.market_id
    form.segment.data = rule.segment_id
    form.direction.data = rule.direction or ""
    form.min_duration_seconds.data = rule.min_duration_seconds
    form.assign_to.data = rule.assign_to
    form.due_days.data = rule.due_days
    form.version.data = str(rule.version)
    return form


@bp.route("/sampling/<int:rule_id>/edit", methods=["GET", "POST"])
@login_required
def sampling_rule_edit(rule_id: int):
    rule = service.get_rule(current_user, rule_id)
    if request.method == "GET":
        return render_view("qaprog/sampling_rule_new.html", form=_filled(rule), rule=rule)
    form = _rule_form()
    status, message = 422, None
    if form.validate_on_submit():
        try:
            expected = expected_version(form.version.data)
            service.update_rule(current_user, rule, _fields(form), expected_version=expected)
        except ValidationFailed as error:
            for name, messages in error.field_errors.items():
                getattr(form, name).errors = list(messages)
        except Conflict as error:
            rule = service.get_rule(current_user, rule_id)
            form.version.data = str(rule.version)  # sending again is a deliberate choice
            status, message = 409, error.message
        else:
            flash(_("Rule saved. Runs made before keep the rule as it was."), "success")
            return hx_redirect(url_for("qaprog.sampling_rule_detail", rule_id=rule.id))
    return render_view(
        "qaprog/sampling_rule_new.html", status=status, form=form, rule=rule, conflict=message
    )


@bp.post("/sampling/<int:rule_id>/active")
@login_required
def sampling_rule_active(rule_id: int):
    rule = service.get_rule(current_user, rule_id)
    form = RuleActiveForm()
    if not form.validate_on_submit():
        return _rule_page(rule, SamplingRunForm(formdata=None), status=422)
    try:
        expected = expected_version(form.version.data)
        service.set_active(current_user, rule, form.active.data == "1", expected_version=expected)
    except Conflict as error:
        rule = service.get_rule(current_user, rule_id)
        return _rule_page(rule, SamplingRunForm(formdata=None), status=409, conflict=error.message)
    flash(_("Rule resumed.") if rule.is_active else _("Rule paused."), "success")
    return hx_redirect(url_for("qaprog.sampling_rule_detail", rule_id=rule.id))


@bp.get("/sampling/<int:rule_id>")
@login_required
def sampling_rule_detail(rule_id: int):
    rule = service.get_rule(current_user, rule_id)
    form = SamplingRunForm()
    if form.week_on.data is None:
        form.week_on.data = _today()
    return _rule_page(rule, form)


def _rule_page(rule, form, status: int = 200, conflict: str | None = None):
    return render_view(
        "qaprog/sampling_rule_detail.html",
        status=status,
        rule=rule,
        form=form,
        runs=service.runs_for(rule),
        conflict=conflict,
        active_form=RuleActiveForm(formdata=None, version=rule.version),
    )


@bp.post("/sampling/<int:rule_id>/runs")
@login_required
def sampling_run_create(rule_id: int):
    rule = service.get_rule(current_user, rule_id)
    form = SamplingRunForm()
    if not form.validate_on_submit():
        return _rule_page(rule, form, status=422)
    try:
        run = service.run_rule(
            current_user, rule, week_on=form.week_on.data, seed=form.seed.data, today=_today()
        )
    except Conflict as error:
        return _rule_page(rule, form, status=409, conflict=error.message)
    return hx_redirect(url_for("qaprog.sampling_run_detail", rule_id=rule.id, run_id=run.id))


@bp.get("/sampling/<int:rule_id>/runs/<int:run_id>")
@login_required
def sampling_run_detail(rule_id: int, run_id: int):
    run = service.get_run(current_user, rule_id, run_id)
    assignments = service.run_assignments(current_user, run)
    short_people = service.people_by_id(current_user, [s["person_id"] for s in run.short_agents])
    return render_view(
        "qaprog/sampling_run_detail.html",
        rule=run.rule,
        run=run,
        assignments=assignments,
        short_people=short_people,
    )


@bp.get("/queue")
@login_required
def sampling_queue():
    """The signed-in evaluator's sampled contacts still to evaluate, soonest due first."""
    return render_view(
        "qaprog/sampling_queue.html",
        assignments=service.assigned_contacts(current_user),
        today=_today(),
    )
