"""A corrective action in a real browser: the supervisor writes a written warning from the
agent's profile, linked to one of their evaluations, and issues it; the agent follows the
notification, opens the evaluation link, and acknowledges with a comment."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.db import utcnow
from tests.browser.conftest import menu, signed_in
from tests.browser.test_coaching_browser import _evaluation_for_a1

FACTS = "Two refunds above the limit granted without approval"
COMMENT = "I did not know the limit had changed"


def test_a_manager_issues_a_corrective_action_and_the_employee_acknowledges(live_server, browser):
    base = live_server["url"]
    people = live_server["people"]
    a1 = people["agent_a1"]
    evaluation_id = _evaluation_for_a1(live_server["app"], people)
    held = utcnow().date() - timedelta(days=1)

    with signed_in(browser, base, people["sup_a"]["email"], "conduct-supervisor") as sup:
        p = sup.page
        p.goto(f"{base}/org/people/{a1['id']}")
        p.get_by_role("link", name=f"New corrective action about {a1['name']}").click()
        p.wait_for_url(f"{base}/conduct/new/{a1['id']}")
        p.get_by_label("Kind").select_option("written_warning")
        p.get_by_label("Date of the conversation").fill(held.isoformat())
        p.get_by_label("Facts").fill(FACTS)
        p.get_by_label("Expectations from now on").fill("Ask the supervisor before promising")
        p.get_by_label("First follow-up").fill((held + timedelta(days=14)).isoformat())
        p.get_by_label("QA evaluations it refers to").select_option(str(evaluation_id))
        sup.screenshot("form")
        p.get_by_role("button", name="Save the draft").click()
        p.wait_for_url(re.compile(rf"{base}/conduct/\d+$"))
        action_url = p.url
        p.get_by_text("Only you see it until it is issued").wait_for()
        p.get_by_role("button", name=f"Issue to {a1['name']}").click()
        p.get_by_text("Issued, awaiting acknowledgment").wait_for()
        assert p.get_by_role("link", name=re.compile(rf"QA evaluation #{evaluation_id}")).count()
        sup.screenshot("issued")
        menu(sup, "Goals and reviews", "Corrective actions")
        p.wait_for_url(f"{base}/conduct/")
        assert p.get_by_role("link", name=a1["name"]).count() == 1

    with signed_in(browser, base, a1["email"], "conduct-employee") as agent:
        p = agent.page
        p.get_by_role("link", name=re.compile("^Notifications")).first.click()
        p.locator("button.notification-row", has_text="issued a corrective action to you").click()
        p.wait_for_url(action_url)
        p.get_by_text(FACTS).wait_for()
        assert p.get_by_role("link", name=re.compile(rf"QA evaluation #{evaluation_id}")).count()
        p.get_by_label(re.compile("^Your comment")).fill(COMMENT)
        agent.screenshot("to-acknowledge")
        p.get_by_role("button", name="Acknowledge").click()
        p.get_by_text("Acknowledging is not agreeing.").wait_for()
        p.get_by_text(COMMENT).wait_for()
        assert p.get_by_role("button", name="Acknowledge").count() == 0
        agent.screenshot("acknowledged")
