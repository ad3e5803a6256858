"""The agent scorecard: one page per person (their own figures for the team view's period and
filters), printable, as a PDF and as an XLSX of one sheet per table; and the menu's "KPIs",
which opens the KPI values of the viewer's team.

The figures come from portal.dashboards.scorecard; here they become the tables the page, the
PDF and the workbook all show (display strings, rounded once)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import audit, policy
from portal.dashboards import export, team_kpis
from portal.dashboards import scorecard as figures
from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.goals import pdf
from portal.htmx import render_view
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person

from .area_panels import (
    _summary_cells,
    _summary_header,
    _tally_cells,
    _tally_header,
    one,
    percent,
    qa_summary_table,
)
from .panels import Table, _kpi_table
from .period_args import (
    comparison_dates,
    comparison_label,
    filter_message,
    parse_filters,
    parse_period,
    period_args,
    today_for,
)
from .views import _choices, _default_node, bp

VIEW_ARGS = ("period", "on", "start", "end", "market", "segment", "channel")


@dataclass(frozen=True)
class ScorecardView:
    card: figures.Scorecard
    period: Period
    filters: ViewFilters
    message: str
    args: dict[str, Any]
    tables: dict[str, Table]


def _person(person_id: int) -> tuple[Person, frozenset[policy.Area]]:
    """The person and the areas of theirs the viewer may read; 404 when they may read none."""
    person = policy.get_visible_or_404(Person, person_id, current_user, policy.Area.DIRECTORY)
    areas = policy.scorecard_areas(current_user, person)
    if not areas:
        raise NotFound()
    return person, areas


def _goal_number(value: Any) -> str:
    return "" if value is None else f"{value.normalize():f}"


def tables_of(card: figures.Scorecard) -> dict[str, Table]:
    """The scorecard's tables, by key, in the order of its sections (only the areas shown)."""
    tables: dict[str, Table] = {}
    if card.kpis is not None:
        kpis = _kpi_table(team_kpis.TeamKpis(rows=card.kpis, children=[]))
        tables["kpis"] = Table(kpis.title, kpis.header, kpis.rows)
    if card.qa is not None:
        qa = card.qa
        tables["qa"] = qa_summary_table(card.compared, qa.current, qa.previous)
        tables["qa-weeks"] = Table(
            _("QA by week"),
            [_("Week from"), *_summary_header()],
            [[p.start.isoformat(), *_summary_cells(p.summary)] for p in qa.weekly],
        )
        tables["qa-questions"] = Table(
            _("Questions failed most"),
            [_("Question"), _("Failed"), _("Answered"), _("Failure rate")],
            [[q.label, q.failed, q.answered, percent(q.rate, 1)] for q in qa.questions],
        )
    if card.one_on_ones is not None:
        tables["one-on-ones"] = Table(
            _("1:1 completion"),
            [_("Period"), *_tally_header()],
            [
                [_("This period"), *_tally_cells(card.one_on_ones.total)],
                [_("Previous period"), *_tally_cells(card.one_on_ones.previous)],
            ],
        )
    if card.goals is not None and card.goals.cycle is not None:
        tables["goals"] = Table(
            _("Goals of %(cycle)s", cycle=card.goals.cycle.name),
            [
                _("Goal"),
                _("Metric"),
                _("Baseline"),
                _("Target"),
                _("Latest"),
                _("Progress"),
                _("Weight"),
                _("Due"),
            ],
            [
                [
                    g.title,
                    f"{g.metric} ({g.unit})" if g.unit else g.metric,
                    _goal_number(g.baseline),
                    _goal_number(g.target),
                    _goal_number(g.latest),
                    "" if g.figures.percent is None else f"{g.figures.percent}%",
                    g.weight,
                    g.due_on.isoformat(),
                ]
                for g in card.goals.goals
            ],
        )
    if card.training is not None:
        c = card.training.counts
        tables["training"] = Table(
            _("Training due in the period"),
            [
                _("Assigned"),
                _("Completed"),
                _("Due"),
                _("Overdue"),
                _("%(percent)s completed", percent="%"),
                _("%(percent)s overdue", percent="%"),
            ],
            [
                [
                    c.total,
                    c.completed,
                    c.due,
                    c.overdue,
                    percent(card.training.completed_rate),
                    percent(card.training.overdue_rate),
                ]
            ],
        )
    if card.recognition is not None:
        r = card.recognition
        tables["kudos"] = Table(
            _("Kudos received"),
            [_("Period"), _("Kudos")],
            [[_("This period"), r.total.kudos], [_("Previous period"), r.previous.kudos]],
        )
        tables["kudos-values"] = Table(
            _("Kudos by value"), [_("Value"), _("Kudos")], [[v, n] for v, n in r.by_value]
        )
    return tables


def _view(person: Person, areas: frozenset[policy.Area]) -> ScorecardView:
    today = today_for(current_user)
    period, message = parse_period(request.args, today)
    filters = parse_filters(request.args)
    card = figures.scorecard(
        current_user,
        person,
        period,
        filters,
        areas,
        now=utcnow(),
        today=today,
        qa_minimum=current_app.config["QA_MIN_EVALUATIONS"],
    )
    return ScorecardView(
        card=card,
        period=period,
        filters=filters,
        message=" ".join(m for m in (message, filter_message(request.args)) if m),
        args={**period_args(period), **filters.as_args()},
        tables=tables_of(card),
    )


def _qa_sparkline(card: figures.Scorecard) -> list[list[tuple[float, float]]]:
    if card.qa is None:
        return []
    return figures.sparkline_points([p.summary.mean for p in card.qa.weekly], 0.0, 100.0)


def _context(view: ScorecardView) -> dict[str, Any]:
    card = view.card
    return {
        "person": card.person,
        "card": card,
        "period": view.period,
        "filters": view.filters,
        "message": view.message,
        "args": view.args,
        "tables": view.tables,
        "qa_change": one(card.qa.change) if card.qa else "",
        "qa_spark": _qa_sparkline(card),
        "goal_average": percent(card.goals.progress.mean) if card.goals else "",
        "comparison": comparison_label(card.compared),
        "comparison_dates": comparison_dates(card.compared),
    }


@bp.get("/<int:person_id>/scorecard")
@login_required
def agent_scorecard(person_id: int):
    person, areas = _person(person_id)
    view = _view(person, areas)
    period = view.period
    return render_view(
        "teams/scorecard.html",
        **_context(view),
        prev_args={**period_args(period.previous()), **view.filters.as_args()},
        next_args={**period_args(period.next()), **view.filters.as_args()},
        choices=_choices(),
        shows_team_view=policy.sees_area(current_user, person, policy.Area.KPIS),
    )


def _file_name(person: Person, period: Period, ext: str) -> str:
    stem = f"scorecard-{person.employee_id or person.id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", stem) + "." + ext


def _audit(person: Person, view: ScorecardView, fmt: str) -> None:
    audit.record(
        current_user,
        "team.scorecard_export",
        "person",
        person.id,
        None,
        {
            "format": fmt,
            "sections": sorted(str(a) for a in view.card.areas),
            "start": view.period.start.isoformat(),
            "end": view.period.end.isoformat(),
            **view.filters.as_args(),
        },
    )
    db.session.commit()


@bp.get("/<int:person_id>/scorecard.pdf")
@login_required
def agent_scorecard_pdf(person_id: int):
    person, areas = _person(person_id)
    view = _view(person, areas)
    html = render_template(
        "teams/scorecard_pdf.html",
        **_context(view),
        pdf_fonts=pdf.font_stack(get_locale(), person.market.code if person.market else None),
    )
    body = pdf.html_to_pdf(html)
    _audit(person, view, "pdf")
    response = Response(body, mimetype="application/pdf")
    name = _file_name(person, view.period, "pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<int:person_id>/scorecard.xlsx")
@login_required
def agent_scorecard_xlsx(person_id: int):
    person, areas = _person(person_id)
    view = _view(person, areas)
    body = export.as_workbook([(t.title, t.header, t.rows) for t in view.tables.values()])
    _audit(person, view, "xlsx")
    response = Response(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = _file_name(person, view.period, "xlsx")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/kpis")
@login_required
def my_kpis():
    """The menu's "KPIs": the KPI values of the viewer's team (their own node's KPI panel,
    for HR without reports the top of the tree), keeping any period and filters asked for."""
    node = _default_node(current_user)
    kept = {k: v for k, v in request.args.items() if k in VIEW_ARGS}
    return redirect(url_for("teams.team_panel", person_id=node.id, key="kpis", **kept))
