"""The team view's panels as pages: visibility, filters, drill-down, exports, query counts."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal import policy
from portal.audit import AuditEntry
from portal.coaching.models import OneOnOneSeries
from portal.extensions import db
from portal.goals.models import Review
from tests.conftest import as_user, count_queries
from tests.teams import panel_world
from tests.teams.page import team_page
from tests.teams.panel_world import OCTOBER

NEW_TABLES = (
    "qa",
    "qa-weeks",
    "qa-questions",
    "qa-people",
    "one-on-ones",
    "one-on-ones-people",
    "goals",
    "goals-people",
    "review-phases",
    "training",
    "training-people",
    "kudos",
    "kudos-values",
    "kudos-people",
)


@pytest.fixture
def data(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "QA_MIN_EVALUATIONS", 1)
    panel_world.build_all(world)
    return world


def page(client, person, url) -> str:
    as_user(client, person)
    response = team_page(client, url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_panel_shows_on_a_managers_view(client, data):
    body = page(client, data.manager_hk, f"/teams/{data.manager_hk.id}?{OCTOBER}")
    for section in ("panel-qa", "panel-one-on-ones", "panel-goals", "panel-training"):
        assert f'id="{section}"' in body
    assert 'id="panel-recognition"' in body
    assert "Verified the caller" in body  # questions failed most
    assert "2026 H2" in body


def test_a_supervisors_panels_never_count_outside_their_subtree(client, data):
    w = data
    as_user(client, w.sup_a)
    for table in ("qa-people", "one-on-ones-people", "goals-people", "training-people"):
        text = client.get(f"/teams/{w.sup_a.id}/export/{table}.csv?{OCTOBER}").get_data(
            as_text=True
        )
        assert w.agent_a1.name in text
        assert w.agent_b1.name not in text and w.agent_c1.name not in text
    text = client.get(f"/teams/{w.sup_a.id}/export/qa.csv?{OCTOBER}").get_data(as_text=True)
    assert "This period,2026-10-01,2026-10-31,3,3,60.4," in text  # (100 + 81.25 + 0) / 3
    text = client.get(f"/teams/{w.sup_a.id}/export/kudos.csv?{OCTOBER}").get_data(as_text=True)
    assert ",3,2" in text  # 3 kudos, 2 people: B1's and C1's are not counted


def test_an_agent_sees_only_themself_in_every_panel(client, data):
    w = data
    body = page(client, w.agent_a1, f"/teams/{w.agent_a1.id}?{OCTOBER}")
    assert w.agent_a2.name not in body
    as_user(client, w.agent_a1)
    text = client.get(f"/teams/{w.agent_a1.id}/export/one-on-ones.csv?{OCTOBER}").get_data(
        as_text=True
    )
    assert "1,1,1,1,4,25%" in text  # A1's own weeks
    assert client.get(f"/teams/{w.agent_a2.id}?{OCTOBER}").status_code == 404
    assert client.get(f"/teams/{w.agent_a2.id}/export/qa.csv").status_code == 404


def test_a_panel_whose_area_the_viewer_lacks_is_absent(client, data, monkeypatch):
    real = policy.sees_area
    monkeypatch.setattr(
        policy, "sees_area", lambda v, p, area: area is not policy.Area.QA and real(v, p, area)
    )
    body = page(client, data.sup_a, f"/teams/{data.sup_a.id}?{OCTOBER}")
    assert 'id="panel-qa"' not in body and 'id="panel-training"' in body
    as_user(client, data.sup_a)
    assert client.get(f"/teams/{data.sup_a.id}/export/qa.csv?{OCTOBER}").status_code == 404


def test_the_channel_filter_narrows_qa_and_notes_the_other_panels(client, data):
    w = data
    as_user(client, w.sup_a)
    url = f"/teams/{w.sup_a.id}?{OCTOBER}&channel=email"
    body = team_page(client, url).get_data(as_text=True)
    assert "Not per channel" in body
    assert "channel=email" in body  # drill-down, exports and periods keep it
    text = client.get(f"/teams/{w.sup_a.id}/export/qa.csv?{OCTOBER}&channel=email").get_data(
        as_text=True
    )
    assert "This period,2026-10-01,2026-10-31,1,1,81.3" in text  # E2 alone, 81.25 rounded once


def test_an_unknown_channel_is_ignored_with_a_message(client, data):
    as_user(client, data.sup_a)
    response = team_page(client, f"/teams/{data.sup_a.id}?{OCTOBER}&channel=<fax>")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Unknown channel" in body
    assert "Not per channel" not in body


def test_market_and_segment_filters_narrow_every_panel(client, data):
    w = data
    as_user(client, w.head)
    jp = f"{OCTOBER}&market={w.team_c.market_id}"
    text = client.get(f"/teams/{w.head.id}/export/training.csv?{jp}").get_data(as_text=True)
    assert text.splitlines()[1].startswith("1,1,0,0,1")  # C1's overdue course only
    text = client.get(f"/teams/{w.head.id}/export/kudos.csv?{jp}").get_data(as_text=True)
    assert ",1,1" in text.splitlines()[1]
    vip = f"{OCTOBER}&segment={w.agent_a2.segment_id}"
    as_user(client, w.sup_a)
    text = client.get(f"/teams/{w.sup_a.id}/export/goals.csv?{vip}").get_data(as_text=True)
    assert "2026 H2,2,1,100%" in text  # A2: keep-the-level goal met, the other not checked in


def test_drill_down_links_keep_the_period_and_filters(client, data):
    w = data
    body = page(client, w.manager_hk, f"/teams/{w.manager_hk.id}?{OCTOBER}&channel=chat")
    assert f"/teams/{w.sup_a.id}?period=month&amp;on=2026-10-01&amp;channel=chat" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_new_table_exports_and_is_audited(client, data, fmt):
    w = data
    as_user(client, w.manager_hk)
    for table in NEW_TABLES:
        response = client.get(f"/teams/{w.manager_hk.id}/export/{table}.{fmt}?{OCTOBER}")
        assert response.status_code == 200, table
        if fmt == "xlsx":
            sheet = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")
            assert b"<f>" not in sheet
        else:
            assert response.get_data(as_text=True).count("\n") >= 2, table
    tables = db.session.execute(
        select(AuditEntry.after).where(AuditEntry.action == "team.export")
    ).scalars()
    assert sorted(t["table"] for t in tables) == sorted(NEW_TABLES)


def _grow(world, times: int) -> None:
    """More of everything for the same people (nine more of each record per person)."""
    card = panel_world.make_card(world.qa, name="Grow")
    answers = panel_world.answers_for(card, "yes", 3, "Full")
    for i in range(times):
        for agent, sup in ((world.agent_a1, world.sup_a), (world.agent_b1, world.sup_b)):
            day = date(2026, 10, 1) + timedelta(days=i * 3)
            panel_world.evaluate(card, agent, sup, day, answers)
            panel_world.kudos(sup, agent, f"Value {i}", day)
    course = panel_world._course(world, "Grow")
    for person in (world.agent_a1, world.agent_a2, world.agent_b1):
        panel_world._assign(world, course, person, date(2026, 10, 15))
    review = db.session.execute(
        select(Review).where(Review.person_id == world.agent_b1.id)
    ).scalar_one()
    for i in range(times):
        panel_world._goal(review, f"Grown {i}", "higher", 0, 10, i)
    b1_series = db.session.execute(
        select(OneOnOneSeries).where(OneOnOneSeries.person_id == world.agent_b1.id)
    ).scalar_one()
    for day in (5, 12, 19, 26):
        panel_world.meeting(b1_series, date(2026, 10, day), "held")
    db.session.commit()


def test_query_count_is_flat_when_data_grows_tenfold(app, client, data, no_panel_cache):
    w = data
    url = f"/teams/{w.head.id}?{OCTOBER}"
    as_user(client, w.head)
    team_page(client, url)
    with count_queries(app) as before:
        assert team_page(client, url).status_code == 200
    _grow(w, 10)
    with count_queries(app) as after:
        assert team_page(client, url).status_code == 200
    assert len(after) == len(before)
