"""Completion: "did every report get their weekly 1:1?" — report x week grid, and roll-ups by
supervisor, team and market with the share held and drill-down to a supervisor's grid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from portal import cache
from portal.coaching import best_weeks, completion, queries, schedule, tally_html
from portal.data_versions import COACHING, ORG
from portal.db import utcnow
from portal.extensions import db
from portal.htmx import render_view
from portal.org.models import Market, Person, Team
from portal.policy import Area, get_visible_or_404

from .views import bp

WEEK_CHOICES = (4, 8, 12)


@bp.get("/completion")
@login_required
def completion_view():
    now = utcnow()
    weeks_count = request.args.get("weeks", 8, type=int)
    if weeks_count not in WEEK_CHOICES:
        weeks_count = 8
    supervisor_id = request.args.get("supervisor", type=int)
    supervisor = None
    if supervisor_id is not None:
        supervisor = get_visible_or_404(Person, supervisor_id, current_user, Area.COACHING)
    # "full=1": the last weeks that are over in every time zone (the week in progress and a
    # week some report is still living are left out; the home page's 1:1 item judges teams
    # on those, which the nightly roll-up holds).
    full = request.args.get("full") == "1"
    this_week = schedule.week_start(now, current_user.time_zone or "UTC")
    last_week = best_weeks.last_frozen_monday(now) if full else this_week
    weeks = completion.week_starts(last_week, weeks_count)
    # The figures' HTML (no form, nothing from the session) is cached per viewer under the
    # 1:1 and org versions (the path and its arguments are in the key) and the clock's slice:
    # a meeting whose time passes turns from "due" to "not recorded" with no write. The
    # supervisor's 404 above runs on every request.
    key = cache.key_for("coaching.completion", (COACHING, ORG), clock=True)
    tables = cache.current().get_or_build(
        key,
        lambda: _tables(
            completion_figures(weeks, now, supervisor_id, with_grid=supervisor is not None),
            supervisor=supervisor,
            weeks_count=weeks_count,
            full=full,
        ),
    )
    return render_view(
        "coaching/completion.html",
        tables=Markup(tables),
        supervisor=supervisor,
        weeks_count=weeks_count,
        week_choices=WEEK_CHOICES,
        full=full,
    )


def _tables(figures: CompletionFigures, **ctx) -> str:
    grid = figures.grid
    return render_template(
        "coaching/_completion_tables.html",
        grid=grid,
        people=grid.people if grid is not None else {},  # type: ignore[attr-defined]
        total=figures.total,
        by_supervisor=_by_name(figures.by_supervisor, figures.supervisors),
        by_team=_by_name(figures.by_team, figures.teams),
        by_market=_by_name(figures.by_market, figures.markets),
        supervisors=figures.supervisors,
        teams=figures.teams,
        markets=figures.markets,
        tally_cells=tally_html.renderer(),
        **ctx,
    )


@dataclass
class CompletionFigures:
    """What the completion page shows, computed."""

    total: completion.Tally
    by_supervisor: dict
    by_team: dict
    by_market: dict
    grid: completion.Grid | None
    supervisors: dict[int, str]
    teams: dict[int, str]
    markets: dict[int, str]


def completion_figures(
    weeks: list, now: datetime, supervisor_id: int | None, *, with_grid: bool
) -> CompletionFigures:
    """The roll-ups and the total, counted by the database; the report x week grid only when
    it is shown (one supervisor's reports, or a single supervisor in reach)."""
    roll_ups = queries.completion_roll_ups(
        current_user, weeks=weeks, now=now, supervisor_id=supervisor_id
    )
    grid = None
    if with_grid or len(roll_ups.by_supervisor) <= 1:
        grid = queries.completion_grid(
            current_user, weeks=weeks, now=now, supervisor_id=supervisor_id
        )
    return CompletionFigures(
        total=roll_ups.total,
        by_supervisor=roll_ups.by_supervisor,
        by_team=roll_ups.by_team,
        by_market=roll_ups.by_market,
        grid=grid,
        supervisors=queries.supervisor_names({k for k in roll_ups.by_supervisor if k is not None}),
        teams=_names(Team, {k for k in roll_ups.by_team if k is not None}),
        markets=_names(Market, {k for k in roll_ups.by_market if k is not None}),
    )


def _by_name(groups: dict, names: dict[int, str]) -> list:
    """The groups by name, then id (two supervisors may share a name), the unnamed last."""
    return sorted(groups.items(), key=lambda kv: (kv[0] is None, names.get(kv[0], ""), kv[0] or 0))


def _names(model, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    from sqlalchemy import select

    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())
