"""HR reads the audit log in words: picks the evaluation actions, reads an evaluation's entry
(score as a percentage, answers with their question wording, the agent by name, a link to the
evaluation) and follows it. axe-core checks the audit page and the QA report page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.org.models import Person
from portal.qa import evaluations
from tests.browser.conftest import assert_accessible, menu, sign_in
from tests.qa.evaluation_helpers import full_answers, make_contact
from tests.qa.test_scorecards import build_card


def _seed(app, people) -> int:
    with app.app_context():
        qa = db.session.get(Person, people["qa"]["id"])
        sup = db.session.get(Person, people["sup_a"]["id"])
        agent = db.session.get(Person, people["agent_a1"]["id"])
        card = build_card(qa, name="Audit browser card")
        evaluation = evaluations.start(sup, make_contact(agent, days_ago=2), card.current_version)
        evaluations.save(
            sup, evaluation, full_answers(card), expected_version=evaluation.version, submit=True
        )
        evaluation_id = evaluation.id
        db.session.remove()
    return evaluation_id


def test_hr_reads_an_evaluations_audit_entry_in_words(live_server, page):
    base, people = live_server["url"], live_server["people"]
    evaluation_id = _seed(live_server["app"], people)
    p = page.page

    sign_in(page, base, people["hr"]["email"])
    menu(page, "Admin", "Audit log")
    p.wait_for_url(f"{base}/admin/audit")
    assert_accessible(page)

    # The action picker lists the actions by name, grouped by record type.
    picker = p.get_by_label("Action")
    expect(picker.locator("optgroup[label='Evaluation'] option")).to_contain_text(
        ["All: Evaluation", "Evaluation started", "Evaluation submitted"]
    )
    picker.select_option(label="All: Evaluation")
    p.get_by_role("button", name="Search").click()
    p.wait_for_url(re.compile(r".*action=evaluation\..*"))
    rows = p.locator("tr[data-entry]")
    expect(rows).to_have_count(2)  # started and submitted; nothing else
    page.screenshot("1-evaluation-actions")

    submitted = rows.filter(has_text="Evaluation submitted")
    agent = people["agent_a1"]["name"]
    # The arrow is hidden from screen readers, which read "changed to" instead.
    expect(submitted).to_contain_text(re.compile(r"Score:\s*—\s*→\s*changed to\s*94\.3 %"))
    expect(submitted).to_contain_text(re.compile(r"Status:\s*Draft\s*→\s*changed to\s*Submitted"))
    expect(submitted).to_contain_text("Greeting: Yes")
    expect(submitted).to_contain_text("Need understood: 3 of 4")
    expect(submitted).to_contain_text("Solution correct: Full")
    expect(submitted).not_to_contain_text("/7")  # never the stored fraction
    link = submitted.get_by_role("link", name=re.compile(f"Evaluation of {re.escape(agent)}"))
    expect(link).to_have_attribute("href", f"/qa/evaluations/{evaluation_id}")
    assert_accessible(page)
    page.screenshot("2-entry-in-words")

    link.click()
    p.wait_for_url(f"{base}/qa/evaluations/{evaluation_id}")
    expect(p.locator("h1")).to_contain_text(agent)

    p.goto(f"{base}/qa/programme/reports")
    expect(p.get_by_text("(Last 4 full weeks)")).to_be_visible()
    assert_accessible(page)
    page.screenshot("3-qa-report")
