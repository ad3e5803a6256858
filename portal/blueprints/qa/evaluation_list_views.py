"""Evaluation lists: all evaluations one may read, "My evaluations", the evaluate queue,
evaluators' overturn rates, and a person's QA summary (shown on their profile)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.htmx import render_view
from portal.keyset import read_sort
from portal.org.models import Person
from portal.params import clean_text, parse_date, parse_int
from portal.qa import evaluation_queries as queries
from portal.qa.evaluation_models import EvaluationStatus
from portal.request_args import filter_args
from portal.zones import day_start, zone_of

from .views import bp

SORT_KEYS = tuple(queries.SORT_COLUMNS)
FILTER_NAMES = ("status", "agent", "evaluator", "scorecard", "from", "to", "critical")


def _chosen(name: str, choices: list[queries.Choice], errors: dict) -> int | None:
    """An id picked in one of the list's pickers; anything not offered (an unknown id, a
    person out of reach) is refused with the same message, so it tells nothing."""
    raw = request.args.get(name) or ""
    if not raw:
        return None
    value = parse_int(raw)
    if value is None or value not in {c.id for c in choices}:
        errors[name] = _("Choose one of the names offered.")
        return None
    return value


def _filters(choices: dict, errors: dict, **fixed) -> queries.EvaluationFilters:
    """The filters asked for in the URL; what cannot be used gets a message in `errors`."""
    status = request.args.get("status") or None
    if status and status not in {s.value for s in EvaluationStatus}:
        errors["status"] = _("Choose one of the statuses offered.")
        status = None
    zone = zone_of(current_user)
    days = {}
    for name in ("from", "to"):
        raw = request.args.get(name) or ""
        days[name] = parse_date(raw) if raw else None
        if raw and days[name] is None:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = _("The end of the period comes before its start.")
    agent = None if "person_id" in fixed else _chosen("agent", choices["agents"], errors)
    return queries.EvaluationFilters(
        status=status,
        person_id=fixed.pop("person_id", agent),
        evaluator_id=_chosen("evaluator", choices["evaluators"], errors),
        scorecard_id=_chosen("scorecard", choices["scorecards"], errors),
        critical_only=request.args.get("critical") == "1",
        dated_from=day_start(days["from"], zone) if days["from"] else None,
        dated_before=(day_start(days["to"] + timedelta(days=1), zone) if days["to"] else None),
        **fixed,
    )


# Up to this many people the agent picker lists them all; beyond, it lists the one chosen and
# a search box fills it (a select of 5,000 names would be most of the page's weight).
AGENT_PICKER_MAX = 300
AGENT_SEARCH_LIMIT = 50


def _agents() -> tuple[list[queries.Choice], bool]:
    """The agent picker's options and whether it is searched (too many to list)."""
    if queries.agent_count(current_user, AGENT_PICKER_MAX) <= AGENT_PICKER_MAX:
        return queries.agent_choices(current_user), False
    asked = parse_int(request.args.get("agent") or "")
    chosen = [] if asked is None else queries.agent_choices(current_user, ids=[asked])
    return chosen, True


@bp.get("/evaluations/agent-options")
@login_required
def evaluation_agent_options():
    """The agent picker's options for a search (htmx): people one may see in QA whose name or
    employee id contains the text, at most AGENT_SEARCH_LIMIT."""
    search = clean_text((request.args.get("q") or "").strip()[:100])
    options = queries.agent_choices(current_user, search=search, limit=AGENT_SEARCH_LIMIT)
    return render_view(
        "qa/_agent_options.html", "qa/_agent_options.html", options=options, search=search
    )


def _list(title: str, mine: bool, **fixed):
    agents, searched = ([], False) if mine else _agents()
    choices = {
        "agents": agents,
        "agents_searched": searched,
        "evaluators": queries.evaluator_choices(
            current_user, parse_int(request.args.get("evaluator") or "")
        ),
        "scorecards": queries.scorecard_choices(),
    }
    errors: dict[str, str] = {}
    filters = _filters(choices, errors, **fixed)
    sort = read_sort(request.args, SORT_KEYS, queries.DEFAULT_SORT)
    if errors:  # nothing is listed until the filters can be read
        page = queries.Page([], None, False)
    else:
        page = queries.evaluations_for(
            current_user,
            filters,
            sort=sort,
            after=request.args.get("after"),
            limit=current_app.config["PAGE_SIZE"],
        )
    args = filter_args(FILTER_NAMES)
    return render_view(
        "qa/evaluation_list.html",
        "qa/_evaluation_rows.html",
        page=page,
        args=args,
        sort=sort,
        paging_args={**args, **sort.args(queries.DEFAULT_SORT)},
        default_sort=queries.DEFAULT_SORT,
        filters=filters,
        raw={name: request.args.get(name) or "" for name in FILTER_NAMES},
        errors=errors,
        choices=choices,
        mine=mine,
        title=title,
        statuses=list(EvaluationStatus),
    )


@bp.get("/evaluations")
@login_required
def evaluation_list():
    return _list("all", mine=False)


@bp.get("/my-evaluations")
@login_required
def my_evaluations():
    return _list("mine", mine=True, person_id=current_user.id)


@bp.get("/evaluate")
@login_required
def evaluate_queue():
    policy.require(current_user, "evaluation.queue")
    sort = read_sort(request.args, queries.QUEUE_SORT_KEYS, queries.QUEUE_SORT)
    page = queries.queue_for(
        current_user,
        sort=sort,
        after=request.args.get("after"),
        limit=current_app.config["PAGE_SIZE"],
    )
    first = not request.args.get("after")
    return render_view(
        "qa/evaluate_queue.html",
        "qa/_queue_rows.html",
        page=page,
        drafts=queries.drafts_for(current_user) if first else [],
        colleagues=queries.started_by_colleagues(current_user) if first else [],
        sort=sort,
        paging_args=sort.args(queries.QUEUE_SORT),
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
