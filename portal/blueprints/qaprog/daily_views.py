"""The printable daily quality report for a team (a supervisor's subtree) or an individual."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, request
from flask_login import current_user, login_required

from portal import policy
from portal.htmx import render_view
from portal.org.models import Person
from portal.params import parse_date
from portal.policy import Area
from portal.qa import programme_choices as choices
from portal.qa import rollups
from portal.qa.rollup_queries import RollupFilters, evaluations_page, rollup_for, summary_for

from .views import _today, bp

MAX_ROWS = 200


@bp.get("/reports/daily")
@login_required
def daily_report():
    policy.require(current_user, "qa_report.view")
    person_id = request.args.get("person", type=int) or current_user.id
    person = policy.get_visible_or_404(Person, person_id, current_user, Area.QA)
    day = parse_date(request.args.get("on")) or _today()
    minimum = current_app.config["QA_MIN_EVALUATIONS"]
    zone = current_user.time_zone or "UTC"

    def filters(start: date, end: date) -> RollupFilters:
        return RollupFilters(start_on=start, end_on=end, node_id=person.id, time_zone=zone)

    report = rollup_for(current_user, filters(day, day), minimum)
    rows, more = evaluations_page(current_user, filters(day, day), after=None, limit=MAX_ROWS)
    week_start = rollups.week_start(day)
    return render_view(
        "qaprog/daily_report.html",
        person=person,
        day=day,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        report=report,
        rows=rows,
        more=more,
        week=summary_for(current_user, filters(week_start, day), minimum),
        month=summary_for(current_user, filters(rollups.month_start(day), day), minimum),
        nodes=choices.nodes_for(current_user),
    )
