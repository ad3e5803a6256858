"""Resolving a dispute with the dispute in view, in a real browser: the agent disputes an
evaluation (overall and on one question); the supervisor finds it in the evaluations list
(filtered by status and agent, sorted by date), opens it and reads the agent's reasons beside
the answers, re-scores with what changed and why; the agent reads the outcome and its reason
on the evaluation and in their notifications. axe-core checks the list, the resolve page and
the re-score page."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.extensions import db
from portal.org.models import Person
from portal.qa import evaluations
from tests.browser.conftest import assert_accessible, signed_in
from tests.qa.evaluation_helpers import full_answers, make_contact, questions
from tests.qa.test_scorecards import build_card

OVERALL = "I solved the customer's problem on the call."
ON_NEED = "She said twice what she needed; I confirmed it at 2:10."
WHY = "Need confirmed at 2:10 on the recording: full marks on that question."


def _seed(app, people) -> dict:
    with app.app_context():
        qa = db.session.get(Person, people["qa"]["id"])
        sup = db.session.get(Person, people["sup_a"]["id"])
        agent = db.session.get(Person, people["agent_a1"]["id"])
        card = build_card(qa, name="Disputes phone card")
        made = []
        for days_ago in (5, 2, 9):
            evaluation = evaluations.start(
                sup, make_contact(agent, days_ago=days_ago), card.current_version
            )
            evaluations.save(
                sup, evaluation, full_answers(card), expected_version=evaluation.version,
                submit=True,
            )  # fmt: skip
            made.append(evaluation.id)
        seeded = {"evaluations": made, "questions": questions(card), "agent": agent.id}
        db.session.remove()
    return seeded


def test_a_dispute_is_resolved_with_its_reasons_in_view(live_server, browser):
    base, people = live_server["url"], live_server["people"]
    seeded = _seed(live_server["app"], people)
    evaluation_id = seeded["evaluations"][0]
    need = seeded["questions"]["Need understood"]
    url = f"{base}/qa/evaluations/{evaluation_id}"

    with signed_in(browser, base, people["agent_a1"]["email"], "disputes-agent") as agent:
        p = agent.page
        p.goto(url)
        p.get_by_role("link", name="Dispute", exact=True).click()
        p.get_by_label("Your reason, overall").fill(OVERALL)
        p.locator(f"#d-{need}").fill(ON_NEED)
        p.get_by_role("button", name="Send the dispute").click()
        expect(p.locator("h1")).to_contain_text("Disputed")
        agent.screenshot("1-disputed")

    with signed_in(browser, base, people["sup_a"]["email"], "disputes-supervisor") as sup:
        p = sup.page
        p.goto(f"{base}/qa/evaluations")
        p.get_by_label("Status").select_option("disputed")
        p.get_by_label("Agent").select_option(str(seeded["agent"]))
        p.get_by_role("button", name="Filter").click()
        p.wait_for_url("**/qa/evaluations?*status=disputed*")
        rows = p.locator("#evaluation-rows tbody tr")
        expect(rows).to_have_count(1)
        expect(p.locator("#evaluation-rows")).to_contain_text("Sorted by submission date")
        expect(p.get_by_label("Agent")).to_have_value(str(seeded["agent"]))  # kept
        assert_accessible(sup)
        sup.screenshot("2-list-filtered")

        rows.first.get_by_role("link").click()
        p.wait_for_url(url)
        dispute = p.locator("#dispute")
        expect(dispute).to_contain_text(OVERALL)
        expect(dispute).to_contain_text(ON_NEED)
        expect(dispute).to_contain_text("Need understood")
        expect(dispute).to_contain_text("answered: 3 of 4")
        expect(p.get_by_label("Why the score stands")).to_be_visible()
        assert_accessible(sup)
        sup.screenshot("3-resolve-page")

        p.get_by_role("link", name="Re-score the answers").click()
        p.wait_for_url(f"{url}/rescore")
        expect(p.locator("#dispute")).to_contain_text(OVERALL)
        expect(p.locator(f"#question-{need}")).to_contain_text(ON_NEED)
        assert_accessible(sup)
        sup.screenshot("4-rescore-page")
        p.locator(f"#question-{need} input[value='4']").check()
        expect(p.get_by_test_id("score")).to_have_text("100.0 %")
        p.get_by_label("What changed and why").fill(WHY)
        p.get_by_role("button", name="Save the re-score").click()
        p.wait_for_url(url)
        expect(p.locator("h1")).to_contain_text("Re-scored")
        expect(p.locator("#dispute")).to_contain_text(WHY)
        sup.screenshot("5-rescored")

    with signed_in(browser, base, people["agent_a1"]["email"], "disputes-outcome") as agent:
        p = agent.page
        p.goto(f"{base}/notifications/")
        expect(p.locator("main")).to_contain_text(WHY)
        p.goto(url)
        expect(p.locator("h1")).to_contain_text("Re-scored")
        expect(p.get_by_test_id("score")).to_have_text("100.0 %")
        expect(p.locator("#dispute")).to_contain_text(WHY)
        agent.screenshot("6-outcome")
