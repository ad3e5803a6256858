"""Evaluation lists: all evaluations one may read, "My evaluations", the evaluate queue,
evaluators' overturn rates, and a person's QA summary (shown on their profile)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_login import current_user, login_required

from portal import policy
from portal.htmx import render_view
from portal.org.models import Person
from portal.params import cursor_id
from portal.qa import evaluation_queries as queries
from portal.qa.evaluation_models import EvaluationStatus
from portal.request_args import filter_args

from .views import bp


def _filters(**fixed) -> queries.EvaluationFilters:
    status = request.args.get("status") or None
    if status not in {s.value for s in EvaluationStatus}:
        status = None
    return queries.EvaluationFilters(
        status=status,
        agent=(request.args.get("agent") or "")[:80],
        critical_only=request.args.get("critical") == "1",
        evaluator_id=request.args.get("evaluator", type=int),
        **fixed,
    )


def _list(template_title: str, filters: queries.EvaluationFilters, mine: bool):
    page = queries.evaluations_for(
        current_user,
        filters,
        after=cursor_id(request.args.get("after")),
        limit=current_app.config["PAGE_SIZE"],
    )
    args = filter_args(("status", "agent", "critical", "evaluator"))
    return render_view(
        "qa/evaluation_list.html",
        "qa/_evaluation_rows.html",
        page=page,
        args=args,
        filters=filters,
        mine=mine,
        title=template_title,
        statuses=list(EvaluationStatus),
    )


@bp.get("/evaluations")
@login_required
def evaluation_list():
    return _list("all", _filters(), mine=False)


@bp.get("/my-evaluations")
@login_required
def my_evaluations():
    return _list("mine", _filters(person_id=current_user.id), mine=True)


@bp.get("/evaluate")
@login_required
def evaluate_queue():
    policy.require(current_user, "evaluation.queue")
    page = queries.queue_for(
        current_user, after=request.args.get("after"), limit=current_app.config["PAGE_SIZE"]
    )
    first = not request.args.get("after")
    return render_view(
        "qa/evaluate_queue.html",
        "qa/_queue_rows.html",
        page=page,
        drafts=queries.drafts_for(current_user) if first else [],
        colleagues=queries.started_by_colleagues(current_user) if first else [],
    )


@bp.get("/evaluators")
@login_required
def evaluator_overturns():
    policy.require(current_user, "evaluator.overturns")
    return render_view("qa/evaluators.html", lines=queries.overturns(current_user))


@bp.get("/people/<int:person_id>/summary")
@login_required
def agent_summary(person_id: int):
    person = policy.get_visible_or_404(Person, person_id, current_user, policy.Area.QA)
    summary, last = queries.agent_summary(current_user, person, ZoneInfo(current_user.time_zone))
    return render_view(
        "qa/agent_summary.html", "qa/_agent_summary.html", person=person, summary=summary, last=last
    )
