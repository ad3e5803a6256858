"""Sampling pages: rules (list, new), running a rule for a week, a run's picks and why."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required

from portal.errors import Conflict, ValidationFailed
from portal.htmx import hx_redirect, render_view
from portal.qa import programme_choices as choices
from portal.qa import sampling_service as service
from portal.qa.contacts import filter_choices

from .forms import SamplingRuleForm, SamplingRunForm
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


@bp.route("/sampling/new", methods=["GET", "POST"])
@login_required
def sampling_rule_new():
    service.rules_for(current_user)  # 403 for those who may not manage sampling
    form = _rule_form()
    if request.method == "GET":
        form.per_agent.data = form.per_agent.data or 4
        form.due_days.data = 7 if form.due_days.data is None else form.due_days.data
    if form.validate_on_submit():
        fields = service.RuleFields(
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
        try:
            rule = service.create_rule(current_user, fields)
        except ValidationFailed as error:
            for name, messages in error.field_errors.items():
                getattr(form, name).errors = list(messages)
        else:
            return hx_redirect(url_for("qaprog.sampling_rule_detail", rule_id=rule.id))
    status = 422 if request.method == "POST" else 200
    return render_view("qaprog/sampling_rule_new.html", status=status, form=form)


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
