"""The team view and daily report: figures, visibility, drill-down, exports, query counts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from tests.conftest import as_user, count_queries
from tests.kpis.kpi_world import DAY, add_value, build_kpis
from tests.teams.page import team_page

PERIOD = f"period=custom&start={(DAY - timedelta(days=6)).isoformat()}&end={DAY.isoformat()}"


@pytest.fixture
def kw(world):
    return build_kpis(world)


def page(client, person, url):
    as_user(client, person)
    return team_page(client, url)


def test_supervisor_sees_their_teams_weighted_csat_and_team_target(client, world, kw):
    body = page(client, world.sup_a, f"/teams/{world.sup_a.id}?{PERIOD}").get_data(as_text=True)
    # (4.8*10 + 4.2*30) / 40 = 4.35 over 6 rows; team A's target 4.7 overrides HK's 4.5
    assert "4.35" in body
    assert "4.70" in body
    assert "93%" in body  # 4.35 / 4.7


def test_a_supervisors_view_never_counts_outside_their_subtree(client, world, kw):
    body = page(client, world.sup_a, f"/teams/{world.sup_a.id}?{PERIOD}").get_data(as_text=True)
    assert "1000" not in body and "3000" not in body  # agent C1's contacts
    assert "120" in body  # 40 x 3 days, A1 only


def test_a_supervisor_cannot_open_another_supervisors_node(client, world, kw):
    assert page(client, world.sup_a, f"/teams/{world.sup_b.id}").status_code == 404
    assert page(client, world.sup_a, f"/teams/{world.manager_hk.id}").status_code == 404


def test_an_agent_sees_only_their_own_node(client, world, kw):
    assert page(client, world.agent_a1, f"/teams/{world.agent_a1.id}").status_code == 200
    assert page(client, world.agent_a1, f"/teams/{world.agent_a2.id}").status_code == 404


def test_manager_drills_down_to_supervisors_then_agents(client, world, kw):
    body = page(client, world.manager_hk, f"/teams/{world.manager_hk.id}?{PERIOD}").get_data(
        as_text=True
    )
    assert f"/teams/{world.sup_a.id}?" in body and f"/teams/{world.sup_b.id}?" in body
    body = team_page(client, f"/teams/{world.sup_a.id}?{PERIOD}").get_data(as_text=True)
    assert f"/teams/{world.agent_a1.id}?" in body


def test_market_filter_narrows_the_head_view_and_gives_the_market_target(client, world, kw):
    url = f"/teams/{world.head.id}?{PERIOD}&market={world.team_c.market_id}"
    body = page(client, world.head, url).get_data(as_text=True)
    assert "3000" in body  # C1's contacts
    assert "120<" not in body


def test_the_csv_export_is_scoped_and_audited(client, world, kw):
    as_user(client, world.sup_a)
    response = client.get(f"/teams/{world.sup_a.id}/export/people.csv?{PERIOD}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert world.agent_a1.name in text and world.agent_c1.name not in text
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "team.export")
    ).scalar_one()
    assert entry.after["table"] == "people"


def test_the_xlsx_export_opens_and_keeps_formulas_as_text(client, world, kw):
    import zipfile

    kw.csat.name = "=HYPERLINK(1)"
    db.session.commit()
    as_user(client, world.sup_a)
    response = client.get(f"/teams/{world.sup_a.id}/export/kpis.xlsx?{PERIOD}")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_export_of_an_out_of_reach_node_is_404(client, world, kw):
    as_user(client, world.sup_a)
    assert client.get(f"/teams/{world.sup_c.id}/export/kpis.csv").status_code == 404


def test_daily_report_compares_with_the_previous_day(client, world, kw):
    add_value(world.agent_a1, kw.contacts, DAY - timedelta(days=3), value="10")
    db.session.commit()
    as_user(client, world.agent_a1)
    body = client.get(f"/teams/{world.agent_a1.id}/daily?on={DAY.isoformat()}").get_data(
        as_text=True
    )
    assert "+0" in body  # contacts 40 vs 40


def test_team_view_query_count_is_flat_when_data_grows_tenfold(
    app, client, world, kw, no_panel_cache
):
    as_user(client, world.head)
    url = f"/teams/{world.head.id}?period=quarter&on={DAY.isoformat()}"
    team_page(client, url)
    with count_queries(app) as before:
        team_page(client, url)
    for offset in range(3, 33):
        for person in (world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1):
            add_value(person, kw.aht, DAY - timedelta(days=offset), value="321")
            add_value(person, kw.contacts, DAY - timedelta(days=offset), value="5")
    db.session.commit()
    with count_queries(app) as after:
        response = team_page(client, url)
    assert response.status_code == 200
    assert len(after) == len(before)


def test_hr_default_view_is_the_top_of_the_tree(client, world, kw):
    body = page(client, world.hr, "/teams/").get_data(as_text=True)
    assert world.head.name in body
