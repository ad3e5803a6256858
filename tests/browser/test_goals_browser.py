"""A whole review cycle in a real browser: HR sets up and starts a cycle, the supervisor sets a
goal, the agent checks in and assesses themselves, the supervisor assesses, the manager above
calibrates with a reason, the supervisor cannot share until HR closes calibration, then shares;
the agent sees the final rating without the calibration, acknowledges and downloads the PDF."""

from __future__ import annotations

import re

from tests.browser.conftest import menu, signed_in

DATES = {
    "Period starts": "2026-07-01",
    "Period ends": "2026-12-31",
    "Goal setting": "2026-07-31",
    "Mid-cycle check-in": "2026-09-30",
    "Self-assessment": "2026-12-10",
    "Manager assessment": "2026-12-20",
    "Calibration": "2027-01-10",
    "Sign-off": "2027-01-20",
}


def test_a_full_review_cycle(live_server, browser):
    base = live_server["url"]
    people = live_server["people"]

    def who(key: str):
        return signed_in(browser, base, people[key]["email"], f"goals-cycle-{key}")

    with who("hr") as hr:
        p = hr.page
        menu(hr, "Goals and reviews", "Review cycles")
        p.get_by_role("link", name="New cycle").click()
        p.get_by_label("Name").fill("Browser 2026 H2")
        for label, value in DATES.items():
            p.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$")).fill(value)
        p.get_by_role("button", name="Create cycle").click()
        p.get_by_role("button", name="Enrol").click()
        p.get_by_text("people enrolled").wait_for()
        p.get_by_role("button", name="Start the cycle").click()
        p.get_by_text("In progress").first.wait_for()
        hr.screenshot("cycle-started")

    with who("sup_a") as sup:
        p = sup.page
        menu(sup, "Goals and reviews", "Team goals")
        p.get_by_role("link", name=people["agent_a1"]["name"]).click()
        p.get_by_label("Title").fill("Faster first response")
        p.get_by_label("Metric").fill("First response time")
        p.get_by_label("Unit").fill("hours")
        p.get_by_label("Direction").select_option("lower")
        p.get_by_label("Baseline").fill("24")
        p.get_by_label("Target").fill("12")
        p.get_by_label("Weight (%)").fill("100")
        p.get_by_role("button", name="Add goal").click()
        p.get_by_role("link", name="Faster first response").wait_for()
        p.get_by_role("link", name="Review", exact=True).click()
        p.get_by_role("button", name="Open self-assessment").click()
        p.get_by_text("My self-assessment").or_(p.get_by_text("Self-assessment").first).wait_for()
        sup.screenshot("goal-set")

    with who("agent_a1") as agent:
        p = agent.page
        menu(agent, "Goals and reviews", "My goals")
        p.get_by_role("link", name="Faster first response").click()
        p.get_by_label("Value").fill("18")
        p.get_by_label("Confidence").select_option("on_track")
        p.get_by_role("button", name="Save check-in").click()
        p.get_by_text("50 %").first.wait_for()
        agent.screenshot("checked-in")
        p.goto(f"{base}/goals/reviews")
        p.get_by_role("link", name="Browser 2026 H2").click()
        for select in p.locator("select[name^='rating-']").all():
            select.select_option("4")
        p.get_by_label("Overall comment").fill("A good half")
        p.get_by_role("button", name="Submit").click()
        # Submit is an htmx request: the page is reloaded once it is saved.
        p.locator("#self-assessment").wait_for(state="detached")
        p.get_by_text("Manager assessment").first.wait_for()
        agent.screenshot("self-submitted")

    with who("sup_a") as sup:
        p = sup.page
        p.goto(f"{base}/goals/reviews")
        p.get_by_role("link", name=people["agent_a1"]["name"]).click()
        for select in p.locator("select[name^='rating-']").all():
            select.select_option("3")
        p.get_by_label("Proposed overall rating").select_option("3")
        assert "Computed overall from the cycle" in p.content()
        p.get_by_role("button", name="Submit").click()
        p.locator("#manager-assessment").wait_for(state="detached")
        p.get_by_text("Rating after calibration").wait_for()
        sup.screenshot("manager-submitted")

    with who("manager_hk") as manager:
        p = manager.page
        menu(manager, "Goals and reviews", "Calibration")
        p.get_by_role("link", name=f"Change · {people['agent_a1']['name']}").click()
        p.get_by_label("New rating").select_option("4")
        p.get_by_label("Reason").fill("Carried the team")
        p.get_by_role("button", name="Save the change").click()
        p.get_by_text(f"Rating of {people['agent_a1']['name']} changed from 3 to 4.").wait_for()
        p.locator("#calibration-log").get_by_text("Carried the team").wait_for()
        manager.screenshot("calibrated")

    with who("sup_a") as sup:
        p = sup.page
        p.goto(f"{base}/goals/reviews")
        p.get_by_role("link", name=people["agent_a1"]["name"]).click()
        p.get_by_text("once HR closes calibration").wait_for()
        assert p.get_by_role("button", name="Share with the employee").count() == 0
        sup.screenshot("share-waits-for-calibration")

    with who("hr") as hr:
        p = hr.page
        menu(hr, "Goals and reviews", "Close calibration")
        p.get_by_role("button", name="Close calibration for the whole cycle").click()
        p.get_by_text("Closed for the whole cycle").wait_for()
        hr.screenshot("calibration-closed")

    with who("sup_a") as sup:
        p = sup.page
        p.goto(f"{base}/goals/reviews")
        p.get_by_role("link", name=people["agent_a1"]["name"]).click()
        p.get_by_role("button", name="Share with the employee").click()
        p.get_by_text("Shared").first.wait_for()

    with who("agent_a1") as agent:
        p = agent.page
        p.goto(f"{base}/goals/reviews")
        p.get_by_role("link", name="Browser 2026 H2").click()
        assert "does not mean you agree" in p.content()
        # Calibration is confidential: the final rating only, no proposal, change or reason.
        assert "Overall rating" in p.content() and "Carried the team" not in p.content()
        assert "after calibration" not in p.content() and "Proposed" not in p.content()
        p.get_by_label("Comment (optional)").fill("Read it")
        p.get_by_role("button", name="Acknowledge").click()
        p.get_by_text("Acknowledged on").wait_for()
        with p.expect_download() as download:
            p.get_by_role("link", name="Download PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")
        agent.screenshot("acknowledged")
