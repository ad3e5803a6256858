"""A market summary as one table for CSV and XLSX: every figure the page shows, one per row
(section, item, measure, value), rounded once as on the page, so that a spreadsheet can pivot
it. Pure: built from the MarketSummary the page renders."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.business.figures import QaFigure
from portal.business.summary import MarketSummary
from portal.dashboards.kpi_figures import shown, shown_change, shown_percent
from portal.qa.scoring import format_score

Row = tuple[str, str, str, str]


def header() -> list[str]:
    return [_("Section"), _("Item"), _("Measure"), _("Value")]


def _kpi_rows(s: MarketSummary) -> list[Row]:
    section = _("KPIs against target")
    rows: list[Row] = []
    for k in s.figures.kpis:
        item = f"{k.name} ({k.unit})" if k.unit else k.name
        for measure, value in (
            (_("Value"), shown(k.value, k.decimals)),
            (_("n"), str(k.n)),
            (_("Target"), shown(k.target, k.decimals)),
            (_("Attainment"), shown_percent(k.attainment)),
            (_("Previous period"), shown(k.previous, k.decimals)),
            (_("Previous period n"), str(k.previous_n)),
            (_("Change"), shown_change(k.value, k.previous, k.decimals)),
        ):
            rows.append((section, item, measure, value))
    return rows


def _qa_rows(label: str, q: QaFigure) -> list[Row]:
    section = _("Quality")
    return [
        (section, label, _("Average score"), "" if q.mean is None else format_score(q.mean)),
        (section, label, _("Evaluations (n)"), str(q.n)),
        (section, label, _("Scored evaluations"), str(q.n_scored)),
        (section, label, _("Critical fails"), str(q.n_critical)),
    ]


def _headcount_rows(s: MarketSummary) -> list[Row]:
    section = _("Headcount")
    rows: list[Row] = []
    lines = [(r.position, r.in_post, r.joined, r.left) for r in s.headcount.rows]
    lines.append((_("Total"), s.headcount.in_post, s.headcount.joined, s.headcount.left))
    for position, in_post, joined, left in lines:
        rows.append((section, position, _("In post at the end"), str(in_post)))
        rows.append((section, position, _("Joined"), str(joined)))
        rows.append((section, position, _("Left"), str(left)))
    return rows


def rows(s: MarketSummary) -> list[Row]:
    """Every figure of the summary, in the page's order."""
    period = _("Period")
    found: list[Row] = [
        (period, s.market.name, _("From"), s.period.start.isoformat()),
        (period, s.market.name, _("To"), s.period.end.isoformat()),
        (period, s.market.name, _("Previous period from"), s.figures.previous_start.isoformat()),
        (period, s.market.name, _("Previous period to"), s.figures.previous_end.isoformat()),
        (period, s.market.name, _("Counting the people at or below"), s.node.name),
    ]
    found += _kpi_rows(s)
    found += _qa_rows(_("This period"), s.figures.qa.current)
    found += _qa_rows(_("Previous period"), s.figures.qa.previous)
    found += _headcount_rows(s)
    section = _("Decisions of the period's held reviews")
    found += [(section, d.review_title, _("Decision"), d.body) for d in s.decisions]
    return found
