"""The team view's KPI panel: like-for-like comparison, its label, and targets at the head."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.blueprints.teams import period_args
from portal.extensions import db
from portal.kpis import queries, rollup
from portal.kpis.models import KpiTarget
from portal.kpis.queries import ViewFilters
from tests.conftest import as_user
from tests.kpis.kpi_world import DAY, add_value, build_kpis
from tests.teams.page import team_page

MONTH = f"period=month&on={DAY.isoformat()}"


@pytest.fixture
def kw(world):
    return build_kpis(world)


@pytest.fixture
def today(monkeypatch):
    """Pin the viewer's today (the comparison's) without the real clock."""

    def pin(day: date) -> None:
        monkeypatch.setattr(period_args, "today_for", lambda viewer: day)

    return pin


def kpi_row(body: str, name: str) -> list[str]:
    """The cells of a KPI's row in the KPI table, tags stripped."""
    table = body[body.index('id="kpi-table"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [
            re.sub(r"<[^>]+>|\s+", " ", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0].startswith(name):
            return cells
    raise AssertionError(name)


def test_month_to_date_compares_with_the_same_days_of_last_month(client, world, kw, today):
    # 5 October is inside 1-10 October (the same days as 1-10 November), the 20th is not.
    add_value(world.agent_a1, kw.contacts, date(2026, 10, 5), value="7")
    add_value(world.agent_a1, kw.contacts, date(2026, 10, 20), value="1000")
    db.session.commit()
    today(DAY)  # 10 November: the month is running
    as_user(client, world.sup_a)
    body = team_page(client, f"/teams/{world.sup_a.id}?{MONTH}").get_data(as_text=True)
    assert "month to date vs same days last month" in body
    cells = kpi_row(body, "Contacts")
    assert cells[1].startswith("120") and cells[5].startswith("7 ")  # 40 x 3 vs 7 alone
    assert "better" in cells[5]


def test_a_finished_month_compares_whole_with_whole(client, world, kw, today):
    add_value(world.agent_a1, kw.contacts, date(2026, 10, 5), value="7")
    add_value(world.agent_a1, kw.contacts, date(2026, 10, 20), value="1000")
    db.session.commit()
    today(date(2026, 12, 2))
    as_user(client, world.sup_a)
    body = team_page(client, f"/teams/{world.sup_a.id}?{MONTH}").get_data(as_text=True)
    assert "vs previous month" in body and "month to date" not in body
    assert kpi_row(body, "Contacts")[5].startswith("1007")


def test_the_trend_stops_at_the_last_day_with_data(client, world, kw, today):
    today(DAY + timedelta(days=5))
    as_user(client, world.sup_a)
    body = team_page(client, f"/teams/{world.sup_a.id}?{MONTH}").get_data(as_text=True)
    charts = re.findall(r'data-chart="([^"]+)"', body)
    assert charts and all("30 Nov" not in c and "Nov 30" not in c for c in charts)


def test_the_head_over_two_markets_shows_per_market_attainment(client, world, kw, today):
    # CSAT: Hong Kong has a target, Japan none: the targets differ, each market is listed.
    today(date(2026, 12, 2))
    as_user(client, world.head)
    body = team_page(client, f"/teams/{world.head.id}?{MONTH}").get_data(as_text=True)
    cells = kpi_row(body, "CSAT")
    assert "targets differ by market" in cells[3]
    assert "Hong Kong" in cells[3] and "Japan" in cells[3] and "no target" in cells[3]
    # HK: (4.8x30 + 4.2x90 + 3.0x15) / 135 = 4.2; 4.2 / 4.5 = 93%
    assert "4.20 vs 4.50 (93%)" in re.sub(r"\s+", " ", cells[3])
    assert "No market" not in cells[3]  # the head's own empty market is left out


def test_the_head_shows_the_weighted_roll_up_of_the_markets_targets(client, world, kw, today):
    db.session.add(
        KpiTarget(kpi_id=kw.csat.id, market_id=world.team_c.market_id, target=Decimal("4.9"))
    )
    db.session.commit()
    today(date(2026, 12, 2))
    as_user(client, world.head)
    body = team_page(client, f"/teams/{world.head.id}?{MONTH}").get_data(as_text=True)
    cells = kpi_row(body, "CSAT")
    # (4.5 x 135 surveys + 4.9 x 300) / 435 = 4.776 -> 4.78
    assert cells[3].startswith("4.78") and "weighted across markets" in cells[3]
    assert "none" not in kpi_row(body, "Handle time")[3]  # HK's target, Japan has none: listed


@pytest.mark.parametrize("use_rollup", [False, True])
def test_totals_by_market_add_up_to_the_totals(world, kw, use_rollup):
    if use_rollup:
        rollup.refresh(min_subtree=2)
    people = queries.population(world.head, world.head, ViewFilters())
    plan = queries.rollup_plan(world.head, world.head, ViewFilters()) if use_rollup else None
    assert (plan is not None) == use_rollup
    start, end = DAY - timedelta(days=6), DAY
    per_market = queries.totals_by_market(people, start, end, plan)
    assert queries.summed(per_market) == queries.totals(people, start, end, plan)
    assert set(per_market[kw.contacts.id]) == {world.team_a.market_id, world.team_c.market_id}
