"""The performance scorecard in a real browser: a supervisor opens an agent's scorecard from
their name in the team view, reads every section (axe finds nothing), downloads the XLSX; on a
phone the page fits 390 px; the menu's "KPIs" open the KPI values of the team."""

from __future__ import annotations

from tests.browser.conftest import RESULTS, assert_accessible, menu, sign_in, watched
from tests.teams import panel_world

PHONE = {"width": 390, "height": 844}


def test_a_supervisor_opens_a_scorecard_from_the_team_view(live_server, browser):
    base, people = live_server["url"], live_server["people"]
    panel_world.build_for_live_server(live_server["app"], people)
    a1 = people["agent_a1"]
    with watched(browser, RESULTS / "scorecard", accept_downloads=True) as watch:
        p = watch.page
        sign_in(watch, base, people["sup_a"]["email"])
        p.goto(f"{base}/teams/{people['sup_a']['id']}?{panel_world.OCTOBER}")
        p.locator("#section-qa > summary").click()  # the QA section loads when opened
        link = p.locator("#qa-people-table").get_by_role(
            "link", name=f"Performance scorecard of {a1['name']}"
        )
        link.click()
        p.wait_for_url(f"**/teams/{a1['id']}/scorecard?period=month&on=2026-10-01**")
        for section in ("#sc-kpis", "#sc-qa", "#sc-one-on-ones", "#sc-goals", "#sc-training"):
            p.locator(section).wait_for(state="visible")
        p.locator("#sc-recognition").wait_for(state="visible")
        assert "(n = 2" in p.locator("#sc-qa").inner_text()  # A1's two October evaluations
        assert p.locator("#sc-qa-weeks-table").is_visible()  # the weekly trend's figures
        assert_accessible(watch)
        watch.screenshot("scorecard")
        with p.expect_download() as download:
            p.get_by_role("link", name="Download XLSX").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        # printing hides the menu, the filters and the buttons
        p.emulate_media(media="print")
        assert p.locator("nav.mainnav").is_hidden() and p.locator("form.filters").is_hidden()
        assert p.get_by_role("link", name="Download PDF").is_hidden()
        assert p.locator("#sc-qa").is_visible()
        p.emulate_media(media="screen")
        # the menu's "KPIs": the team's KPI values, not the definitions
        p.goto(f"{base}/")
        menu(watch, "Performance", "KPIs")
        p.wait_for_url(f"**/teams/{people['sup_a']['id']}/panels/kpis**")
        p.locator("#kpi-table").wait_for()


def test_an_agents_own_scorecard_fits_a_phone(live_server, browser):
    base, people = live_server["url"], live_server["people"]
    a1 = people["agent_a1"]
    with watched(browser, RESULTS / "scorecard-phone", viewport=PHONE) as watch:
        sign_in(watch, base, a1["email"])
        watch.page.goto(f"{base}/teams/{a1['id']}/scorecard?{panel_world.OCTOBER}")
        watch.page.locator("#sc-qa").wait_for(state="visible")
        width = watch.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        assert_accessible(watch)
        watch.screenshot("scorecard-phone")
