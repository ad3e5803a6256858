"""QA scoring in a real browser: a supervisor scores a contact and watches the server-computed
score change as they answer, submits; the agent acknowledges one evaluation and disputes
another. Screenshots land in test-results/."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.extensions import db
from portal.org.models import Person
from portal.qa import evaluations
from tests.browser.conftest import menu, sign_in
from tests.qa.evaluation_helpers import full_answers, make_contact, questions
from tests.qa.test_scorecards import build_card


def _seed(app, people) -> dict:
    with app.app_context():
        qa = db.session.get(Person, people["qa"]["id"])
        sup = db.session.get(Person, people["sup_a"]["id"])
        agent = db.session.get(Person, people["agent_a1"]["id"])
        card = build_card(qa, name="Browser phone card")
        to_score = make_contact(agent, marker="-TO-SCORE")
        submitted = []
        for _ in range(2):
            evaluation = evaluations.start(
                sup, make_contact(agent, days_ago=3), card.current_version
            )
            evaluations.save(
                sup,
                evaluation,
                full_answers(card),
                expected_version=evaluation.version,
                submit=True,
            )
            submitted.append(evaluation.id)
        ids = questions(card)
        seeded = {"contact": to_score.id, "questions": ids, "submitted": submitted}
        db.session.remove()
    return seeded


def test_a_supervisor_scores_live_and_the_agent_acknowledges_and_disputes(live_server, page):
    base, people = live_server["url"], live_server["people"]
    seeded = _seed(live_server["app"], people)
    q = seeded["questions"]
    p = page.page

    sign_in(page, base, people["sup_a"]["email"])
    menu(page, "Quality", "Evaluate")
    p.wait_for_url(f"{base}/qa/evaluate")
    page.screenshot("1-queue")
    p.goto(f"{base}/qa/contacts/{seeded['contact']}/evaluate")
    score = p.get_by_test_id("score")
    expect(score).to_have_text("–")
    page.screenshot("2-form-empty")

    def answer(text: str, value: str) -> None:
        p.locator(f"#question-{q[text]} input[value='{value}']").check()

    answer("Greeting", "yes")
    expect(score).to_have_text("100.0 %")
    answer("Identity verified", "no")  # critical, whole evaluation
    expect(score).to_have_text("0.0 %")
    expect(p.locator("#score-panel")).to_contain_text("Critical fail")
    page.screenshot("3-critical-fail")
    answer("Identity verified", "yes")
    answer("Need understood", "3")
    expect(score).to_have_text("80.0 %")  # (100 x 20 + 3/4 of Resolution x 80) / 100, so far
    solution = p.locator(f"#question-{q['Solution correct']} input[type=radio]").first
    solution.check()  # "Full", 10 points
    expect(score).to_have_text("94.3 %")
    p.get_by_label("Overall comment").fill("Clear and friendly.")
    page.screenshot("4-answered")
    p.get_by_role("button", name="Submit", exact=True).click()
    p.wait_for_url(f"{base}/qa/evaluations/*")
    expect(p.get_by_test_id("score")).to_have_text("94.3 %")
    expect(p.locator("h1")).to_contain_text("Submitted")
    page.screenshot("5-submitted")

    p.context.clear_cookies()
    sign_in(page, base, people["agent_a1"]["email"])
    menu(page, "Quality", "My evaluations")
    p.wait_for_url(f"{base}/qa/my-evaluations")
    page.screenshot("6-my-evaluations")
    first, second = seeded["submitted"]
    p.goto(f"{base}/qa/evaluations/{first}")
    p.get_by_role("button", name="Acknowledge").click()
    expect(p.locator("h1")).to_contain_text("Acknowledged")
    page.screenshot("7-acknowledged")
    p.goto(f"{base}/qa/evaluations/{second}")
    p.get_by_role("link", name="Dispute", exact=True).click()
    p.get_by_label("Your reason, overall").fill("I did verify the caller at 0:40.")
    p.get_by_role("button", name="Send the dispute").click()
    expect(p.locator("h1")).to_contain_text("Disputed")
    expect(p.locator("body")).to_contain_text("I did verify the caller at 0:40.")
    page.screenshot("8-disputed")
