"""The KPI and team-view routes in the authorization matrix's shape.

KPI_ROWS and kpi_extras are merged into tests/test_authorization_matrix.py. The KPI set-up
pages are for HR and managers of people; HR alone defines, edits and archives a KPI; a manager
sets and removes targets only for the teams and markets wholly inside their subtree
(portal.policy, "KPI set-up"): a target they see but may not change answers 403, one out of
their sight 404, and a foreign team or market posted to the target form is not one of its
choices (422). In the world the head of the organisation is in market HK, so no manager below
the head reaches HK: its target is HR's (or the head's). The team view of a node (and its
exports and daily report) answers 404 to whoever may not see that person's KPIs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget, KpiValue
from tests.authz import Row, expect
from tests.factories import World

MANAGERS = ("record_supervisor", "other_supervisor", "manager_above")
SETUP = (*MANAGERS, "hr_admin")
# Who sees agent A1's KPIs: A1, the reporting line above and HR (QA and training grants do
# not open the KPI area).
SEES_A1_KPIS = ("self", "record_supervisor", "manager_above", "hr_admin")


def setup(ok: int, **overrides: int) -> dict[str, int]:
    """`ok` for HR and managers of people (the set-up pages), 403 for everyone else."""
    table = expect(403)
    table.update({role: ok for role in SETUP})
    table.update(overrides)
    return table


def hr_only(ok: int) -> dict[str, int]:
    return expect(403, hr_admin=ok)


def a1_kpis(ok: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in SEES_A1_KPIS})
    return table


def a1_scorecard(ok: int) -> dict[str, int]:
    return {**a1_kpis(ok), "qa_analyst": ok}


MARCH = "period=custom&start=2026-03-01&end=2026-03-31"


def u(template: str):
    return lambda w: template.format(w=w)


def target(scope: str):
    return lambda w: {"scope": scope.format(w=w), "target": "3.5"}


KPI = "/kpis/{w.kpi_id}"
A1 = "/teams/{w.agent_a1.id}"
SET = u(KPI + "/targets")


def delete(target_name: str):
    return u(KPI + "/targets/{w." + target_name + "}/delete")


KPI_ROWS: dict[str, Row] = {
    "kpis.kpi_list GET": Row("GET", u("/kpis/"), setup(200)),
    "kpis.kpi_new GET": Row("GET", u("/kpis/new"), hr_only(200)),
    "kpis.kpi_new POST": Row("POST", u("/kpis/new"), hr_only(422)),
    "kpis.kpi_detail GET": Row("GET", u(KPI), setup(200)),
    "kpis.kpi_edit POST": Row("POST", u(KPI + "/edit"), hr_only(422)),
    # A supervisor (or manager) archiving the KPI for the whole organisation: refused.
    "kpis.kpi_archive POST": Row("POST", u(KPI + "/archive"), hr_only(303)),
    "kpis.kpi_target_set POST": Row("POST", SET, setup(422)),
    # Setting a target: only a team or market in reach is a choice of the form.
    "kpis.kpi_target_set POST #market HK (the head is in HK)": Row(
        "POST", SET, setup(422, hr_admin=303), data=target("market:{w.hk.id}")
    ),
    "kpis.kpi_target_set POST #market JP (another market)": Row(
        "POST", SET, setup(422, hr_admin=303), data=target("market:{w.jp.id}")
    ),
    "kpis.kpi_target_set POST #team A (A1's team)": Row(
        "POST",
        SET,
        setup(303, other_supervisor=422),
        data=target("team:{w.team_a.id}"),
    ),
    "kpis.kpi_target_set POST #team C (a JP team)": Row(
        "POST", SET, setup(422, hr_admin=303), data=target("team:{w.team_c.id}")
    ),
    # Removing a target: seen but not theirs 403, out of sight 404.
    "kpis.kpi_target_delete POST": Row("POST", delete("kpi_target_id"), setup(403, hr_admin=303)),
    "kpis.kpi_target_delete POST #team A's target": Row(
        "POST", delete("kpi_team_a_target_id"), setup(303, other_supervisor=404)
    ),
    "kpis.kpi_target_delete POST #team B's target": Row(
        "POST", delete("kpi_team_b_target_id"), setup(303, record_supervisor=404)
    ),
    "kpis.kpi_target_delete POST #market JP's target": Row(
        "POST", delete("kpi_jp_target_id"), setup(404, hr_admin=303)
    ),
    "kpis.kpi_target_delete POST #team C's target (JP)": Row(
        "POST", delete("kpi_team_c_target_id"), setup(404, hr_admin=303)
    ),
    "kpis.value_import GET": Row("GET", u("/kpis/values/import"), setup(200)),
    "kpis.value_import POST": Row("POST", u("/kpis/values/import"), setup(422)),
    "kpis.value_import_template GET": Row("GET", u("/kpis/values/import-template.csv"), setup(200)),
    "kpis_api.kpi_values_post POST": Row(
        "POST", u("/api/kpi-values"), {**setup(422), "anonymous": 401}
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
    "teams.team_panel GET #summary": Row(
        "GET",
        u(A1 + "/panels/summary?period=custom&start=2026-03-01&end=2026-03-31"),
        a1_kpis(200),
    ),
    "teams.team_export_all GET": Row(
        "GET",
        u(A1 + "/export.xlsx?period=custom&start=2026-03-01&end=2026-03-31"),
        a1_kpis(200),
    ),
    "teams.daily_report GET": Row("GET", u(A1 + "/daily?on=2026-03-02"), a1_kpis(200)),
    # The agent scorecard: whoever may see any area of A1's (the QA analyst granted A1's team
    # gets the QA section alone); peers, the other team's supervisor and the JP trainer 404.
    "teams.agent_scorecard GET": Row("GET", u(A1 + "/scorecard?" + MARCH), a1_scorecard(200)),
    "teams.agent_scorecard_pdf GET": Row(
        "GET", u(A1 + "/scorecard.pdf?" + MARCH), a1_scorecard(200)
    ),
    "teams.agent_scorecard_xlsx GET": Row(
        "GET", u(A1 + "/scorecard.xlsx?" + MARCH), a1_scorecard(200)
    ),
    # The menu's "KPIs": a redirect to one's own node's KPI values, for everyone.
    "teams.my_kpis GET": Row("GET", u("/teams/kpis"), expect(302)),
}


def kpi_extras(world: World) -> dict:
    """A KPI with targets for market HK (A1's), team A, team B, market JP and team C, and one
    day of agent A1's values."""
    kpi = Kpi(code="matrix", name="Matrix KPI", unit="", direction="higher", aggregation="mean")
    db.session.add(kpi)
    db.session.flush()
    targets = {
        "kpi_target_id": KpiTarget(kpi_id=kpi.id, market_id=world.hk.id, target=Decimal(1)),
        "kpi_team_a_target_id": KpiTarget(kpi_id=kpi.id, team_id=world.team_a.id, target=2),
        "kpi_team_b_target_id": KpiTarget(kpi_id=kpi.id, team_id=world.team_b.id, target=3),
        "kpi_jp_target_id": KpiTarget(kpi_id=kpi.id, market_id=world.jp.id, target=Decimal(4)),
        "kpi_team_c_target_id": KpiTarget(kpi_id=kpi.id, team_id=world.team_c.id, target=5),
    }
    db.session.add_all(targets.values())
    db.session.add(
        KpiValue(
            person_id=world.agent_a1.id, kpi_id=kpi.id, value_on=date(2026, 3, 2), value=Decimal(7)
        )
    )
    db.session.commit()
    return {"kpi_id": kpi.id, **{name: t.id for name, t in targets.items()}}
