"""The team view's panels in a real browser: a manager's view draws the QA trend chart (with
its table), filters by channel, and drills down to a supervisor keeping the filter."""

from tests.browser.conftest import sign_in
from tests.teams import panel_world


def test_manager_reads_the_panels_filters_by_channel_and_drills_down(live_server, page):
    base, people = live_server["url"], live_server["people"]
    panel_world.build_for_live_server(live_server["app"], people)
    p = page.page
    sign_in(page, base, people["manager_hk"]["email"])
    p.goto(f"{base}/teams/{people['manager_hk']['id']}?{panel_world.OCTOBER}")
    for key in ("qa", "one-on-ones", "goals", "training"):  # sections load when opened
        p.locator(f"#section-{key} > summary").click()
    p.locator("#panel-qa canvas[data-drawn='1']").wait_for()
    for region in ("#panel-qa", "#panel-one-on-ones", "#panel-goals", "#panel-training"):
        p.locator(region).wait_for(state="visible")  # each panel loads after the page
    assert p.locator("#qa-weeks-table").is_visible()  # the chart's figures, beside it
    page.screenshot("team-panels")

    p.get_by_label("Channel").select_option("email")
    p.get_by_role("button", name="Show").click()
    p.wait_for_url("**channel=email**")
    p.get_by_text("Not per channel").first.wait_for()  # the panels load after the page
    p.locator("#section-qa > summary").click()
    p.locator("#qa-people-table a", has_text=people["sup_a"]["name"]).click()
    p.wait_for_url(f"**/teams/{people['sup_a']['id']}?**channel=email**")
    p.locator("#section-qa > summary").click()
    p.locator("#qa-people-table").get_by_text(people["agent_a1"]["name"]).wait_for()
    page.screenshot("drill-down")
