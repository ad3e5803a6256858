"""The agent scorecard (/teams/<person>/scorecard, .pdf, .xlsx) and the menu's "KPIs".

The world is tests/teams/panel_world.py's (October 2026); A1's figures, by hand:
- QA: 100 (6 Oct) and 81.25 (20 Oct, e-mail): mean 90.6, n 2, no critical fail; September
  62.5 (n 1).
- 1:1s: held, missed, cancelled, not recorded of 4 weeks due (25 %); September 1 held of 4.
- goals of "2026 H2": CSAT 0→10 at 5 = 50 %, handle time 100→50 (lower) at 40 = 120 %;
  average 85 %.
- training due in October: one course, completed (100 %).
- kudos in October: Teamwork and Ownership (2); September 1.
- KPIs (made here): CSAT 4 and 5 on two October days (mean 4.5 against HK's target 4).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import policy
from portal.audit import AuditEntry
from portal.blueprints.teams import panels
from portal.blueprints.teams.panels import PanelRequest
from portal.blueprints.teams.scorecard_views import percent, tables_of
from portal.dashboards import scorecard
from portal.db import utcnow
from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget, KpiValue
from portal.kpis.periods import PeriodKind, period_containing
from portal.kpis.queries import ViewFilters
from tests.conftest import as_user, count_queries
from tests.teams import panel_world
from tests.teams.page import team_page
from tests.teams.panel_world import OCTOBER


def _kpis(world) -> None:
    kpi = Kpi(code="csat", name="CSAT", unit="/5", direction="higher", aggregation="mean")
    db.session.add(kpi)
    db.session.flush()
    db.session.add(KpiTarget(kpi_id=kpi.id, market_id=world.hk.id, target=Decimal(4)))
    for person, day, value in [
        (world.agent_a1, 5, 4),
        (world.agent_a1, 6, 5),
        (world.agent_a2, 5, 2),
        (world.agent_a1, 9 + 30, 3),  # 9 November: outside October
    ]:
        on = date(2026, 10, 1) + timedelta(days=day - 1)
        db.session.add(KpiValue(person_id=person.id, kpi_id=kpi.id, value_on=on, value=value))
    db.session.commit()


@pytest.fixture
def data(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "QA_MIN_EVALUATIONS", 1)
    panel_world.build_all(world)
    _kpis(world)
    return world


def url(person, suffix: str = "") -> str:
    return f"/teams/{person.id}/scorecard{suffix}?{OCTOBER}"


def body(client, viewer, person) -> str:
    as_user(client, viewer)
    response = client.get(url(person))
    assert response.status_code == 200
    return response.get_data(as_text=True)


SECTIONS = ("sc-kpis", "sc-qa", "sc-one-on-ones", "sc-goals", "sc-training", "sc-recognition")


# ---- pure ------------------------------------------------------------------------------------


def test_sparkline_breaks_at_gaps_and_keeps_the_scale():
    runs = scorecard.sparkline_points([50, None, 100, 0], 0, 100, width=90, height=30)
    assert runs == [[(0.0, 15.0)], [(60.0, 0.0), (90.0, 30.0)]]
    # A small change stays small on the metric's scale; values outside it are clipped.
    (run,) = scorecard.sparkline_points([88.0, 88.5, 120], 0, 100, width=20, height=100)
    assert run == [(0.0, 12.0), (10.0, 11.5), (20.0, 0.0)]
    assert scorecard.sparkline_points([None, None], 0, 100) == []
    assert scorecard.sparkline_points([40], 0, 100, width=100, height=10) == [[(50.0, 6.0)]]
    with pytest.raises(ValueError):
        scorecard.sparkline_points([1], 5, 5)


# ---- pages per role --------------------------------------------------------------------------


def test_an_agent_sees_their_own_scorecard_with_every_section(client, data):
    text = body(client, data.agent_a1, data.agent_a1)
    for section in SECTIONS:
        assert f'id="{section}"' in text, section
    assert "90.6" in text  # QA mean
    assert "1</td><td>1</td><td>1</td><td>1</td><td>4</td><td>25%" in text  # 1:1s
    assert "50%" in text and "120%" in text and "85%" in text  # goals
    # CSAT 4 and 5 (mean 4.5, n 2) against HK's 4: 112 %, on target; nothing in September.
    assert "<td>/5</td><td>4.5</td><td>2</td><td>4.0</td><td>112%</td><td>yes</td>" in text
    assert data.agent_a2.name not in text


def test_a_peer_and_people_out_of_reach_get_404(client, data):
    for viewer in (data.agent_a2, data.sup_b, data.trainer):
        as_user(client, viewer)
        for suffix in ("", ".pdf", ".xlsx"):
            assert client.get(url(data.agent_a1, suffix)).status_code == 404, (viewer, suffix)


def test_the_supervisor_and_hr_see_every_section(client, data):
    for viewer in (data.sup_a, data.manager_hk, data.hr):
        text = body(client, viewer, data.agent_a1)
        assert all(f'id="{s}"' in text for s in SECTIONS), viewer.name


def test_a_qa_analyst_sees_only_the_qa_section(client, data):
    text = body(client, data.qa, data.agent_a1)
    assert 'id="sc-qa"' in text and "90.6" in text
    for section in SECTIONS:
        if section != "sc-qa":
            assert f'id="{section}"' not in text, section


def test_a_managers_scorecard_counts_only_their_own_records(client, data):
    text = body(client, data.manager_hk, data.sup_a)
    # SUP_A's own 1:1 with MGRHK: held on the 5th of 4 weeks due; not A1's or A2's.
    assert "1</td><td>0</td><td>0</td><td>3</td><td>4</td><td>25%" in text
    assert "90.6" not in text and "No KPI values" in text


def test_filters_and_the_channel_narrow_the_scorecard(client, data):
    as_user(client, data.sup_a)
    text = client.get(url(data.agent_a1) + "&channel=email").get_data(as_text=True)
    assert "81.2" in text and "90.6" not in text
    # A1 is in segment "Small": the VIP filter leaves nothing of theirs.
    vip = data.agent_a2.segment_id
    text = client.get(url(data.agent_a1) + f"&segment={vip}").get_data(as_text=True)
    assert "90.6" not in text and "85%" not in text


def test_the_scorecard_matches_the_team_view_panels_of_a_one_person_node(app, data):
    """A1 has no reports: the team view of A1's node counts A1 alone, like the scorecard."""
    w = data
    period = period_containing(PeriodKind.MONTH, date(2026, 10, 15))
    with app.test_request_context():
        req = PanelRequest(w.sup_a, w.agent_a1, period, ViewFilters())
        card = scorecard.scorecard(
            w.sup_a,
            w.agent_a1,
            period,
            ViewFilters(),
            policy.scorecard_areas(w.sup_a, w.agent_a1),
            now=utcnow(),
            today=date(2026, 11, 1),
            qa_minimum=1,
        )
        tables = tables_of(card)
        panel_tables = {}
        for build in (
            panels.kpi_panel,
            panels.qa_panel,
            panels.one_on_one_panel,
            panels.recognition_panel,
        ):
            panel_tables.update(build(req).tables)
        training = panels.training_panel(req).tables["training"].rows[0]
        goals = panels.goals_panel(req).tables["goals"].rows[0]
    for key in ("kpis", "qa", "qa-weeks", "qa-questions", "one-on-ones", "kudos-values"):
        assert tables[key].rows == panel_tables[key].rows, key
    assert [r[:2] for r in tables["kudos"].rows] == [r[:2] for r in panel_tables["kudos"].rows]
    # training: the panel adds "people" as its second column
    assert tables["training"].rows[0] == [training[0], *training[2:]]
    assert goals[-1] == "85%" and card.goals is not None
    assert percent(card.goals.progress.mean) == "85%"


# ---- exports ---------------------------------------------------------------------------------


def test_the_xlsx_has_one_sheet_per_table_and_is_audited(client, data):
    as_user(client, data.sup_a)
    response = client.get(url(data.agent_a1, ".xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    for sheet in (
        "KPIs against target",
        "QA summary",
        "QA by week",
        "Questions failed most",
        "1-1 completion",
        "Goals of 2026 H2",
        "Training due in the period",
        "Kudos received",
        "Kudos by value",
    ):
        assert f'name="{sheet}"' in workbook, sheet
    assert "Handle time" in strings and "Ownership" in strings
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "team.scorecard_export")
    ).scalar_one()
    assert entry.actor_id == data.sup_a.id and entry.record_id == data.agent_a1.id
    assert entry.after["format"] == "xlsx" and entry.after["start"] == "2026-10-01"


def test_a_qa_analysts_workbook_holds_only_qa(client, data):
    as_user(client, data.qa)
    response = client.get(url(data.agent_a1, ".xlsx"))
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        workbook = book.read("xl/workbook.xml").decode()
    assert 'name="QA summary"' in workbook and "KPIs" not in workbook and "Kudos" not in workbook


def test_the_pdf_is_a_pdf_and_is_audited(client, data):
    as_user(client, data.agent_a1)
    response = client.get(url(data.agent_a1, ".pdf"))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.data.startswith(b"%PDF")
    assert response.mimetype == "application/pdf"
    after = db.session.execute(
        select(AuditEntry.after).where(AuditEntry.action == "team.scorecard_export")
    ).scalar_one()
    assert after["format"] == "pdf" and "qa" in after["sections"]


# ---- links and menu --------------------------------------------------------------------------


def test_every_name_in_the_team_view_links_to_its_scorecard(client, data):
    as_user(client, data.sup_a)
    text = team_page(client, f"/teams/{data.sup_a.id}?{OCTOBER}").get_data(as_text=True)
    link = f'href="/teams/{data.agent_a1.id}/scorecard?period=month'
    # the KPI, QA, 1:1, goals, training and recognition "by direct report" tables
    assert text.count(link) == 6
    assert f'aria-label="Performance scorecard of {data.agent_a1.name}"' in text


def test_the_profile_links_to_the_scorecard_for_those_who_may_see_it(client, data):
    link = f'href="/teams/{data.agent_a1.id}/scorecard"'
    as_user(client, data.sup_a)
    assert link in client.get(f"/org/people/{data.agent_a1.id}").get_data(as_text=True)
    as_user(client, data.trainer)  # sees nobody in HK: no profile, no link
    assert client.get(f"/org/people/{data.agent_a1.id}").status_code == 404


MENU_KPIS = re.compile(r'href="/teams/kpis"\s*>KPIs</a>')


def test_the_menus_kpis_open_the_kpi_values_of_my_team(client, data):
    as_user(client, data.sup_a)
    home = client.get("/").get_data(as_text=True)
    assert MENU_KPIS.search(home)
    assert ">KPI definitions</a>" in home
    response = client.get("/teams/kpis?period=quarter&on=2026-10-15&bogus=1")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/teams/{data.sup_a.id}/panels/kpis?period=quarter&on=2026-10-15"
    )
    as_user(client, data.agent_a1)
    home = client.get("/").get_data(as_text=True)
    assert MENU_KPIS.search(home) and "KPI definitions" not in home
    page = client.get("/teams/kpis", follow_redirects=True)
    assert page.status_code == 200 and 'id="kpi-table"' in page.get_data(as_text=True)


# ---- queries ---------------------------------------------------------------------------------


def test_query_count_is_flat_when_data_grows(app, client, data):
    as_user(client, data.hr)
    target = url(data.agent_a1)
    client.get(target)
    with count_queries(app) as before:
        assert client.get(target).status_code == 200
    card = panel_world.make_card(data.qa, name="Grow")
    answers = panel_world.answers_for(card, "yes", 3, "Full")
    course = panel_world._course(data, "Grow")
    panel_world._assign(data, course, data.agent_a1, date(2026, 10, 16))
    for i in range(10):
        day = date(2026, 10, 1) + timedelta(days=i * 3)
        panel_world.evaluate(card, data.agent_a1, data.sup_a, day, answers)
        panel_world.kudos(data.sup_a, data.agent_a1, f"Value {i}", day)
    db.session.commit()
    with count_queries(app) as after:
        assert client.get(target).status_code == 200
    assert len(after) == len(before)


def test_a_running_period_is_compared_like_for_like_as_in_the_team_view(
    app, client, data, monkeypatch
):
    """On 7 October, October so far (1–7) is compared with 1–7 September, on the scorecard as
    on the team view's panels, and the page says so."""
    from portal.blueprints.teams import period_args, scorecard_views

    w = data
    seventh = date(2026, 10, 7)
    monkeypatch.setattr(period_args, "today_for", lambda viewer: seventh)
    monkeypatch.setattr(scorecard_views, "today_for", lambda viewer: seventh)
    period = period_containing(PeriodKind.MONTH, seventh)
    with app.test_request_context():
        card = scorecard.scorecard(
            w.sup_a,
            w.agent_a1,
            period,
            ViewFilters(),
            policy.scorecard_areas(w.sup_a, w.agent_a1),
            now=utcnow(),
            today=seventh,
            qa_minimum=1,
        )
        req = PanelRequest(w.sup_a, w.agent_a1, period, ViewFilters())
        panel_qa = panels.qa_panel(req).tables["qa"].rows
        panel_kudos = panels.recognition_panel(req).tables["kudos"].rows
    assert card.compared.like_for_like
    assert (card.compared.previous.start, card.compared.previous.end) == (
        date(2026, 9, 1),
        date(2026, 9, 7),
    )
    tables = tables_of(card)
    assert tables["qa"].rows == panel_qa
    assert [r[:2] for r in tables["kudos"].rows] == [r[:2] for r in panel_kudos]
    text = body(client, w.sup_a, w.agent_a1)
    assert "month to date vs same days last month" in text
