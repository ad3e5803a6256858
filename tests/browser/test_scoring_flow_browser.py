"""The scoring flow in a real browser: a supervisor scores three contacts in a row with
"Submit and next" using only the keyboard; the draft is autosaved and restored; the evaluate
page fits a 390 px phone with the live score in view; a fast Submit during a live-score
request logs nothing; axe finds nothing on the queue, evaluate and evaluation pages."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.extensions import db
from portal.org.models import Person
from portal.qa.models import Scorecard
from tests.browser.conftest import assert_accessible, signed_in
from tests.qa.evaluation_helpers import make_contact, questions
from tests.qa.test_scorecards import build_card

_CARDS: dict[int, int] = {}  # one scorecard per live server (the evaluate page picks by name)


def _seed(app, people, agents: tuple[str, ...], marker: str) -> dict:
    with app.app_context():
        qa = db.session.get(Person, people["qa"]["id"])
        if id(app) not in _CARDS:
            _CARDS[id(app)] = build_card(qa, name="Flow card").id
        card = db.session.get(Scorecard, _CARDS[id(app)])
        contacts = []
        for days, name in enumerate(agents, start=1):  # newest first, as the queue lists them
            agent = db.session.get(Person, people[name]["id"])
            contacts.append(make_contact(agent, days_ago=days, marker=f"-{marker}{days}").id)
        seeded = {"contacts": contacts, "questions": questions(card)}
        db.session.remove()
    return seeded


def test_a_supervisor_scores_three_contacts_in_a_row_with_the_keyboard(live_server, browser):
    base, people = live_server["url"], live_server["people"]
    seeded = _seed(live_server["app"], people, ("agent_a1", "agent_a2", "agent_a1"), "KB")
    with signed_in(browser, base, people["sup_a"]["email"], "scoring-flow-keyboard") as watch:
        p = watch.page
        p.goto(f"{base}/qa/evaluate")
        assert_accessible(watch)
        watch.screenshot("1-queue")
        first = p.locator("#queue-rows a", has_text="Evaluate").first
        first.focus()
        p.keyboard.press("Enter")
        for number, contact_id in enumerate(seeded["contacts"], start=1):
            p.wait_for_url(f"{base}/qa/contacts/{contact_id}/evaluate")
            score = p.get_by_test_id("score")
            expect(score).to_have_text("–")
            if number == 1:
                assert_accessible(watch)
            p.keyboard.press("j")  # to the first question
            for key in ("1", "1", "3"):  # Yes, Yes, 3 of 4: each moves on to the next question
                p.keyboard.press(key)
            p.keyboard.press("c")  # a comment on "Solution correct", then back to its answers
            p.keyboard.type("Checked the refund.")
            p.keyboard.press("Escape")
            p.keyboard.press("1")  # "Full"
            expect(score).to_have_text("94.3 %")
            expect(p.locator("#draft-status")).to_contain_text("Draft saved")
            watch.screenshot(f"2-contact-{number}")
            p.keyboard.press("Control+Enter")
            if number < 3:
                expect(p.locator(".flash, [role=status], .flashes").first).to_be_visible()
        p.wait_for_url(f"{base}/qa/evaluate")
        expect(p.locator("main")).to_contain_text("submitted: 94.3 %")
        expect(p.locator("main")).to_contain_text("Nothing to evaluate")
        watch.screenshot("3-queue-empty")


def test_the_draft_is_restored_and_the_evaluation_shows_points_lost(live_server, browser):
    base, people = live_server["url"], live_server["people"]
    seeded = _seed(live_server["app"], people, ("agent_a2",), "DR")
    q = seeded["questions"]
    contact = seeded["contacts"][0]
    with signed_in(browser, base, people["sup_a"]["email"], "scoring-flow-draft") as watch:
        p = watch.page
        p.goto(f"{base}/qa/contacts/{contact}/evaluate")
        p.locator(f"#question-{q['Greeting']} input[value='no']").check()
        expect(p.locator("#draft-status")).to_contain_text("Draft saved")
        p.reload()
        expect(p.locator(f"#question-{q['Greeting']} input[value='no']")).to_be_checked()
        expect(p.get_by_role("button", name="Discard draft")).to_be_visible()
        assert_accessible(watch)  # the draft's page, with its "Discard draft" form
        # "How this score was computed", once opened, stays open as each answer swaps the panel.
        how = p.locator("#score-panel details.how")
        how.locator("summary").click()
        expect(how).to_have_attribute("open", "")
        with p.expect_response("**/score"):
            p.locator(f"#question-{q['Identity verified']} input[value='yes']").check()
        expect(p.locator("#score-panel details.how")).to_have_attribute("open", "")
        with p.expect_response("**/score"):
            p.locator(f"#question-{q['Need understood']} input[value='2']").check()
        expect(p.locator("#score-panel details.how")).to_have_attribute("open", "")
        # A fast Submit while the live score of the last answer is still on its way: the
        # request is awaited, not aborted (no htmx:sendAbort in the console), then sent once.
        held = []
        p.route("**/score", lambda route: held.append(route))
        p.locator(f"#question-{q['Solution correct']} input[type=radio]").first.check()
        while not held:
            p.wait_for_timeout(20)
        p.get_by_role("button", name="Submit", exact=True).click()
        p.wait_for_timeout(300)
        assert "/evaluate" in p.url or "/edit" in p.url  # still here, waiting
        held[0].continue_()
        p.wait_for_url(f"{base}/qa/evaluations/*")
        expect(p.locator("main")).to_contain_text("Points lost")
        expect(p.locator("details.how")).not_to_have_attribute("open", "")
        assert_accessible(watch)
        watch.screenshot("1-evaluation")


def test_the_evaluate_page_fits_a_phone_with_the_score_in_view(live_server, browser):
    base, people = live_server["url"], live_server["people"]
    seeded = _seed(live_server["app"], people, ("agent_a1",), "PH")
    q = seeded["questions"]
    with signed_in(browser, base, people["sup_a"]["email"], "scoring-flow-phone") as watch:
        p = watch.page
        p.set_viewport_size({"width": 390, "height": 844})
        p.goto(f"{base}/qa/evaluate")
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        p.goto(f"{base}/qa/contacts/{seeded['contacts'][0]}/evaluate")
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        last = p.locator(f"#question-{q['Solution correct']} input[type=radio]").first
        last.check()
        bar = p.locator(".score-bar")
        expect(bar).to_be_visible()
        expect(p.locator("#score-bar-value")).to_have_text("100.0 %")
        assert bar.bounding_box()["y"] >= 0 and bar.bounding_box()["y"] < 844
        assert_accessible(watch)
        watch.screenshot("1-phone")
        p.set_viewport_size({"width": 1280, "height": 900})
        assert p.evaluate("document.documentElement.scrollWidth") <= 1280
        pane = p.locator("#score-panel").bounding_box()
        assert pane["x"] + pane["width"] <= 1280
        watch.screenshot("2-desktop")
