"""The team view is a list of panels. A panel is one function taking the view's request
(viewer, node, period, filters) and returning its template and context, plus the tables it
offers for export. The KPI panel is here; QA, 1:1s, goals and reviews, training and recognition
are in area_panels.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import policy
from portal.dashboards import team_kpis
from portal.dashboards.kpi_figures import KpiRow, chart_number, shown, shown_percent, y_axis
from portal.kpis.maths import TargetKind
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area


@dataclass(frozen=True)
class PanelRequest:
    viewer: Person
    node: Person
    period: Period
    filters: ViewFilters


@dataclass(frozen=True)
class Table:
    """An exportable table: a header row and rows of display strings."""

    title: str
    header: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)


PanelBuilder = Callable[[PanelRequest], Panel | None]


def target_text(row: KpiRow) -> str:
    """The target cell of a KPI row: the target, "targets differ by market", or ''."""
    if row.target_kind == TargetKind.DIFFER:
        return _("targets differ by market")
    return shown(row.target, row.kpi.decimals)


def by_market_text(row: KpiRow) -> str:
    """Each market's value against its target, e.g. "Hong Kong 4.41 / 4.50 (98%)"."""
    d = row.kpi.decimals
    return "; ".join(
        _(
            "%(market)s %(value)s / %(target)s (%(attainment)s)",
            market=m.name,
            value=shown(m.figure.value, d) or "—",
            target=shown(m.target, d) or _("none"),
            attainment=shown_percent(m.attainment) or "—",
        )
        for m in row.markets
    )


def _kpi_table(result: team_kpis.TeamKpis, previous_label: str = "") -> Table:
    header = [
        _("KPI"),
        _("Unit"),
        _("Value"),
        _("n"),
        _("Target"),
        _("Attainment"),
        _("On target"),
        _("Previous period (%(comparison)s)", comparison=previous_label)
        if previous_label
        else _("Previous period"),
        _("By market: value / target (attainment)"),
    ]
    rows = []
    for row in result.rows:
        d = row.kpi.decimals
        rows.append(
            [
                row.kpi.name,
                row.kpi.unit,
                shown(row.figure.value, d),
                row.figure.n,
                target_text(row),
                shown_percent(row.attainment),
                "" if row.meets is None else (_("yes") if row.meets else _("no")),
                shown(row.previous.value, d),
                by_market_text(row),
            ]
        )
    return Table(_("KPIs against target"), header, rows)


def bucket_title(period: Period) -> str:
    """The x-axis title of a trend: its buckets are days, weeks or months (Period.bucket_of)."""
    if period.days <= 62:
        return _("Day")
    if period.days <= 186:
        return _("Week from")
    return _("Month from")


def kpi_chart(row: KpiRow, period: Period) -> dict[str, Any]:
    """A KPI trend chart's data: dates in the viewer's language, values and their display text
    (the tooltip), the target line, the axis titles and where the y-axis starts (y_axis)."""
    from portal.time_format import fmt_date

    values = [value for _bucket, value, _n in row.trend]
    low, high = y_axis(row.kpi, values)
    return {
        "labels": [fmt_date(bucket) for bucket, _value, _n in row.trend],
        "values": [chart_number(v) for v in values],
        "shown": [
            _("%(value)s (n = %(n)s)", value=shown(v, row.kpi.decimals), n=n)
            if v is not None
            else ""
            for _bucket, v, n in row.trend
        ],
        "target": chart_number(row.target),
        "label": row.kpi.name,
        "targetLabel": _("Target"),
        "xTitle": bucket_title(period),
        "yTitle": row.kpi.unit or row.kpi.name,
        "yMin": low,
        "yMax": high,
    }


def _people_table(result: team_kpis.TeamKpis) -> Table:
    header = [_("Person"), _("Position")] + [
        f"{r.kpi.name} ({r.kpi.unit})" if r.kpi.unit else r.kpi.name for r in result.rows
    ]
    rows = []
    for child in result.children:
        rows.append(
            [child.person.name, child.person.position.name]
            + [
                shown(f.value, r.kpi.decimals)
                for f, r in zip(child.figures, result.rows, strict=True)
            ]
        )
    return Table(_("KPIs by direct report"), header, rows)


def kpi_panel(req: PanelRequest) -> Panel:
    from .period_args import comparison_dates, comparison_for, comparison_label

    compared = comparison_for(req.period, req.viewer)
    result = team_kpis.team_kpis(req.viewer, req.node, req.period, req.filters, compared)
    label = comparison_label(compared)
    tables = {"kpis": _kpi_table(result, label)}
    if result.children:
        tables["people"] = _people_table(result)
    return Panel(
        key="kpis",
        template="teams/_panel_kpis.html",
        context={
            "result": result,
            "comparison": label,
            "comparison_dates": comparison_dates(compared),
            "charts": [kpi_chart(row, req.period) for row in result.rows],
        },
        tables=tables,
    )


from .area_panels import (  # noqa: E402  (its builders use the types above)
    goals_panel,
    one_on_one_panel,
    qa_panel,
    recognition_panel,
    training_panel,
)
from .summary_panel import summary_panel  # noqa: E402


@dataclass(frozen=True)
class PanelSpec:
    """A panel of the team view: its key (URL and element id), its heading while it loads,
    its builder and the tables it offers for export (so an export builds only its panel)."""

    key: str
    title: Any
    build: PanelBuilder
    tables: tuple[str, ...]
    areas: tuple[Area, ...] = ()  # shown when the viewer sees any of them (none: always)

    def shown_to(self, viewer: Person, node: Person) -> bool:
        return not self.areas or any(policy.sees_area(viewer, node, a) for a in self.areas)


SPECS: list[PanelSpec] = [
    PanelSpec("summary", _l("Summary"), summary_panel, ()),
    PanelSpec("kpis", _l("KPIs against target"), kpi_panel, ("kpis", "people")),
    PanelSpec(
        "qa",
        _l("Quality (QA)"),
        qa_panel,
        ("qa", "qa-weeks", "qa-questions", "qa-people"),
        (Area.QA,),
    ),
    PanelSpec(
        "one-on-ones",
        _l("1:1 completion"),
        one_on_one_panel,
        ("one-on-ones", "one-on-ones-people"),
        (Area.COACHING,),
    ),
    PanelSpec(
        "goals",
        _l("Goals and reviews"),
        goals_panel,
        ("goals", "goals-people", "review-phases"),
        (Area.GOALS, Area.REVIEWS),
    ),
    PanelSpec(
        "training",
        _l("Training"),
        training_panel,
        ("training", "training-people"),
        (Area.TRAINING,),
    ),
    PanelSpec(
        "recognition",
        _l("Recognition"),
        recognition_panel,
        ("kudos", "kudos-values", "kudos-people"),
        (Area.RECOGNITION,),
    ),
]


def spec_for_key(key: str) -> PanelSpec | None:
    return next((spec for spec in SPECS if spec.key == key), None)


def spec_for_table(table: str) -> PanelSpec | None:
    return next((spec for spec in SPECS if table in spec.tables), None)
