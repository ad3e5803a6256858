"""Monthly and quarterly business summaries per market: the page (printable) and its PDF."""

from __future__ import annotations

import re
from datetime import date

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import audit, policy
from portal.blueprints.teams.period_args import today_for
from portal.business import summary
from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.goals import pdf
from portal.htmx import render_view
from portal.kpis.periods import Period, PeriodKind, period_containing
from portal.org.models import Market

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
    try:
        anchor = date.fromisoformat(on) if on else today
    except ValueError:
        anchor, message = today, _("Give the day as YYYY-MM-DD; showing today's period.")
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
    data = summary.market_summary(
        current_user,
        market,
        period,
        minimum=current_app.config["QA_MIN_EVALUATIONS"],
        now=utcnow(),
    )
    return data, message


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


@bp.get("/markets/<int:market_id>/summary.pdf")
@login_required
def market_summary_pdf(market_id: int):
    data, _message = _summary(market_id)
    html = render_template("business/market_summary_pdf.html", s=data)
    body = pdf.html_to_pdf(html)
    audit.record(
        current_user,
        "business.summary_pdf",
        "market",
        data.market.id,
        None,
        {
            "period": data.period.kind.value,
            "start": data.period.start.isoformat(),
            "end": data.period.end.isoformat(),
            "node_id": data.node.id,
        },
    )
    db.session.commit()
    name = re.sub(
        r"[^A-Za-z0-9._-]",
        "-",
        f"summary-{data.market.code}-{data.period.kind.value}-{data.period.start:%Y-%m-%d}.pdf",
    )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
