"""Team performance at any node of the org tree: KPI panel with trend, drill-down to direct
reports, exports; and the daily report of a person or team."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from portal import audit, cache, policy
from portal.blueprints.qa.forms import CHANNEL_LABELS
from portal.dashboards import export, kpi_figures, team_kpis
from portal.extensions import db
from portal.htmx import is_fragment_request, render_view
from portal.kpis import queries
from portal.kpis.periods import custom_period
from portal.org.models import Market, Person, Segment

from . import caching
from .panels import SPECS, PanelRequest, spec_for_key, spec_for_table
from .period_args import (
    CHANNELS,
    filter_message,
    parse_day,
    parse_filters,
    parse_period,
    period_args,
    today_for,
)

bp = Blueprint("teams", __name__, url_prefix="/teams")


def _default_node(viewer: Person) -> Person:
    """The viewer's own node; for HR without reports, the top of the tree."""
    if not policy.has_reports(viewer) and policy.is_hr(viewer):
        top = db.session.execute(
            select(Person)
            .where(Person.manager_id.is_(None), Person.is_active.is_(True))
            .order_by(Person.depth, Person.id)
            .limit(1)
        ).scalar_one_or_none()
        if top is not None:
            return top
    return viewer


def _node(person_id: int) -> Person:
    return policy.get_visible_or_404(Person, person_id, current_user, policy.Area.KPIS)


def _breadcrumbs(node: Person) -> list[Person]:
    """The node's managers the viewer may see, from the top down (one query)."""
    ids = [int(part) for part in node.path.strip("/").split("/") if part]
    if not ids:
        return []
    stmt = policy.scoped(
        select(Person).where(Person.id.in_(ids)), Person, current_user, policy.Area.KPIS
    )
    found = {p.id: p for p in db.session.execute(stmt).scalars()}
    return [found[i] for i in ids if i in found]


def _choices() -> dict:
    return {
        "markets": db.session.execute(select(Market).order_by(Market.code)).scalars().all(),
        "segments": db.session.execute(select(Segment).order_by(Segment.name)).scalars().all(),
        "channels": [(c, CHANNEL_LABELS.get(c, c)) for c in CHANNELS],
    }


def _view_args(node: Person) -> dict:
    """What the page and each panel share: the period, filters and their query arguments."""
    today = today_for(current_user)
    period, message = parse_period(request.args, today)
    filters = parse_filters(request.args)
    messages = [m for m in (message, filter_message(request.args)) if m]
    return {
        "node": node,
        "period": period,
        "message": " ".join(messages),
        "filters": filters,
        "args": {**period_args(period), **filters.as_args()},
    }


def _render(node: Person):
    """The page: filters, breadcrumbs and one placeholder per panel, each loaded by its own
    request (htmx, on load) so the first figures show while slower panels still compute.
    Without JavaScript each placeholder links to its panel's page."""
    view = _view_args(node)
    period = view["period"]
    return render_view(
        "teams/team_view.html",
        **view,
        specs=[spec for spec in SPECS if spec.shown_to(current_user, node)],
        crumbs=_breadcrumbs(node),
        prev_args={**period_args(period.previous()), **view["filters"].as_args()},
        next_args={**period_args(period.next()), **view["filters"].as_args()},
        choices=_choices(),
    )


@bp.get("/")
@login_required
def team_view():
    return _render(_default_node(current_user))


@bp.get("/<int:person_id>")
@login_required
def team_node(person_id: int):
    return _render(_node(person_id))


@bp.get("/<int:person_id>/panels/<key>")
@login_required
def team_panel(person_id: int, key: str):
    """One panel of the team view: the fragment for htmx, else a page holding that panel.
    A panel whose area the viewer may not see answers an empty fragment (htmx) or 404."""
    spec = spec_for_key(key)
    if spec is None:
        abort(404)
    if is_fragment_request():  # the common case: cached, revalidated, no breadcrumbs
        # The node's visibility is checked when the fragment is built: a cached one was built
        # for this viewer under the same org version (who sees whom), so it needs no check.

        def build() -> str:
            node = _node(person_id)
            view = _view_args(node)
            panel = spec.build(PanelRequest(current_user, node, view["period"], view["filters"]))
            return (
                "" if panel is None else render_template("teams/_panel.html", **view, panel=panel)
            )

        return caching.cached_fragment(spec.key, build)
    node = _node(person_id)
    view = _view_args(node)
    panel = spec.build(PanelRequest(current_user, node, view["period"], view["filters"]))
    if panel is None:
        abort(404)
    return render_view(
        "teams/panel_page.html", **view, panel=panel, spec=spec, crumbs=_breadcrumbs(node)
    )


@bp.get("/<int:person_id>/export/<table>.<fmt>")
@login_required
def team_export(person_id: int, table: str, fmt: str):
    node = _node(person_id)
    spec = spec_for_table(table)
    if fmt not in ("csv", "xlsx") or spec is None:
        abort(404)
    key = caching.export_key(spec.key)
    unchanged = cache.not_modified(key)
    if unchanged is not None:  # nothing is sent, so no team.export entry
        return unchanged
    today = today_for(current_user)
    if request.args.get("report") == "daily":
        day = _report_day(node, today)
        period = custom_period(day, day)
    else:
        period, _message = parse_period(request.args, today)
    filters = parse_filters(request.args)

    def build() -> bytes:
        panel = spec.build(PanelRequest(current_user, node, period, filters))
        found = panel.tables.get(table) if panel else None
        if found is None:
            return b""
        if fmt == "csv":
            return caching.pack_export(len(found.rows), export.as_csv(found.header, found.rows))
        body = export.as_xlsx(found.title, found.header, found.rows)
        return caching.pack_export(len(found.rows), body)

    packed = cache.current().get_or_build(key, build)
    if not packed:
        abort(404)
    rows, body = caching.unpack_export(packed)
    audit.record(
        current_user,
        "team.export",
        "person",
        node.id,
        None,
        {
            "table": table,
            "format": fmt,
            "rows": rows,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            **filters.as_args(),
        },
    )
    db.session.commit()
    name = f"{table}-{node.id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
    mimetype = (
        "text/csv"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return cache.with_etag(response, key)


def _report_day(node: Person, today: date) -> date:
    """The day asked for, else the last day before today with values (today is still
    filling, and weekends may have none), else yesterday."""
    asked = parse_day(request.args)
    if asked:
        return asked
    filters = parse_filters(request.args)
    people = queries.population(current_user, node, filters)
    plan = queries.rollup_plan(current_user, node, filters)
    return queries.latest_day(people, today - timedelta(days=1), plan) or today - timedelta(days=1)


@bp.get("/<int:person_id>/daily")
@login_required
def daily_report(person_id: int):
    node = _node(person_id)
    filters = parse_filters(request.args)
    export_args = {**filters.as_args()}

    def build() -> str:
        """The day shown and the tables, cached together (the day is the last with values)."""
        day = _report_day(node, today_for(current_user))
        result = team_kpis.team_kpis(current_user, node, custom_period(day, day), filters)
        args = {"report": "daily", "on": day.isoformat(), **export_args}
        html = render_template(
            "teams/_daily_tables.html", node=node, result=result, export_args=args
        )
        return f"{day.isoformat()}\n{html}"

    key = cache.key_for("teams.daily_report", caching.areas_for("kpis"))
    day_text, _sep, tables = cache.current().get_or_build(key, build).partition("\n")
    day = date.fromisoformat(day_text)
    return render_view(
        "teams/daily_report.html",
        node=node,
        day=day,
        tables=Markup(tables),  # noqa: S704  (rendered by our own autoescaping template)
        filters=filters,
        crumbs=_breadcrumbs(node),
        choices=_choices(),
        export_args={"report": "daily", "on": day.isoformat(), **export_args},
        title=_("Daily performance"),
    )


@bp.app_template_global("shown")
def _shown(value, decimals: int) -> str:
    return kpi_figures.shown(value, decimals)


@bp.app_template_global("shown_percent")
def _shown_percent(value) -> str:
    return kpi_figures.shown_percent(value)


@bp.app_template_global("shown_change")
def _shown_change(current, previous, decimals: int) -> str:
    return kpi_figures.shown_change(current, previous, decimals)


@bp.app_template_filter("kpi_float")
def _kpi_float(value):
    return kpi_figures.chart_number(value)


@bp.get("/<int:person_id>/export.xlsx")
@login_required
def team_export_all(person_id: int):
    """The whole team view in one workbook: a sheet per table of every panel the viewer may
    see, for the period and filters asked; audited as team.export of the table "all"."""
    node = _node(person_id)
    period, _message = parse_period(request.args, today_for(current_user))
    filters = parse_filters(request.args)
    req = PanelRequest(current_user, node, period, filters)
    sheets = []
    for spec in SPECS:
        if not spec.tables or not spec.shown_to(current_user, node):
            continue
        panel = spec.build(req)
        if panel is None:
            continue
        sheets += [
            (t.title, t.header, t.rows) for key in spec.tables if (t := panel.tables.get(key))
        ]
    audit.record(
        current_user,
        "team.export",
        "person",
        node.id,
        None,
        {
            "table": "all",
            "format": "xlsx",
            "sheets": len(sheets),
            "rows": sum(len(rows) for _t, _h, rows in sheets),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            **filters.as_args(),
        },
    )
    db.session.commit()
    name = f"team-{node.id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    response = Response(
        export.as_workbook(sheets),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


from . import scorecard_views  # noqa: E402, F401  (its routes register on bp)
