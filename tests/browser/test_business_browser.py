"""A weekly business review in a real browser: the supervisor schedules it from the menu, records
a decision and an action item without a page load, marks it held (the figures freeze), reopens
it after a confirmation and holds it again, and downloads the market summary as a PDF and XLSX."""

from __future__ import annotations

from tests.browser.conftest import menu, signed_in


def test_a_supervisor_runs_a_weekly_business_review(live_server, browser):
    base = live_server["url"]
    people = live_server["people"]
    with signed_in(browser, base, people["sup_a"]["email"], "business-supervisor") as watch:
        p = watch.page
        menu(watch, "Performance", "Business reviews")
        p.wait_for_url(f"{base}/business/")
        p.get_by_role("link", name="Schedule a review").click()
        p.get_by_label("Kind").select_option("wbr")
        p.get_by_role("button", name="Schedule").click()
        p.wait_for_url(f"{base}/business/reviews/*")
        assert "Live figures" in p.content()
        watch.screenshot("scheduled")

        p.evaluate("window.__stillHere = true")
        p.locator("#decision-body").fill("Saturday cover: two agents on rotation")
        p.get_by_role("button", name="Record decision").click()
        p.locator("#decisions .decision-body", has_text="Saturday cover").wait_for()
        p.locator("#action-body").fill("Call the ten merchants with open chargebacks")
        p.locator("#action-owner").select_option(label=people["agent_a1"]["name"])
        p.locator("#action-due").fill("2030-01-07")
        p.get_by_role("button", name="Add action item").click()
        p.locator("#review-actions .action-body", has_text="Call the ten merchants").wait_for()
        assert p.evaluate("window.__stillHere") is True  # regions swapped, no page load
        watch.screenshot("decision-and-action")

        p.get_by_role("button", name="Mark held").click()
        p.get_by_text("Frozen when the review was held").wait_for()
        assert p.locator("#review-status .badge").inner_text() == "Held"
        watch.screenshot("held")

        # Dismissing the confirmation keeps it held; accepting it reopens it (live again).
        p.once("dialog", lambda dialog: dialog.dismiss())
        p.get_by_role("button", name="Reopen").click()
        assert p.locator("#review-status .badge").inner_text() == "Held"
        p.once("dialog", lambda dialog: dialog.accept())
        p.get_by_role("button", name="Reopen").click()
        p.get_by_role("button", name="Mark held").wait_for()
        assert "Live figures" in p.content()
        watch.screenshot("reopened")
        p.get_by_role("button", name="Mark held").click()
        p.get_by_text("Frozen when the review was held").wait_for()

        menu(watch, "Performance", "Market summaries")
        p.wait_for_url(f"{base}/business/markets")
        row = p.get_by_role("row").filter(has_text="Hong Kong")
        row.get_by_role("link", name="Monthly summary").click()
        p.get_by_text("Monthly business summary: Hong Kong").wait_for()
        watch.screenshot("summary")
        with p.expect_download() as download:
            p.get_by_role("link", name="Download PDF").click()
        assert download.value.suggested_filename.startswith("summary-HK-month-")
        assert download.value.suggested_filename.endswith(".pdf")
        with p.expect_download() as download:
            p.get_by_role("link", name="XLSX").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        # A day that is not a date is refused with a message, not an error page.
        p.goto(p.url.split("?")[0] + "?period=month&on=not-a-day")
        p.get_by_text(
            "Give the day as YYYY-MM-DD between 1900 and 2100; showing today's period."
        ).wait_for()
