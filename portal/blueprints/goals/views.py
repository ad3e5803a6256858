"""Goals pages: my goals, my team's goals, a person's plan in a cycle, a goal with its
check-ins, chart and comments. Cycle administration, reviews and calibration live in the
sibling modules cycle_views, review_views and calibration_views, attached to the same bp."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.forms import apply_errors
from portal.goals import completion as completion_rules
from portal.goals import figures, promotion
from portal.goals import goals as service
from portal.goals.transitions import CHECK_INS_OPEN, GOALS_EDITABLE, STATE_LABELS
from portal.htmx import hx_redirect, render_view
from portal.time_format import today_for

from . import forms
from .forms import CheckInForm, CommentForm, GoalForm, new_token

bp = Blueprint("goals", __name__, url_prefix="/goals")


@bp.context_processor
def _labels() -> dict:
    return {
        "phase_labels": forms.PHASE_LABELS,
        "confidence_labels": forms.CONFIDENCE_LABELS,
        "direction_labels": forms.DIRECTION_LABELS,
        "cycle_state_labels": forms.CYCLE_STATE_LABELS,
        "review_state_labels": STATE_LABELS,
        "pct": figures.percent,
        "shown": figures.display,
    }


@bp.get("/")
@login_required
def my_goals():
    plans = [(plan, *service.plan_summary(plan)) for plan in service.my_plans(current_user)]
    return render_view("goals/my_goals.html", plans=plans)


@bp.get("/team")
@login_required
def team_goals():
    policy.require(current_user, "goals.team")
    cycles = service.current_cycles()
    cycle_id = request.args.get("cycle", type=int) or (cycles[0].id if cycles else None)
    cycle = next((c for c in cycles if c.id == cycle_id), None)
    page = None
    ready = {}
    if cycle is not None:
        page = service.team_plans(
            current_user,
            cycle.id,
            after=request.args.get("after"),
            limit=current_app.config["PAGE_SIZE"],
        )
        ready = promotion.readiness_for([row.person for row in page.rows], today_for(current_user))
    return render_view(
        "goals/team_goals.html",
        "goals/_team_rows.html",
        cycles=cycles,
        cycle=cycle,
        page=page,
        ready=ready,
        args={"cycle": cycle.id} if cycle else {},
    )


def _goal_form(plan, *, goal=None, formdata=True) -> GoalForm:
    if goal is not None and not formdata:
        form = GoalForm(
            formdata=None,
            data={
                "version": str(goal.version),
                "title": goal.title,
                "metric": goal.metric,
                "unit": goal.unit,
                "baseline": goal.baseline.normalize(),
                "target": goal.target.normalize(),
                "direction": goal.direction,
                "weight": goal.weight,
                "due_on": goal.due_on,
                "parent_id": goal.parent_id,
            },
        )
    elif not formdata:
        form = GoalForm(formdata=None, data={"version": "0", "due_on": plan.cycle.ends_on})
    else:
        form = GoalForm()
    form.parent_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(g.id, f"{g.person.name}: {g.title}") for g in service.parent_choices(plan)
    ]
    return form


def plan_page(plan, *, form: GoalForm | None = None, status: int = 200, message: str = ""):
    views, total, achieved = service.plan_summary(plan)
    can_set = policy.can(current_user, "goal.set", plan) and plan.state in GOALS_EDITABLE
    can_set = can_set and not plan.cycle.is_completed
    return render_view(
        "goals/plan_detail.html",
        status=status,
        plan=plan,
        views=views,
        total=total,
        achieved=achieved,
        form=form or (_goal_form(plan, formdata=False) if can_set else None),
        can_set=can_set,
        message=message,
    )


@bp.get("/plans/<int:review_id>")
@login_required
def plan_detail(review_id: int):
    return plan_page(service.get_plan(current_user, review_id))


def _fields(form: GoalForm) -> service.GoalFields:
    return service.GoalFields(
        title=form.title.data or "",
        metric=form.metric.data or "",
        unit=form.unit.data or "",
        baseline=form.baseline.data,
        target=form.target.data,
        direction=form.direction.data,
        weight=form.weight.data,
        due_on=form.due_on.data,
        parent_id=form.parent_id.data,
    )


@bp.post("/plans/<int:review_id>/goals")
@login_required
def goal_create(review_id: int):
    plan = service.get_plan(current_user, review_id)
    policy.require(current_user, "goal.set", plan)
    form = _goal_form(plan)
    if not form.validate_on_submit():
        return plan_page(plan, form=form, status=422)
    try:
        service.create_goal(plan, current_user, _fields(form))
    except ValidationFailed as error:
        plan = service.get_plan(current_user, review_id)
        apply_errors(form, error)
        return plan_page(plan, form=form, status=422)
    except InvalidTransition as error:
        return plan_page(plan, form=form, status=409, message=error.message)
    return hx_redirect(url_for("goals.plan_detail", review_id=plan.id))


def goal_page(
    goal, *, status=200, edit_form=None, check_in_form=None, comment_form=None, message: str = ""
):
    plan = goal.review
    children, rollup = service.aligned_children(current_user, goal)
    editable = plan.state in GOALS_EDITABLE and not plan.cycle.is_completed
    can_edit = editable and policy.can(current_user, "goal.set", plan)
    can_check_in = (
        plan.state in CHECK_INS_OPEN
        and not plan.cycle.is_completed
        and policy.can(current_user, "goal.check_in", plan)
    )
    can_comment = not plan.cycle.is_completed and policy.can(current_user, "goal.comment", plan)
    values = [c.value for c in goal.check_ins]
    parent = service.visible_parent(current_user, goal)
    return render_view(
        "goals/goal_detail.html",
        status=status,
        goal=goal,
        plan=plan,
        view=service.view(goal),
        children=children,
        parent=parent,
        rollup=rollup,
        chart=figures.chart(values, goal.baseline, goal.target),
        edit_form=edit_form or (_goal_form(plan, goal=goal, formdata=False) if can_edit else None),
        check_in_form=check_in_form
        or (CheckInForm(formdata=None, data={"token": new_token()}) if can_check_in else None),
        comment_form=comment_form
        or (CommentForm(formdata=None, data={"token": new_token()}) if can_comment else None),
        message=message,
    )


@bp.get("/<int:goal_id>")
@login_required
def goal_detail(goal_id: int):
    return goal_page(service.get_goal(current_user, goal_id))


@bp.post("/<int:goal_id>/edit")
@login_required
def goal_edit(goal_id: int):
    goal = service.get_goal(current_user, goal_id)
    policy.require(current_user, "goal.set", goal.review)
    form = _goal_form(goal.review)
    if not form.validate_on_submit():
        return goal_page(goal, status=422, edit_form=form)
    try:
        service.edit_goal(goal, current_user, _fields(form), expected_version=form.expected_version)
    except ValidationFailed as error:
        goal = service.get_goal(current_user, goal_id)
        apply_errors(form, error)
        return goal_page(goal, status=422, edit_form=form)
    except (Conflict, InvalidTransition) as error:
        goal = service.get_goal(current_user, goal_id)
        form.version.data = str(goal.version)
        return goal_page(goal, status=409, edit_form=form, message=error.message)
    return hx_redirect(url_for("goals.goal_detail", goal_id=goal.id))


@bp.post("/<int:goal_id>/check-ins")
@login_required
def check_in_create(goal_id: int):
    goal = service.get_goal(current_user, goal_id)
    policy.require(current_user, "goal.check_in", goal.review)
    form = CheckInForm()
    if not form.validate_on_submit():
        return goal_page(goal, status=422, check_in_form=form)
    try:
        service.add_check_in(
            goal,
            current_user,
            value=form.value.data,
            confidence=form.confidence.data,
            comment=form.comment.data or "",
            token=form.token.data,
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return goal_page(goal, status=422, check_in_form=form)
    except (InvalidTransition, Conflict) as error:  # Conflict: a check-in saved a moment ago
        return goal_page(goal, status=409, check_in_form=form, message=error.message)
    return hx_redirect(url_for("goals.goal_detail", goal_id=goal_id))


@bp.post("/<int:goal_id>/comments")
@login_required
def comment_create(goal_id: int):
    goal = service.get_goal(current_user, goal_id)
    policy.require(current_user, "goal.comment", goal.review)
    form = CommentForm()
    if not form.validate_on_submit():
        return goal_page(goal, status=422, comment_form=form)
    try:
        service.add_comment(goal, current_user, body=form.body.data, token=form.token.data)
    except ValidationFailed as error:
        apply_errors(form, error)
        return goal_page(goal, status=422, comment_form=form)
    except InvalidTransition as error:
        return goal_page(goal, status=409, comment_form=form, message=error.message)
    return hx_redirect(url_for("goals.goal_detail", goal_id=goal_id))


__all__ = ["bp", "NotFound"]


@bp.get("/completion")
@login_required
def completion():
    policy.require(current_user, "goals.team")
    cycles = service.current_cycles()
    cycle_id = request.args.get("cycle", type=int) or (cycles[0].id if cycles else None)
    cycle = next((c for c in cycles if c.id == cycle_id), None)
    today = today_for(current_user)
    result = completion_rules.completion_for(current_user, cycle, today) if cycle else None
    return render_view(
        "goals/completion.html", cycles=cycles, cycle=cycle, result=result, today=today
    )


@bp.get("/people/<int:person_id>/readiness")
@login_required
def person_readiness(person_id: int):
    """Promotion readiness on a person's profile (loaded into it over htmx)."""
    from portal.org.models import Person

    person = policy.get_visible_or_404(Person, person_id, current_user, policy.Area.REVIEWS)
    readiness = promotion.readiness_for([person], today_for(current_user)).get(person.id)
    return render_view(
        "goals/person_readiness.html",
        "goals/_person_readiness.html",
        person=person,
        readiness=readiness,
    )


from portal.goals import audit_entries  # noqa: E402, F401  (says how goals audit entries read)

from . import (  # noqa: E402, F401
    assessment_views,
    calibration_views,
    cycle_views,
    review_views,
    sharing_views,
)
