"""Evaluator leniency page (QA leads): against the calibration reference and against peers."""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask_login import current_user, login_required

from portal import policy
from portal.db import utcnow
from portal.htmx import render_view
from portal.qa import leniency, leniency_queries

from .views import bp


@bp.get("/leniency", endpoint="leniency")
@login_required
def leniency_page():
    policy.require(current_user, "leniency.view")
    months = request.args.get("months", 6, type=int)
    months = min(max(months or 6, 1), 24)
    since = utcnow() - timedelta(days=31 * months)
    calibration = leniency.calibration_leniency(
        leniency_queries.calibration_rows(current_user, since)
    )
    peers = leniency.peer_leniency(leniency_queries.cell_sums(current_user, since))
    evaluator_ids = {key[0] for key in calibration} | {key[0] for key in peers}
    month_keys = sorted(
        {key[1] for key in calibration if key[1]} | {key[1] for key in peers if key[1]}
    )
    names = leniency_queries.names(evaluator_ids)
    order = sorted(evaluator_ids, key=lambda i: names.get(i, ""))
    return render_view(
        "qaprog/leniency.html",
        calibration=calibration,
        peers=peers,
        evaluators=order,
        names=names,
        months=month_keys,
        months_back=months,
    )
