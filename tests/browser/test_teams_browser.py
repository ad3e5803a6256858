"""The team view in a real browser: the head of the tree drills down manager → supervisor →
agent, filters by market, exports a table as XLSX and the charts are drawn (screenshots)."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget, KpiValue
from portal.org.models import Market, Person
from tests.browser.conftest import menu, signed_in


@pytest.fixture(scope="module")
def kpi_values(live_server):
    """Two KPIs with a daily value per agent for every day of the current month so far (in
    the head's time zone, which decides the default period), and a Hong Kong target."""
    app = live_server["app"]
    with app.app_context():
        agents = db.session.execute(select(Person).where(Person.email.like("a%@world.%")))
        agents = list(agents.scalars()) + list(
            db.session.execute(
                select(Person).where(
                    Person.email.in_(["b1@world.example.com", "c1@world.example.com"])
                )
            ).scalars()
        )
        csat = Kpi(code="csat", name="CSAT", unit="/5", direction="higher", aggregation="mean")
        aht = Kpi(code="aht", name="Handle time", unit="s", direction="lower", aggregation="mean")
        db.session.add_all([csat, aht])
        db.session.flush()
        hk = db.session.execute(select(Market).where(Market.code == "HK")).scalar_one()
        db.session.add(KpiTarget(kpi_id=csat.id, market_id=hk.id, target=Decimal("4.5")))
        today = datetime.now(ZoneInfo("Asia/Hong_Kong")).date()
        day = today.replace(day=1)
        while day <= today:
            for i, agent in enumerate(agents):
                db.session.add_all(
                    [
                        KpiValue(
                            person_id=agent.id,
                            kpi_id=csat.id,
                            value_on=day,
                            value=Decimal("4.0") + Decimal(i) / 10 + Decimal(day.day % 3) / 10,
                        ),
                        KpiValue(
                            person_id=agent.id,
                            kpi_id=aht.id,
                            value_on=day,
                            value=Decimal(300 + 20 * i + day.day),
                        ),
                    ]
                )
            day += timedelta(days=1)
        db.session.commit()
        db.session.remove()
    return live_server


def _drawn_charts(page) -> int:
    """How many canvases Chart.js has drawn on."""
    return page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter(c => window.Chart && window.Chart.getChart(c)).length"
    )


def test_manager_drills_down_filters_and_exports(kpi_values, browser):
    base = kpi_values["url"]
    people = kpi_values["people"]
    with signed_in(browser, base, people["head"]["email"], "team-view") as watch:
        p = watch.page
        menu(watch, "Performance", "Team performance")
        p.get_by_role("heading", name=f"Team performance: {people['head']['name']}").wait_for()
        people_table = p.locator("#people-table")
        for key in ("manager_hk", "manager_jp"):
            people_table.get_by_role("link", name=people[key]["name"], exact=True).wait_for()
        p.wait_for_function(
            "() => document.querySelectorAll('canvas[data-chart]').length > 0 && "
            "[...document.querySelectorAll('canvas[data-chart]')]"
            ".every(c => window.Chart && window.Chart.getChart(c))"
        )
        assert _drawn_charts(p) >= 2
        watch.screenshot("top-node")
        for index, canvas in enumerate(p.locator("canvas[data-chart]").all()):
            canvas.scroll_into_view_if_needed()
            assert canvas.bounding_box()["height"] < 400  # sized by its box, not growing
            canvas.screenshot(path=str(watch.shots / f"chart-{index}.png"))
        assert (watch.shots / "chart-0.png").stat().st_size > 1000

        # Drill down: manager → supervisor → agent, the breadcrumbs growing on the way.
        people_table.get_by_role("link", name=people["manager_hk"]["name"], exact=True).click()
        p.get_by_role(
            "heading", name=f"Team performance: {people['manager_hk']['name']}"
        ).wait_for()
        assert (
            p.locator("#people-table")
            .get_by_role("link", name=people["manager_jp"]["name"], exact=True)
            .count()
            == 0
        )
        p.locator("#people-table").get_by_role(
            "link", name=people["sup_a"]["name"], exact=True
        ).click()
        p.get_by_role("heading", name=f"Team performance: {people['sup_a']['name']}").wait_for()
        p.locator("#people-table").get_by_role(
            "link", name=people["agent_a1"]["name"], exact=True
        ).click()
        p.get_by_role("heading", name=f"Team performance: {people['agent_a1']['name']}").wait_for()
        crumbs = p.get_by_role("navigation", name="Org tree position")
        for key in ("head", "manager_hk", "sup_a"):
            crumbs.get_by_role("link", name=people[key]["name"], exact=True).wait_for()
        watch.screenshot("agent-node")

        # Back to the top through the breadcrumbs, then filter by market: only Japan is left.
        crumbs.get_by_role("link", name=people["head"]["name"], exact=True).click()
        p.get_by_role("heading", name=f"Team performance: {people['head']['name']}").wait_for()
        p.get_by_label("Market").select_option(label="Japan")
        p.get_by_role("button", name="Show").click()
        p.wait_for_url("**market=*")
        table = p.locator("#people-table")
        table.get_by_role("link", name=people["manager_jp"]["name"], exact=True).wait_for()
        assert table.get_by_role("link", name=people["manager_hk"]["name"], exact=True).count() == 0
        watch.screenshot("filtered-japan")

        # Export the KPI table as XLSX: the file holds the filtered figures.
        with p.expect_download() as download_info:
            p.locator("#panel-people").get_by_role("link", name="Export XLSX").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        with zipfile.ZipFile(download.path()) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
        assert people["manager_jp"]["name"] in strings
        assert people["manager_hk"]["name"] not in strings
        assert "<t>Person</t>" in strings
