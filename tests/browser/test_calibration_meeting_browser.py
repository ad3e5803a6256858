"""A calibration meeting in a real browser: a QA analyst (granted teams A and B) finds the
calibration sessions in the Quality menu, creates one by searching and ticking contacts (only
contacts and evaluators in reach are offered), three people score blind (the analyst as the
reference and the two supervisors, one of whom comments an answer), and the analyst reads the
grid of who answered what, the differences from the reference highlighted and marked, and the
comment with its writer. axe finds nothing on the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.org.models import Grant, Person
from tests.browser.conftest import assert_accessible, menu, sign_in
from tests.qa.programme_helpers import answers_for, make_card, make_contact


def _setup(app, people) -> dict:
    with app.app_context():
        get = lambda name: db.session.get(Person, people[name]["id"])  # noqa: E731
        qa = get("qa")
        db.session.add(Grant(person_id=qa.id, role="qa_analyst", team_id=get("sup_b").team_id))
        card = make_card(qa, "Meeting card")
        now = datetime.now(UTC) - timedelta(hours=3)
        refs = {}
        for i, (name, ref) in enumerate(
            (("agent_a1", "D0001011"), ("agent_b1", "D0001012"), ("agent_a2", "E0002001"))
        ):
            contact = make_contact(get(name), now - timedelta(hours=i))
            contact.external_id = ref
            refs[ref] = contact.id
        outside = make_contact(get("agent_c1"), now)  # team C, JP: not the analyst's
        outside.external_id = "J0009999"
        db.session.commit()
        ids = {
            "version": card.version.id,
            "yes_no": card.yes_no.id,
            "scale": card.scale.id,
            "choice": card.choice.id,
            "full": str(card.choice.choices[0].id),
            "partly": str(card.choice.choices[1].id),
            "refs": refs,
        }
        assert answers_for(card, "yes", 4, "Full")  # the card answers as the helpers expect
        db.session.remove()
    return ids


def _score(p, ids, yes: str, scale: int, choice: str, comment: str = "", check=None) -> None:
    """Answer the blind-scoring form of one contact (a comment on the scale question and an
    overall one if given) and submit it; `check` runs on the filled form before submitting."""
    p.locator(f'input[name="q-{ids["yes_no"]}"][value="{yes}"]').check()
    p.locator(f'input[name="q-{ids["scale"]}"][value="{scale}"]').check()
    p.locator(f'input[name="q-{ids["choice"]}"][value="{choice}"]').check()
    if comment:
        p.locator(f"#question-{ids['scale']} details.comment summary").click()
        p.locator(f"#c-{ids['scale']}").fill(comment)
        p.get_by_label("Overall comment").fill("Polite throughout")
    if check:
        check()
    p.get_by_role("button", name="Submit my scoring").click()


def test_a_qa_analyst_runs_a_calibration_meeting_with_three_scorers(live_server, page):
    base, people = live_server["url"], live_server["people"]
    ids = _setup(live_server["app"], people)
    p = page.page

    sign_in(page, base, people["qa"]["email"])
    menu(page, "Quality", "Calibration sessions")
    p.get_by_role("link", name="New calibration session").click()
    p.get_by_label("Title").fill("Refunds, week 48")
    p.get_by_label("Scorecard version").select_option(str(ids["version"]))
    # Who may join: the supervisors the analyst works with; no agent, no one out of reach.
    evaluators = p.locator("fieldset", has_text="Invite evaluators")
    assert evaluators.get_by_label(people["sup_a"]["name"]).count() == 1
    assert evaluators.get_by_label(people["sup_b"]["name"]).count() == 1
    for name in ("agent_a1", "sup_c", "agent_c1"):
        assert people[name]["name"] not in evaluators.inner_text()
    # Contacts: only those in reach, each by its own reference.
    picker = p.locator("fieldset.picker")
    assert "J0009999" not in picker.inner_text()
    assert "D0001011" in picker.inner_text() and "E0002001" in picker.inner_text()
    assert_accessible(page)
    page.screenshot("new")

    # Search by reference, tick two; the count follows; a search keeps the ticks.
    p.get_by_label("Contact reference").fill("D00010")
    p.get_by_role("button", name="Search", exact=True).click()
    p.get_by_label("Contact reference").wait_for()
    assert "E0002001" not in p.locator("fieldset.picker table").inner_text()
    p.get_by_label("D0001011", exact=True).check()
    p.get_by_label("D0001012", exact=True).check()
    assert p.locator("[data-pick-count]").inner_text() == "2"
    p.get_by_label("Contact reference").fill("")
    p.get_by_role("button", name="Search", exact=True).click()
    p.locator("ul.picked").wait_for()
    assert p.locator("[data-pick-count]").inner_text() == "2"
    assert p.get_by_label("Title").input_value() == "Refunds, week 48"
    p.get_by_label(people["sup_a"]["name"]).check()
    p.get_by_label(people["sup_b"]["name"]).check()
    assert_accessible(page)
    p.get_by_role("button", name="Create and invite").click()
    p.get_by_text("Scoring is blind").wait_for()
    session_url = p.url
    assert p.get_by_role("heading", level=1).inner_text() == "Refunds, week 48"
    assert_accessible(page)
    page.screenshot("detail")

    # Three scorers, blind: the analyst (the reference) and the two supervisors.
    plan = [
        ("qa", [("yes", 4, ids["full"]), ("yes", 3, ids["full"])]),
        ("sup_a", [("yes", 4, ids["full"]), ("no", 3, ids["full"])]),
        ("sup_b", [("yes", 2, ids["partly"]), ("yes", 3, ids["full"])]),
    ]
    for who, answers in plan:
        if who != "qa":
            p.context.clear_cookies()
            sign_in(page, base, people[who]["email"])
            p.goto(session_url)
        for ref, (yes, scale, choice) in zip(("D0001011", "D0001012"), answers, strict=True):
            p.get_by_role("link", name=ref, exact=True).click()
            if who == "sup_b" and ref == "D0001012":
                # One scorer explains an answer; the form with comments passes axe too.
                _score(
                    p, ids, yes, scale, choice, "Rushed the close", lambda: assert_accessible(page)
                )
            else:
                _score(p, ids, yes, scale, choice)
            p.wait_for_url(session_url)
    page.screenshot("scored")

    p.context.clear_cookies()
    sign_in(page, base, people["qa"]["email"])
    p.goto(session_url)
    p.get_by_role("button", name="Close the session").click()
    grid = p.locator("table.meeting-grid")
    grid.wait_for()
    text = grid.inner_text()
    assert "Verified the caller" in text and "Empathy" in text and "D0001011" in text
    # sup_a said "No" where the reference said "Yes" on D0001012: highlighted, marked, counted.
    assert grid.locator("td.differs").count() >= 3
    assert "≠" in grid.locator("td.differs").first.inner_text()
    assert "differs from the reference" in grid.locator("td.differs").first.text_content()
    body = p.locator("main").inner_text() if p.locator("main").count() else p.content()
    assert "Too few to estimate." in body and "2 evaluators" in body
    assert "Calibration: Calibration" not in body
    # The comment, under its contact's block, with who wrote it and on which question.
    comments = grid.locator("tr.grid-comments")
    assert comments.count() == 1
    said = comments.inner_text()
    assert people["sup_b"]["name"] + " — Empathy: Rushed the close" in said
    assert people["sup_b"]["name"] + " — Overall comment: Polite throughout" in said
    assert_accessible(page)
    page.screenshot("results")
