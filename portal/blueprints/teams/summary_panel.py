"""The summary panel of the team view: a row of tiles, one per area the viewer may see, each
linking to its detail section. Figures from portal.dashboards.summary; shown with the same
helpers as the detail tables (rounded once, here), so a tile reads as its table does."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

from portal import cache
from portal.dashboards import summary
from portal.dashboards.kpi_figures import shown, shown_percent
from portal.db import utcnow

from . import caching
from .area_panels import one, percent
from .panels import Panel, PanelRequest
from .period_args import comparison_for, today_for


@dataclass(frozen=True)
class KpiShown:
    name: str
    unit: str
    value: str
    n: int
    target: str
    attainment: str
    meets: bool | None
    sparkline: str  # polyline points; '' without data
    trend_text: str  # the sparkline's text alternative


@dataclass(frozen=True)
class Tile:
    key: str  # the detail section: #section-<key>
    area: str  # the tile's own id: tile-<area>
    title: str
    figure: str  # the headline figure ('' when there is none)
    caption: str  # what the figure is
    detail: str
    n_text: str
    warn: bool = False
    kpis: tuple[KpiShown, ...] = field(default_factory=tuple)


def _trend_text(line: summary.KpiLine) -> str:
    if not line.trend:
        return _("No data in this period.")
    first, last = line.trend[0][1], line.trend[-1][1]
    return _(
        "Trend of %(kpi)s: from %(first)s to %(last)s over %(n)s periods with data.",
        kpi=line.name,
        first=shown(first, line.decimals),
        last=shown(last, line.decimals),
        n=len(line.trend),
    )


def kpi_tile(tile: summary.KpiTile) -> Tile:
    lines = tuple(
        KpiShown(
            name=line.name,
            unit=line.unit,
            value=shown(line.value, line.decimals),
            n=line.n,
            target=shown(line.target, line.decimals),
            attainment=shown_percent(line.attainment),
            meets=line.meets,
            sparkline=line.sparkline,
            trend_text=_trend_text(line),
        )
        for line in tile.lines
    )
    if tile.with_target:
        figure = f"{tile.on_target}/{tile.with_target}"
        caption = _("KPIs on target")
    else:
        figure, caption = "", _("No KPI has a target here")
    return Tile(
        "kpis",
        "kpis",
        _("KPIs"),
        figure,
        caption,
        "",
        _("n = %(n)s of %(k)s KPIs with a target", n=tile.with_target, k=len(tile.lines)),
        warn=tile.on_target < tile.with_target,
        kpis=lines,
    )


def qa_tile(tile: summary.QaTile) -> Tile:
    if tile.mean is None:
        figure, caption = "", _("Not enough data (n = %(n)s)", n=tile.scored)
        detail = _("A mean needs %(n)s scored evaluations.", n=tile.minimum)
    else:
        figure, caption = one(tile.mean), _("Average score")
        detail = _("95%% interval %(low)s–%(high)s", low=one(tile.low), high=one(tile.high))
    return Tile(
        "qa",
        "qa",
        _("Quality (QA)"),
        figure,
        caption,
        detail + " · " + _("Critical fails: %(n)s", n=tile.critical),
        _("n = %(n)s evaluations", n=tile.evaluations),
        warn=tile.critical > 0,
    )


def one_on_one_tile(tile: summary.OneOnOneTile) -> Tile:
    if not tile.due:
        return Tile(
            "one-on-ones",
            "one-on-ones",
            _("1:1s"),
            "",
            _("No 1:1 was due in this period."),
            "",
            _("n = %(n)s due", n=0),
        )
    return Tile(
        "one-on-ones",
        "one-on-ones",
        _("1:1s"),
        percent(tile.held_share),
        _("held"),
        _("%(held)s of %(due)s due", held=tile.held, due=tile.due),
        _("n = %(n)s due", n=tile.due),
    )


def review_tile(tile: summary.ReviewTile) -> Tile:
    if tile.cycle is None or not tile.reviews:
        return Tile(
            "goals",
            "reviews",
            _("Reviews"),
            "",
            _("No review in this period's cycle."),
            tile.cycle or "",
            _("n = %(n)s reviews", n=0),
        )
    return Tile(
        "goals",
        "reviews",
        _("Reviews"),
        percent(tile.on_track_share),
        _("on track"),
        _("%(k)s of %(n)s reviews in %(cycle)s", k=tile.on_track, n=tile.reviews, cycle=tile.cycle),
        _("n = %(n)s reviews", n=tile.reviews),
        warn=tile.on_track < tile.reviews,
    )


def training_tile(tile: summary.TrainingTile) -> Tile:
    return Tile(
        "training",
        "training",
        _("Training"),
        str(tile.overdue),
        _("overdue"),
        _("%(p)s of the courses due in the period", p=percent(tile.overdue_share))
        if tile.assigned
        else _("No assigned course is due in this period."),
        _("n = %(n)s assigned, %(p)s people", n=tile.assigned, p=tile.people),
        warn=tile.overdue > 0,
    )


def recognition_tile(tile: summary.RecognitionTile) -> Tile:
    return Tile(
        "recognition",
        "recognition",
        _("Recognition"),
        str(tile.kudos),
        _("kudos received"),
        _("%(p)s people recognised", p=tile.people),
        _("n = %(n)s kudos", n=tile.kudos),
    )


def tiles_of(found: summary.TeamSummary) -> list[Tile]:
    tiles = []
    if found.kpis is not None:
        tiles.append(kpi_tile(found.kpis))
    if found.qa is not None:
        tiles.append(qa_tile(found.qa))
    if found.one_on_ones is not None:
        tiles.append(one_on_one_tile(found.one_on_ones))
    if found.reviews is not None:
        tiles.append(review_tile(found.reviews))
    if found.training is not None:
        tiles.append(training_tile(found.training))
    if found.recognition is not None:
        tiles.append(recognition_tile(found.recognition))
    return tiles


def _remember_tile(name: str, areas: tuple[str, ...], compute):
    """Each tile's figures cached under its own area (and org): the summary reads six areas,
    so after a write to one of them only that tile is computed again."""
    return cache.remembered(
        f"teams.summary.{name}", areas, compute, clock=name in caching.CLOCK_PANELS
    )


def summary_panel(req: PanelRequest) -> Panel:
    found = summary.team_summary(
        req.viewer,
        req.node,
        req.period,
        req.filters,
        today=today_for(req.viewer),
        now=utcnow(),
        qa_minimum=current_app.config["QA_MIN_EVALUATIONS"],
        compared=comparison_for(req.period, req.viewer),  # the panels' like-for-like days
        remember=_remember_tile,
    )
    return Panel(
        "summary", "teams/_panel_summary.html", {"summary": found, "tiles": tiles_of(found)}
    )
