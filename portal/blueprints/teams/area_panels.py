"""The team view's panels beyond KPIs: QA, 1:1s, goals and reviews, training, recognition.

Each builder checks that the viewer may see the node's records in its area (else the panel is
absent), calls its portal.dashboards.team_<area> module, and turns the figures into the tables
it offers for export (display strings, rounded once, here). The templates show the same rows.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from portal import policy
from portal.blueprints.goals.forms import PHASE_LABELS
from portal.dashboards import team_goals, team_one_on_ones, team_qa, team_recognition, team_training
from portal.db import utcnow
from portal.goals.transitions import STATE_LABELS
from portal.kpis.periods import Comparison
from portal.policy import Area
from portal.qa.rollups import Summary
from portal.qa.scoring import format_percent
from portal.time_format import fmt_date

from .panels import Panel, PanelRequest, Table
from .period_args import comparison_dates, comparison_for, comparison_label, today_for


def percent(value: Fraction | float | None, places: int = 0) -> str:
    """A share (1 = 100 %) for display, rounded once; '' when there is none."""
    if value is None:
        return ""
    return format_percent(Fraction(value) * 100, places) + "%"


def one(value: float | None) -> str:
    """A 0-100 score with one decimal; '' when there is none."""
    return "" if value is None else format_percent(Fraction(value), 1)


def _ci(s: Summary) -> tuple[str, str]:
    if s.mean is None or s.score.low is None or s.score.high is None:
        return "", ""
    return one(max(s.score.low, 0.0)), one(min(s.score.high, 100.0))


def _bound(s: Summary, *, low: bool) -> float | None:
    """An end of the interval for the chart (the table beside it shows it rounded)."""
    if s.mean is None or s.score.low is None or s.score.high is None:
        return None
    return max(s.score.low, 0.0) if low else min(s.score.high, 100.0)


def _summary_cells(s: Summary) -> list[Any]:
    low, high = _ci(s)
    return [s.n, s.score.n, one(s.mean), low, high, s.n_critical, percent(s.critical_rate, 1)]


def _summary_header() -> list[str]:
    return [
        _("Evaluations"),
        _("Scored"),
        _("Average score"),
        _("95% CI low"),
        _("95% CI high"),
        _("Critical fails"),
        _("Critical-fail rate"),
    ]


def _compared(compared: Any) -> dict[str, str]:
    """What a panel says its previous figures are (period_args.comparison_label) and the days."""
    return {
        "comparison": comparison_label(compared),
        "comparison_dates": comparison_dates(compared),
    }


def _person_cells(person: Any) -> list[Any]:
    return [person.name, person.position.name if person.position else ""]


# ---- QA ------------------------------------------------------------------------------------


def qa_summary_table(compared: Comparison, current, previous) -> Table:
    """This period's QA summary and the one it is compared with, each with its days (the team
    view's QA panel and the scorecard's)."""
    now, before = compared.current, compared.previous
    return Table(
        _("QA summary"),
        [_("Period"), _("From"), _("To"), *_summary_header()],
        [
            [_("This period"), now.start.isoformat(), now.end.isoformat()]
            + _summary_cells(current),
            [_("Previous period"), before.start.isoformat(), before.end.isoformat()]
            + _summary_cells(previous),
        ],
    )


def qa_panel(req: PanelRequest) -> Panel | None:
    if not policy.sees_area(req.viewer, req.node, Area.QA):
        return None
    minimum = current_app.config["QA_MIN_EVALUATIONS"]
    compared = comparison_for(req.period, req.viewer)
    result = team_qa.team_qa(req.viewer, req.node, req.period, req.filters, minimum, compared)
    tables = {
        "qa": qa_summary_table(compared, result.current, result.previous),
        "qa-weeks": Table(
            _("QA by week"),
            [_("Week from"), *_summary_header()],
            [[p.start.isoformat(), *_summary_cells(p.summary)] for p in result.weekly],
        ),
        "qa-questions": Table(
            _("Questions failed most"),
            [_("Question"), _("Failed"), _("Answered"), _("Failure rate")],
            [[q.label, q.failed, q.answered, percent(q.rate, 1)] for q in result.questions],
        ),
    }
    if result.children:
        tables["qa-people"] = Table(
            _("QA by direct report"),
            [_("Person"), _("Position"), *_summary_header()],
            [_person_cells(c.person) + _summary_cells(c.summary) for c in result.children],
        )
    chart = {
        "labels": [fmt_date(p.start) for p in result.weekly],
        "values": [p.summary.mean for p in result.weekly],
        "shown": [
            _("%(value)s (n = %(n)s)", value=one(p.summary.mean), n=p.summary.score.n)
            if p.summary.mean is not None
            else ""
            for p in result.weekly
        ],
        "xTitle": _("Week from"),
        "yTitle": _("Score (0–100)"),
        "low": [_bound(p.summary, low=True) for p in result.weekly],
        "high": [_bound(p.summary, low=False) for p in result.weekly],
        "target": None,
        "label": _("Average score"),
        "bandLabel": _("%(level)s confidence interval", level="95%"),
        "yMin": 0,
        "yMax": 100,
    }
    return Panel(
        key="qa",
        template="teams/_panel_qa.html",
        context={
            "result": result,
            "chart": chart,
            "change": one(result.change),
            **_compared(compared),
        },
        tables=tables,
    )


# ---- 1:1s ----------------------------------------------------------------------------------


def _tally_cells(t: Any) -> list[Any]:
    return [t.held, t.missed, t.cancelled, t.not_recorded, t.expected, percent(t.held_share)]


def _tally_header() -> list[str]:
    return [
        _("Held"),
        _("Missed"),
        _("Cancelled"),
        _("Not recorded"),
        _("Due"),
        _("%(percent)s held", percent="%"),
    ]


def one_on_one_panel(req: PanelRequest) -> Panel | None:
    if not policy.sees_area(req.viewer, req.node, Area.COACHING):
        return None
    compared = comparison_for(req.period, req.viewer)
    result = team_one_on_ones.team_one_on_ones(
        req.viewer, req.node, req.period, req.filters, utcnow(), compared
    )
    tables = {
        "one-on-ones": Table(
            _("1:1 completion"),
            [_("Period"), *_tally_header()],
            [
                [_("This period"), *_tally_cells(result.total)],
                [_("Previous period"), *_tally_cells(result.previous)],
            ],
        )
    }
    if result.children:
        tables["one-on-ones-people"] = Table(
            _("1:1 completion by direct report"),
            [_("Person"), _("Position"), *_tally_header()],
            [_person_cells(c.person) + _tally_cells(c.tally) for c in result.children],
        )
    return Panel(
        "one-on-ones",
        "teams/_panel_one_on_ones.html",
        {"result": result, **_compared(compared)},
        tables,
    )


# ---- goals and reviews ---------------------------------------------------------------------


def _progress_cells(p: team_goals.ProgressSums) -> list[Any]:
    return [p.goals, p.checked_in, percent(p.mean)]


def _progress_header() -> list[str]:
    return [_("Goals"), _("With a check-in"), _("Average progress")]


def goals_panel(req: PanelRequest) -> Panel | None:
    shows_goals = policy.sees_area(req.viewer, req.node, Area.GOALS)
    shows_reviews = policy.sees_area(req.viewer, req.node, Area.REVIEWS)
    if not (shows_goals or shows_reviews):
        return None
    result = team_goals.team_goals(
        req.viewer,
        req.node,
        req.period,
        req.filters,
        today_for(req.viewer),
        shows_goals=shows_goals,
        shows_reviews=shows_reviews,
    )
    tables: dict[str, Table] = {}
    cycle_name = result.cycle.name if result.cycle else ""
    if result.cycle is not None and shows_goals:
        tables["goals"] = Table(
            _("Goal progress"),
            [_("Cycle"), *_progress_header()],
            [[cycle_name, *_progress_cells(result.progress)]],
        )
        if result.children:
            tables["goals-people"] = Table(
                _("Goal progress by direct report"),
                [_("Person"), _("Position"), *_progress_header()],
                [_person_cells(c.person) + _progress_cells(c.progress) for c in result.children],
            )
    if result.cycle is not None and shows_reviews:
        tables["review-phases"] = Table(
            _("Review phases"),
            [
                _("Phase"),
                _("Due"),
                _("Done"),
                _("Reviews"),
                _("%(percent)s done", percent="%"),
                _("Overdue"),
            ],
            [
                [
                    str(PHASE_LABELS.get(line.kind, line.kind)),
                    line.due_on.isoformat() if line.due_on else "",
                    line.done,
                    line.total,
                    percent(line.done_share),
                    line.overdue,
                ]
                for line in result.phases
            ],
        )
    states = [(str(label), result.by_state.get(state, 0)) for state, label in STATE_LABELS.items()]
    on_track = percent(Fraction(result.on_track, result.reviews)) if result.reviews else "—"
    context = {"result": result, "states": states, "on_track": on_track}
    return Panel("goals", "teams/_panel_goals.html", context, tables)


# ---- training ------------------------------------------------------------------------------


def _training_cells(f: team_training.TrainingFigures) -> list[Any]:
    c = f.counts
    return [
        c.total,
        f.people,
        c.completed,
        c.due,
        c.overdue,
        percent(f.completed_rate),
        percent(f.overdue_rate),
    ]


def _training_header() -> list[str]:
    return [
        _("Assigned"),
        _("People"),
        _("Completed"),
        _("Due"),
        _("Overdue"),
        _("%(percent)s completed", percent="%"),
        _("%(percent)s overdue", percent="%"),
    ]


def training_panel(req: PanelRequest) -> Panel | None:
    if not policy.sees_area(req.viewer, req.node, Area.TRAINING):
        return None
    result = team_training.team_training(
        req.viewer, req.node, req.period, req.filters, today_for(req.viewer)
    )
    tables = {
        "training": Table(
            _("Training due in the period"), _training_header(), [_training_cells(result.figures)]
        )
    }
    if result.children:
        tables["training-people"] = Table(
            _("Training by direct report"),
            [_("Person"), _("Position"), *_training_header()],
            [_person_cells(c.person) + _training_cells(c.figures) for c in result.children],
        )
    return Panel("training", "teams/_panel_training.html", {"result": result}, tables)


# ---- recognition ---------------------------------------------------------------------------


def recognition_panel(req: PanelRequest) -> Panel | None:
    if not policy.sees_area(req.viewer, req.node, Area.RECOGNITION):
        return None
    compared = comparison_for(req.period, req.viewer)
    result = team_recognition.team_recognition(
        req.viewer, req.node, req.period, req.filters, compared
    )
    tables = {
        "kudos": Table(
            _("Kudos received"),
            [_("Period"), _("Kudos"), _("People recognised")],
            [
                [_("This period"), result.total.kudos, result.total.people],
                [_("Previous period"), result.previous.kudos, result.previous.people],
            ],
        ),
        "kudos-values": Table(
            _("Kudos by value"), [_("Value"), _("Kudos")], [[v, n] for v, n in result.by_value]
        ),
    }
    if result.children:
        tables["kudos-people"] = Table(
            _("Kudos by direct report"),
            [_("Person"), _("Position"), _("Kudos"), _("People recognised")],
            [_person_cells(c.person) + [c.count.kudos, c.count.people] for c in result.children],
        )
    return Panel(
        "recognition",
        "teams/_panel_recognition.html",
        {"result": result, **_compared(compared)},
        tables,
    )
