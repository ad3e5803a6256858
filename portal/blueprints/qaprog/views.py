"""QA programme pages: roll-ups (report, drill-down, export). Sampling, calibration and leniency
pages live in sibling modules attached to the same blueprint."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import audit, policy
from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.htmx import render_view
from portal.params import parse_int
from portal.qa import programme_choices as choices
from portal.qa import report_exports, rollups
from portal.qa.rollup_queries import DIMENSIONS, RollupFilters, evaluations_page, rollup_for
from portal.qa.rollups import PeriodKind
from portal.request_args import filter_args

from . import caching, forms
from .forms import ReportFilterForm

bp = Blueprint("qaprog", __name__, url_prefix="/qa/programme")

DIMENSION_LABELS = {
    "agent": forms._l("By agent"),
    "team": forms._l("By team"),
    "evaluator": forms._l("By evaluator"),
    "market": forms._l("By market"),
    "segment": forms._l("By segment"),
    "channel": forms._l("By channel"),
}


GROUP_ROWS = 50  # groups shown per dimension on the report page (QA_REPORT_GROUP_ROWS)


@bp.context_processor
def _labels() -> dict:
    return {
        "channel_labels": forms.CHANNEL_LABELS,
        "direction_labels": forms.DIRECTION_LABELS,
        "dimension_labels": DIMENSION_LABELS,
        "stratify_labels": forms.STRATIFY_LABELS,
        "assign_labels": forms.ASSIGN_LABELS,
        "period_labels": {k.value: v for k, v in forms.PERIOD_LABELS.items()},
    }


def _today() -> date:
    return rollups.local_today(utcnow(), current_user.time_zone)


def _report_filters() -> tuple[ReportFilterForm, RollupFilters, bool]:
    """The form, the filters it gives, and whether the input was valid (else 422)."""
    policy.require(current_user, "qa_report.view")
    form = ReportFilterForm(request.args)
    nodes, markets, segments, scorecards = caching.report_choices()
    form.fill_choices(nodes, markets, segments, scorecards)
    valid = form.validate()
    node_id = choices.check_node(current_user, form.node.data)
    kind = (
        PeriodKind(form.period.data)
        if form.period.data in {k.value for k in PeriodKind}
        else PeriodKind.LAST_4_WEEKS
    )
    anchor = form.on.data if form.on.data and not form.on.errors else _today()
    if kind == PeriodKind.CUSTOM:
        if not form.start_on.data:
            form.start_on.errors = [*form.start_on.errors, _("Give the first day.")]
        if not form.end_on.data:
            form.end_on.errors = [*form.end_on.errors, _("Give the last day.")]
        elif form.start_on.data and form.end_on.data < form.start_on.data:
            form.end_on.errors = [*form.end_on.errors, _("The last day is before the first.")]
        elif form.start_on.data and (form.end_on.data - form.start_on.data).days > 731:
            form.end_on.errors = [*form.end_on.errors, _("Choose at most two years.")]
        if form.start_on.errors or form.end_on.errors:
            valid = False
            start, end = rollups.period_range(PeriodKind.LAST_4_WEEKS, anchor)
        else:
            start, end = form.start_on.data, form.end_on.data
    else:
        start, end = rollups.period_range(kind, anchor)
    group = None
    dimension = request.args.get("by")
    if dimension in DIMENSIONS and request.args.get("key"):
        key = request.args["key"]
        group = (dimension, key if dimension == "channel" else _int_or_404(key))
    filters = RollupFilters(
        start_on=start,
        end_on=end,
        node_id=node_id,
        market_id=form.market.data,
        segment_id=form.segment.data,
        channel=form.channel.data or None,
        scorecard_id=form.scorecard.data,
        group=group,
        time_zone=current_user.time_zone or "UTC",
    )
    return form, filters, valid


REPORT_ARGS = (
    "node",
    "period",
    "on",
    "start_on",
    "end_on",
    "market",
    "segment",
    "channel",
    "scorecard",
    "by",
    "key",
)


def _int_or_404(value: str) -> int:
    number = parse_int(value)
    if number is None:
        raise NotFound()
    return number


def _args() -> dict:
    """The report's filters as asked, for its links (exports, drill-downs, paging)."""
    return filter_args(REPORT_ARGS)


@bp.get("/reports")
@login_required
def report():
    form, filters, valid = _report_filters()
    minimum = current_app.config["QA_MIN_EVALUATIONS"]
    # The page shows the first groups of each dimension (a head's 5,000 agents are for the
    # export); the export reads them all.
    shown = int(current_app.config.get("QA_REPORT_GROUP_ROWS", GROUP_ROWS))
    report = caching.report(filters, minimum, shown)
    return render_view(
        "qaprog/report.html",
        "qaprog/_report_results.html",
        status=200 if valid else 422,
        form=form,
        report=report,
        args=_args(),
        dimensions=DIMENSIONS,
        weekly_chart=_chart(report.weekly, "week"),
        monthly_chart=_chart(report.monthly, "month"),
    )


def _chart(points, bucket: str) -> dict:
    from flask_babel import format_date

    if bucket == "week":
        labels = [format_date(p.start, "d MMM") for p in points]
    else:
        labels = [format_date(p.start, "MMM yyyy") for p in points]
    width, height = 600, 200
    return {
        "width": width,
        "height": height,
        "points": rollups.chart_points(points, width, height, labels),
    }


@bp.get("/reports/evaluations")
@login_required
def report_evaluations():
    form, filters, valid = _report_filters()
    rows, cursor = evaluations_page(
        current_user,
        filters,
        after=request.args.get("after"),
        limit=current_app.config["PAGE_SIZE"],
    )
    return render_view(
        "qaprog/report_evaluations.html",
        status=200 if valid else 422,
        form=form,
        filters=filters,
        rows=rows,
        cursor=cursor,
        args=_args(),
        back_args={k: v for k, v in _args().items() if k not in ("by", "key")},
        has_previous=bool(request.args.get("after")),
    )


@bp.get("/reports/export")
@login_required
def report_export():
    form, filters, valid = _report_filters()
    table = request.args.get("table", "overall")
    fmt = request.args.get("format", "csv")
    if table not in report_exports.TABLES or fmt not in ("csv", "xlsx") or not valid:
        raise NotFound()
    report = rollup_for(current_user, filters, current_app.config["QA_MIN_EVALUATIONS"])
    header, rows = report_exports.table_rows(report, table)
    audit.record(
        current_user,
        "qa_report.export",
        "qa_report",
        None,
        None,
        {"table": table, "format": fmt, "filters": _args(), "rows": len(rows)},
    )
    db.session.commit()
    name = f"qa-{table}-{filters.start_on:%Y%m%d}-{filters.end_on:%Y%m%d}-{utcnow():%H%M%S}"
    if fmt == "csv":
        response = Response(report_exports.to_csv(header, rows), mimetype="text/csv")
    else:
        response = Response(
            report_exports.to_xlsx(header, rows, table),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


from portal.qa import audit_entries  # noqa: E402, F401  (says how QA audit entries read)

from . import calibration_views, daily_views, leniency_views, sampling_views  # noqa: E402, F401  (attach their routes to bp)
