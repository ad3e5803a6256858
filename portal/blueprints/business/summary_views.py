"""Monthly and quarterly business summaries per market: the page (printable) and its PDF."""

from __future__ import annotations

import re

from flask import Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import audit, cache, policy
from portal.blueprints.teams.period_args import today_for
from portal.business import summary, summary_export
from portal.dashboards import export
from portal.data_versions import BUSINESS, KPIS, ORG, QA
from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.goals import pdf
from portal.htmx import render_view
from portal.kpis.periods import Period, PeriodKind, period_containing
from portal.org.models import Market, Person
from portal.params import parse_date

from .views import bp, markets

SUMMARY_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER)


def _period() -> tuple[Period, str | None]:
    """?period=month|quarter&on=YYYY-MM-DD; this month by default."""
    today = today_for(current_user)
    kind = request.args.get("period") or PeriodKind.MONTH.value
    message = None
    if kind not in SUMMARY_KINDS:
        kind, message = PeriodKind.MONTH.value, _("Unknown period; showing this month.")
    on = request.args.get("on")
    anchor = parse_date(on) if on else today
    if anchor is None:
        anchor, message = (
            today,
            _("Give the day as YYYY-MM-DD between 1900 and 2100; showing today's period."),
        )
    return period_containing(PeriodKind(kind), anchor), message


def _market(market_id: int) -> Market:
    market = db.session.get(Market, market_id)
    if market is None:
        raise NotFound()
    return market


def _summary(market_id: int):
    policy.require(current_user, "business.market_summary")
    market = _market(market_id)
    period, message = _period()
    # The figures are remembered per viewer (the market, period and day are in the path and
    # its arguments) under the versions of what they count: KPI values, targets and roll-ups,
    # QA evaluations, the held reviews' decisions, and the org (who is counted, positions).
    # The market and the node are read again on each request (ORM objects are not pickled).
    node_id, figures, headcount, decisions = cache.remembered(
        "business.market_summary",
        (KPIS, QA, BUSINESS, ORG),
        lambda: summary_figures(market, period),
    )
    data = summary.MarketSummary(
        market=market,
        period=period,
        node=db.session.get(Person, node_id),
        figures=figures,
        headcount=headcount,
        decisions=decisions,
    )
    return data, message


def summary_figures(market: Market, period: Period) -> tuple:
    """The summary's node (by id) and its figures, headcount and decisions: plain values."""
    data = summary.market_summary(
        current_user,
        market,
        period,
        minimum=current_app.config["QA_MIN_EVALUATIONS"],
        now=utcnow(),
    )
    return data.node.id, data.figures, data.headcount, data.decisions


@bp.get("/markets")
@login_required
def market_list():
    policy.require(current_user, "business.market_summary")
    today = today_for(current_user)
    return render_view(
        "business/market_list.html",
        markets=markets(),
        month=period_containing(PeriodKind.MONTH, today),
        quarter=period_containing(PeriodKind.QUARTER, today),
    )


def _nav_args(data: summary.MarketSummary) -> dict:
    kind = data.period.kind.value
    return {
        "prev": {"period": kind, "on": data.period.previous().start.isoformat()},
        "next": {"period": kind, "on": data.period.next().start.isoformat()},
        "here": {"period": kind, "on": data.period.start.isoformat()},
    }


@bp.get("/markets/<int:market_id>/summary")
@login_required
def market_summary(market_id: int):
    data, message = _summary(market_id)
    return render_view("business/market_summary.html", s=data, message=message, nav=_nav_args(data))


def _audited(data: summary.MarketSummary, action: str, **extra: object) -> None:
    audit.record(
        current_user,
        action,
        "market",
        data.market.id,
        None,
        {
            "period": data.period.kind.value,
            "start": data.period.start.isoformat(),
            "end": data.period.end.isoformat(),
            "node_id": data.node.id,
            **extra,
        },
    )
    db.session.commit()


def _file_name(data: summary.MarketSummary, fmt: str) -> str:
    return re.sub(
        r"[^A-Za-z0-9._-]",
        "-",
        f"summary-{data.market.code}-{data.period.kind.value}-{data.period.start:%Y-%m-%d}.{fmt}",
    )


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/markets/<int:market_id>/summary.pdf")
@login_required
def market_summary_pdf(market_id: int):
    data, _message = _summary(market_id)
    html = render_template(
        "business/market_summary_pdf.html",
        s=data,
        pdf_fonts=pdf.font_stack(get_locale(), data.market.code),
    )
    body = pdf.html_to_pdf(html)
    _audited(data, "business.summary_pdf")
    return _attachment(body, "application/pdf", _file_name(data, "pdf"))


@bp.get("/markets/<int:market_id>/summary.<any(csv, xlsx):fmt>")
@login_required
def market_summary_export(market_id: int, fmt: str):
    """Every figure of the summary, one per row, as CSV or XLSX (audited)."""
    data, _message = _summary(market_id)
    header, rows = summary_export.header(), summary_export.rows(data)
    _audited(data, "business.summary_export", format=fmt, rows=len(rows))
    if fmt == "csv":
        return _attachment(export.as_csv(header, rows), "text/csv", _file_name(data, "csv"))
    title = _("Business summary: %(market)s", market=data.market.name)
    return _attachment(
        export.as_xlsx(title, header, rows),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _file_name(data, "xlsx"),
    )
