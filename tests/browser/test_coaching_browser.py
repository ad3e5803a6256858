"""A 1:1 in a real browser: the supervisor sets up the team's series, adds a suggested talking
point to the agenda, writes shared and private notes, adds an action item and marks the meeting
held; the report then sees the agenda and the item but not the private note."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Person
from tests.browser.conftest import assert_accessible, sign_in
from tests.coaching.helpers import make_evaluation, scorecard_question_ids

PRIVATE = "Private thought about coaching"


def _evaluation_for_a1(app, people) -> int:
    with app.app_context():
        world = SimpleNamespace(
            qa=db.session.get(Person, people["qa"]["id"]),
            sup_a=db.session.get(Person, people["sup_a"]["id"]),
        )
        agent = db.session.get(Person, people["agent_a1"]["id"])
        version_id, (q1, _q2) = scorecard_question_ids(world)
        ev = make_evaluation(
            world,
            agent,
            version_id,
            submitted_at=utcnow() - timedelta(days=1),
            outcomes={q1: (0, 1)},
        )
        ev_id = ev.id
        db.session.remove()
    return ev_id


def test_a_supervisor_runs_a_one_on_one_and_the_report_sees_the_shared_part(live_server, page):
    base = live_server["url"]
    people = live_server["people"]
    evaluation_id = _evaluation_for_a1(live_server["app"], people)
    sign_in(page, base, people["sup_a"]["email"])
    p = page.page
    p.get_by_role("link", name="1:1s", exact=True).click()
    p.wait_for_url(f"{base}/coaching/")
    tomorrow = (utcnow() + timedelta(days=1)).weekday()
    p.get_by_label("Day").select_option(str(tomorrow))
    p.get_by_label("Time (your time zone)").fill("10:00")
    p.get_by_role("button", name="Set up weekly 1:1s with my team").click()
    p.wait_for_url(f"{base}/coaching/")
    page.screenshot("series-set-up")

    row = p.get_by_role("row").filter(has_text=people["agent_a1"]["name"])
    row.get_by_role("link").nth(1).click()
    p.wait_for_url(f"{base}/coaching/meetings/*")
    meeting_url = p.url
    page.screenshot("meeting")

    # the suggested talking point goes onto the agenda without a page load
    p.evaluate("window.__stillHere = true")
    point = f"New evaluation #{evaluation_id}"
    assert_accessible(page)  # the "Add to agenda" buttons' names start with their visible text
    p.get_by_role("button", name=f"Add to agenda: {point}").click()
    p.locator("#agenda .agenda-list").get_by_role("link", name=point).wait_for()
    assert p.evaluate("window.__stillHere") is True
    page.screenshot("talking-point-added")

    p.locator("#shared-notes").fill("We agreed to focus on confirming the fix.")
    p.get_by_role("button", name="Save shared notes").click()
    p.locator("#notes").get_by_text("Saved.").wait_for()
    p.locator("#private-note-body").fill(PRIVATE)
    p.get_by_role("button", name="Save private notes").click()
    p.locator("#private-note").get_by_text("Saved.").wait_for()

    p.get_by_label("Action item", exact=True).fill("Listen to two recorded calls")
    p.get_by_role("button", name="Add action item").click()
    p.locator("#action-items").get_by_text("Listen to two recorded calls").wait_for()
    page.screenshot("notes-and-action")

    p.get_by_role("button", name="Mark held").click()
    p.locator("#status .badge").get_by_text("Held").wait_for()
    page.screenshot("held")

    # the report
    p.context.clear_cookies()
    sign_in(page, base, people["agent_a1"]["email"])
    p.goto(meeting_url)
    content = p.content()
    assert point in content
    assert "Listen to two recorded calls" in content
    assert "We agreed to focus on confirming the fix." in content
    assert PRIVATE not in content
    assert p.locator("#private-note-body").count() == 0
    page.screenshot("report-view")
