"""An improvement plan in a real browser: the supervisor opens a plan for A1 from the menu, adds
a measurable expectation and starts it; A1 acknowledges it with a comment (acknowledging is not
agreeing); the supervisor records two check-ins and the outcome; A1 reads the outcome and
downloads the PDF."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.conftest import menu, signed_in


def test_an_improvement_plan_from_opening_to_outcome(live_server, browser):
    base = live_server["url"]
    people = live_server["people"]
    today = datetime.now(ZoneInfo("Asia/Hong_Kong")).date()

    def who(key: str, shots: str):
        return signed_in(browser, base, people[key]["email"], f"improvement-{shots}")

    with who("sup_a", "opened") as sup:
        p = sup.page
        menu(sup, "Goals and reviews", "Improvement plans")
        p.get_by_role("link", name="Open an improvement plan").click()
        p.get_by_label("Employee").select_option(str(people["agent_a1"]["id"]))
        p.get_by_label("Why the plan is needed").fill("QA below 70 % for three months")
        p.get_by_label(re.compile("^Support offered")).fill("Weekly coaching on recorded calls")
        p.get_by_label("Starts on").fill((today - timedelta(days=14)).isoformat())
        p.get_by_label("Length").select_option("30")
        p.get_by_role("button", name="Save the draft").click()
        p.get_by_text("A draft: the employee does not see it").wait_for()
        p.get_by_label(re.compile(r"^Expectation\s*\*?$")).fill("QA score")
        p.get_by_label("Metric").fill("Average QA score")
        p.get_by_label("Unit").fill("%")
        p.get_by_label("Baseline").fill("65")
        p.get_by_label("Target").fill("80")
        p.get_by_role("button", name="Add expectation").click()
        p.get_by_role("rowheader", name="QA score").wait_for()
        sup.screenshot("draft")
        p.get_by_role("button", name="Start the plan").click()
        p.get_by_text("Active", exact=True).first.wait_for()
        plan_url = p.url
        sup.screenshot("started")

    with who("agent_a1", "acknowledged") as agent:
        p = agent.page
        p.goto(f"{base}/improvement/")
        p.get_by_text("Waiting for your acknowledgment").wait_for()
        p.goto(plan_url)
        assert "It does not mean you agree with it" in p.content()
        p.get_by_label("Comment (optional)").fill("Read; I see it differently")
        p.get_by_role("button", name="Acknowledge").click()
        p.get_by_text("Employee's comment: Read; I see it differently").wait_for()
        agent.screenshot("acknowledged")

    with who("sup_a", "checked-in") as sup:
        p = sup.page
        p.goto(plan_url)
        for days_ago, value, note in [(7, "70", "First week: summaries"), (0, "81", "Second week")]:
            p.get_by_label("Held on").fill((today - timedelta(days=days_ago)).isoformat())
            p.get_by_label("Value: QA score (%)").fill(value)
            p.get_by_label("Note").fill(note)
            p.get_by_role("button", name="Save check-in").click()
            p.get_by_role("cell", name=note).wait_for()
        p.get_by_text("1 of 1 expectations met").wait_for()
        assert "107 %" in p.content()  # (81 - 65) / (80 - 65), from the latest check-in
        sup.screenshot("two-check-ins")
        p.get_by_role("combobox", name="Outcome").select_option("met")
        p.get_by_label("Reason").fill("QA above the target at the last check-in")
        p.get_by_role("button", name="Record the outcome").click()
        p.get_by_text("Closed", exact=True).first.wait_for()
        assert "Record a check-in" not in p.content()
        sup.screenshot("closed")

    with who("agent_a1", "outcome") as agent:
        p = agent.page
        p.goto(plan_url)
        p.get_by_text("QA above the target at the last check-in").first.wait_for()
        with p.expect_download() as download:
            p.get_by_role("link", name="Download PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")
        agent.screenshot("outcome")
