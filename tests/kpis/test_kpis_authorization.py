"""The KPI and team-view routes in the authorization matrix's shape.

KPI_ROWS and kpi_extras are merged into tests/test_authorization_matrix.py. KPI definitions
are set by HR and managers of people; the team view of a node (and its exports and daily
report) answers 404 to whoever may not see that person's KPIs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget, KpiValue
from tests.authz import Row, expect
from tests.factories import World

DEFINERS = ("record_supervisor", "other_supervisor", "manager_above", "hr_admin")
# Who sees agent A1's KPIs: A1, the reporting line above and HR (QA and training grants do
# not open the KPI area).
SEES_A1_KPIS = ("self", "record_supervisor", "manager_above", "hr_admin")


def definers(ok: int) -> dict[str, int]:
    table = expect(403)
    table.update({role: ok for role in DEFINERS})
    return table


def a1_kpis(ok: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in SEES_A1_KPIS})
    return table


def u(template: str):
    return lambda w: template.format(w=w)


KPI = "/kpis/{w.kpi_id}"
A1 = "/teams/{w.agent_a1.id}"

KPI_ROWS: dict[str, Row] = {
    "kpis.kpi_list GET": Row("GET", u("/kpis/"), definers(200)),
    "kpis.kpi_new GET": Row("GET", u("/kpis/new"), definers(200)),
    "kpis.kpi_new POST": Row("POST", u("/kpis/new"), definers(422)),
    "kpis.kpi_detail GET": Row("GET", u(KPI), definers(200)),
    "kpis.kpi_edit POST": Row("POST", u(KPI + "/edit"), definers(422)),
    "kpis.kpi_archive POST": Row("POST", u(KPI + "/archive"), definers(303)),
    "kpis.kpi_target_set POST": Row("POST", u(KPI + "/targets"), definers(422)),
    "kpis.kpi_target_delete POST": Row(
        "POST", u(KPI + "/targets/{w.kpi_target_id}/delete"), definers(303)
    ),
    "kpis.value_import GET": Row("GET", u("/kpis/values/import"), definers(200)),
    "kpis.value_import POST": Row("POST", u("/kpis/values/import"), definers(422)),
    "kpis.value_import_template GET": Row(
        "GET", u("/kpis/values/import-template.csv"), definers(200)
    ),
    "kpis_api.kpi_values_post POST": Row(
        "POST", u("/api/kpi-values"), {**definers(422), "anonymous": 401}
    ),
    # team views: everyone has their own; a node answers 404 out of reach
    "teams.team_view GET": Row(
        "GET",
        u("/teams/"),
        expect(200),
        hidden_from=("peer_agent", "other_supervisor", "qa_analyst", "trainer"),
    ),
    "teams.team_node GET": Row(
        "GET", u(A1 + "?period=custom&start=2026-03-01&end=2026-03-31"), a1_kpis(200)
    ),
    "teams.team_panel GET": Row(
        "GET",
        u(A1 + "/panels/kpis?period=custom&start=2026-03-01&end=2026-03-31"),
        a1_kpis(200),
    ),
    "teams.team_export GET": Row(
        "GET",
        u(A1 + "/export/kpis.csv?period=custom&start=2026-03-01&end=2026-03-31"),
        a1_kpis(200),
    ),
    "teams.daily_report GET": Row("GET", u(A1 + "/daily?on=2026-03-02"), a1_kpis(200)),
}


def kpi_extras(world: World) -> dict:
    """A KPI with a market target and one day of agent A1's values."""
    kpi = Kpi(code="matrix", name="Matrix KPI", unit="", direction="higher", aggregation="mean")
    db.session.add(kpi)
    db.session.flush()
    target = KpiTarget(kpi_id=kpi.id, market_id=world.team_a.market_id, target=Decimal(1))
    db.session.add(target)
    db.session.add(
        KpiValue(
            person_id=world.agent_a1.id, kpi_id=kpi.id, value_on=date(2026, 3, 2), value=Decimal(7)
        )
    )
    db.session.commit()
    return {"kpi_id": kpi.id, "kpi_target_id": target.id}
