"""The team view's summary: the tile maths (pure), tiles equal to the detail panels' figures,
visibility, the sections, the whole-view workbook and a flat query count."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal import policy
from portal.audit import AuditEntry
from portal.dashboards.summary import sparkline_points
from portal.dashboards.team_goals import reviews_on_track
from portal.extensions import db
from portal.goals.models import PhaseKind
from tests.conftest import as_user, count_queries
from tests.kpis.kpi_world import DAY, build_kpis
from tests.teams import panel_world
from tests.teams.panel_world import OCTOBER
from tests.teams.test_panel_pages import _grow

# ---- pure: the sparkline -------------------------------------------------------------------


def test_a_sparkline_runs_from_the_floor_to_the_highest_value():
    assert sparkline_points([0, 5, 10], width=100, height=20) == "0,20 50,10 100,0"
    # from 0, not from the lowest value: 4.4 -> 4.6 is not drawn as a crash
    assert sparkline_points([4.4, 4.6], width=100, height=20) == "0,0.9 100,0"


def test_a_sparkline_draws_only_the_days_with_data():
    assert sparkline_points([None, 2, None, 4, None], width=10, height=10) == "0,5 10,0"


def test_a_sparkline_without_a_floor_uses_the_lowest_value():
    assert sparkline_points([4.4, 4.6], width=100, height=20, floor=None) == "0,20 100,0"


def test_a_sparkline_of_nothing_is_empty_and_a_flat_one_sits_mid_height():
    assert sparkline_points([]) == "" and sparkline_points([None, None]) == ""
    assert sparkline_points([3], width=100, height=20, floor=None) == "50,10"
    assert sparkline_points([0, 0], width=100, height=20) == "0,10 100,10"


def test_a_negative_value_lowers_the_floor():
    assert sparkline_points([-10, 10], width=100, height=20) == "0,20 100,0"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=40))
def test_every_sparkline_point_is_inside_its_box(values):
    text = sparkline_points(values, width=100, height=24)
    present = [v for v in values if v is not None]
    points = [tuple(map(float, p.split(","))) for p in text.split()] if text else []
    assert len(points) == len(present)
    for x, y in points:
        assert 0 <= x <= 100 and 0 <= y <= 24
    assert [x for x, _y in points] == sorted(x for x, _y in points)


# ---- pure: reviews on track ----------------------------------------------------------------

DUE = {
    PhaseKind.GOAL_SETTING: date(2026, 7, 15),
    PhaseKind.MID_CYCLE: date(2026, 9, 30),
    PhaseKind.SELF_ASSESSMENT: date(2026, 11, 15),
}


def test_before_any_deadline_every_review_is_on_track():
    counts = [("draft", 3, 0), ("self_review", 2, 1)]
    assert reviews_on_track(counts, DUE, date(2026, 7, 15)) == (5, 5)


def test_after_goal_setting_a_draft_is_behind():
    counts = [("draft", 3, 0), ("self_review", 2, 1)]
    assert reviews_on_track(counts, DUE, date(2026, 7, 16)) == (2, 5)


def test_after_the_mid_cycle_deadline_only_reviews_with_every_goal_checked_in_count():
    counts = [("draft", 3, 1), ("self_review", 2, 1), ("manager_review", 4, 4)]
    assert reviews_on_track(counts, DUE, date(2026, 10, 1)) == (5, 9)


def test_after_the_self_assessment_deadline_the_state_must_be_past_it():
    counts = [("self_review", 2, 2), ("manager_review", 4, 3)]
    assert reviews_on_track(counts, DUE, date(2026, 11, 16)) == (3, 6)


def test_no_review_none_on_track():
    assert reviews_on_track([], DUE, date(2026, 12, 1)) == (0, 0)


# ---- pages ---------------------------------------------------------------------------------


@pytest.fixture
def data(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "QA_MIN_EVALUATIONS", 1)
    panel_world.build_all(world)
    return world


def fragment(client, person, node, key, query=OCTOBER) -> str:
    as_user(client, person)
    response = client.get(f"/teams/{node.id}/panels/{key}?{query}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tile(body: str, area: str) -> str:
    found = re.search(rf'<li class="tile[^"]*" id="tile-{area}">(.*?)\n    </li>', body, re.S)
    assert found, area
    return found.group(1)


def figure(body: str, area: str) -> str:
    found = re.search(r"<strong data-figure>([^<]*)</strong>", tile(body, area))
    assert found, area
    return found.group(1)


def cells(client, node, table, query=OCTOBER) -> list[str]:
    """The first data row of an exported table."""
    text = client.get(f"/teams/{node.id}/export/{table}.csv?{query}").get_data(as_text=True)
    return text.splitlines()[1].split(",")


def test_a_managers_summary_has_a_tile_per_area_linking_to_its_section(client, data):
    body = fragment(client, data.manager_hk, data.manager_hk, "summary")
    for area, section in (
        ("kpis", "kpis"),
        ("qa", "qa"),
        ("one-on-ones", "one-on-ones"),
        ("reviews", "goals"),
        ("training", "training"),
        ("recognition", "recognition"),
    ):
        assert f'href="#section-{section}"' in tile(body, area)
        assert "n = " in tile(body, area)


@pytest.mark.parametrize("who", ["sup_a", "manager_hk", "head"])
def test_the_tiles_equal_the_detail_panels(client, data, who):
    w = data
    person = getattr(w, who)
    body = fragment(client, person, person, "summary")
    qa = cells(client, person, "qa")  # This period, from, to, evaluations, scored, mean, ...
    assert figure(body, "qa") == qa[5]
    assert f"95% interval {qa[6]}–{qa[7]}" in tile(body, "qa")
    assert f"Critical fails: {qa[8]}" in tile(body, "qa")
    assert f"n = {qa[3]} evaluations" in tile(body, "qa")
    one_on_ones = cells(client, person, "one-on-ones")
    assert figure(body, "one-on-ones") == one_on_ones[-1]  # % held
    assert f"n = {one_on_ones[5]} due" in tile(body, "one-on-ones")
    training = cells(client, person, "training")  # assigned, people, completed, due, overdue
    assert figure(body, "training") == training[4]
    assert f"n = {training[0]} assigned, {training[1]} people" in tile(body, "training")
    kudos = cells(client, person, "kudos")
    assert figure(body, "recognition") == kudos[1]
    assert f"{kudos[2]} people recognised" in tile(body, "recognition")
    goals = fragment(client, person, person, "goals")
    on_track = re.search(r'id="reviews-on-track">.*?<strong>([^<]*)</strong>', goals).group(1)
    assert figure(body, "reviews") == on_track


def test_the_supervisors_tiles_have_the_hand_counted_figures(client, data):
    body = fragment(client, data.sup_a, data.sup_a, "summary")
    assert figure(body, "qa") == "60.4"  # (100 + 81.25 + 0) / 3
    assert figure(body, "recognition") == "3"  # B1's and C1's kudos are not counted


def test_the_kpi_tile_equals_the_kpi_table(client, world):
    build_kpis(world)
    query = f"period=custom&start={(DAY - timedelta(days=6)).isoformat()}&end={DAY.isoformat()}"
    body = fragment(client, world.sup_a, world.sup_a, "summary", query)
    as_user(client, world.sup_a)
    text = client.get(f"/teams/{world.sup_a.id}/export/kpis.csv?{query}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    kpi_tile = tile(body, "kpis")
    with_target = [r for r in rows if r[6]]
    on_target = [r for r in with_target if r[6] == "yes"]
    assert figure(body, "kpis") == f"{len(on_target)}/{len(with_target)}"
    for name, _unit, value, _n, target, attainment, _meets, *_rest in rows:
        line = re.search(rf'<li data-kpi="{re.escape(name)}">(.*?)</li>', kpi_tile, re.S).group(1)
        assert f'<span class="tile-kpi-value" data-value>{value or "—"}</span>' in line
        if target:
            assert f"target {target}" in line and attainment in line
    csat = re.search(r'<li data-kpi="CSAT">(.*?)</li>', kpi_tile, re.S).group(1)
    assert "4.35" in csat and "target 4.70" in csat and "93%" in csat
    assert '<polyline points="' in csat and 'aria-label="Trend of CSAT: from ' in csat


def test_a_tile_whose_area_the_viewer_lacks_is_absent(client, data, monkeypatch):
    real = policy.sees_area
    monkeypatch.setattr(
        policy, "sees_area", lambda v, p, area: area is not policy.Area.QA and real(v, p, area)
    )
    body = fragment(client, data.sup_a, data.sup_a, "summary")
    assert 'id="tile-qa"' not in body and 'id="tile-training"' in body
    page = client.get(f"/teams/{data.sup_a.id}?{OCTOBER}").get_data(as_text=True)
    assert 'id="section-qa"' not in page and 'id="section-training"' in page


def test_the_summary_of_an_out_of_reach_node_is_404(client, data):
    as_user(client, data.sup_a)
    assert client.get(f"/teams/{data.sup_b.id}/panels/summary?{OCTOBER}").status_code == 404
    assert client.get(f"/teams/{data.sup_b.id}/export.xlsx?{OCTOBER}").status_code == 404


def test_the_page_loads_the_summary_and_each_section_when_opened(client, data):
    as_user(client, data.manager_hk)
    page = client.get(f"/teams/{data.manager_hk.id}?{OCTOBER}").get_data(as_text=True)
    assert re.search(r'id="slot-summary"[^>]*\n?[^>]*hx-trigger="load"', page)
    assert page.index('id="slot-summary"') < page.index('id="section-kpis"')
    assert re.search(r'<details class="card team-section" id="section-kpis" open>', page)
    for key in ("qa", "one-on-ones", "goals", "training", "recognition"):
        opening = f'<details class="card team-section" id="section-{key}">'
        section = page[page.index(opening) : page.index("</details>", page.index(opening))]
        assert 'hx-trigger="toggle once from:closest details"' in section
        assert f'<noscript><p><a href="/teams/{data.manager_hk.id}/panels/{key}?' in section
    assert "js/team-sections.js" in page
    assert f"/teams/{data.manager_hk.id}/export.xlsx?" in page


def test_the_whole_view_exports_one_sheet_per_table_and_is_audited(client, data):
    w = data
    as_user(client, w.manager_hk)
    response = client.get(f"/teams/{w.manager_hk.id}/export.xlsx?{OCTOBER}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = zipfile.ZipFile(io.BytesIO(response.data))
    workbook = book.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]*)"', workbook)
    # every table of every panel: the KPI table and its reports, QA's four, 1:1s two, goals
    # three, training two, recognition three
    assert len(names) == 16
    assert "KPIs against target" in names and "QA by direct report" in names
    assert "Kudos by value" in names and "1-1 completion" in names
    for index in range(1, len(names) + 1):
        assert b"<f>" not in book.read(f"xl/worksheets/sheet{index}.xml")
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "team.export")
    ).scalar_one()
    assert entry.after["table"] == "all" and entry.after["sheets"] == 16
    assert entry.after["start"] == "2026-10-01" and entry.after["end"] == "2026-10-31"


def test_the_whole_view_leaves_out_the_areas_the_viewer_lacks(client, data, monkeypatch):
    real = policy.sees_area
    monkeypatch.setattr(
        policy, "sees_area", lambda v, p, area: area is not policy.Area.QA and real(v, p, area)
    )
    as_user(client, data.sup_a)
    response = client.get(f"/teams/{data.sup_a.id}/export.xlsx?{OCTOBER}")
    names = re.findall(
        r'<sheet name="([^"]*)"',
        zipfile.ZipFile(io.BytesIO(response.data)).read("xl/workbook.xml").decode(),
    )
    assert names and not any(name.startswith("QA") for name in names)


def test_the_summary_query_count_is_flat_when_data_grows_tenfold(app, client, data, no_panel_cache):
    w = data
    url = f"/teams/{w.head.id}/panels/summary?{OCTOBER}"
    as_user(client, w.head)
    client.get(url, headers={"HX-Request": "true"})
    with count_queries(app) as before:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    _grow(w, 10)
    with count_queries(app) as after:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert len(after) == len(before)
    assert len(before) <= 30


def test_without_javascript_the_summary_page_links_each_tile_to_its_panel_page(client, data):
    as_user(client, data.sup_a)
    body = client.get(f"/teams/{data.sup_a.id}/panels/summary?{OCTOBER}").get_data(as_text=True)
    assert f'href="/teams/{data.sup_a.id}/panels/training?' in tile(body, "training")
    assert 'href="#section-' not in body
