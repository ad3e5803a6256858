"""Notifications in a real browser: the header badge, clickable rows, mark read, preferences."""

from __future__ import annotations

import re

import pytest
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.notify import service
from portal.org.models import Person
from tests.browser.conftest import browser, live_server, page, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

service.register_kind(
    "test.browser", _l("%(actor)s asked about %(what)s"), label=_l("A colleague asked me (test)")
)


def _raise(app, people, what: str, url: str, **params) -> None:
    with app.app_context():
        agent = db.session.get(Person, people["agent_a1"]["id"])
        sup = db.session.get(Person, people["sup_a"]["id"])
        service.notify(agent, sup, "test.browser", "person", agent.id, url, what=what, **params)
        db.session.commit()
        db.session.remove()


def test_badge_rows_mark_read_and_preferences(live_server, page):  # noqa: F811
    base, people, app = live_server["url"], live_server["people"], live_server["app"]
    _raise(app, people, "the schedule", "/notifications/preferences")
    _raise(app, people, "MK-agenda", "/", details=["Agenda: handle times", "Open action: QA"])
    sign_in(page, base, people["agent_a1"]["email"])
    p = page.page
    header_link = p.locator("a.topbar-notifications")
    assert header_link.inner_text().split() == ["Notifications", "2", "(2", "unread)"] or (
        "2 unread" in header_link.text_content()
    )
    page.screenshot("home-with-badge")

    header_link.click()
    p.wait_for_url(f"{base}/notifications/")
    assert p.get_by_text("Agenda: handle times").is_visible()
    # Keyboard: the first row is a button reached by Tab and opened by Enter.
    first_row = p.locator("button.notification-row").first
    first_row.focus()
    page.screenshot("list-focused")
    p.get_by_role("button", name=re.compile(r"^Mark read")).first.click()
    p.wait_for_url(f"{base}/notifications/")
    assert "1 unread" in p.locator("a.topbar-notifications").text_content()

    p.locator("button.notification-row").nth(1).focus()
    p.keyboard.press("Enter")
    p.wait_for_url(f"{base}/notifications/preferences")
    assert p.locator("a.topbar-notifications .badge").count() == 0  # none unread: hidden
    select = p.get_by_label("A colleague asked me (test)")
    assert select.input_value() == "daily"
    select.select_option("weekly")
    page.screenshot("preferences")
    p.get_by_role("button", name="Save settings").click()
    p.wait_for_url(f"{base}/notifications/preferences")
    assert p.get_by_text("Your notification settings were saved.").is_visible()
    assert p.get_by_label("A colleague asked me (test)").input_value() == "weekly"


def test_the_emailed_link_works_without_signing_in(live_server, browser):  # noqa: F811
    from portal.notify import mailer
    from tests.browser.conftest import RESULTS

    base, people, app = live_server["url"], live_server["people"], live_server["app"]
    with app.app_context():
        token = mailer.preference_token(people["agent_a2"]["id"], "test.browser")
    context = browser.new_context(locale="en-GB")
    try:
        p = context.new_page()
        p.goto(f"{base}/notifications/preference/{token}")
        assert p.get_by_text("A colleague asked me (test)").is_visible()
        assert p.get_by_label("How to be told").input_value() == "portal"
        p.screenshot(path=str(RESULTS / "one-click" / "page.png"), full_page=True)
        p.get_by_role("button", name="Apply").click()
        assert p.get_by_text("Saved. From now on: In the portal only.").is_visible()
        p.screenshot(path=str(RESULTS / "one-click" / "saved.png"), full_page=True)
        assert p.goto(f"{base}/notifications/preference/{token}x").status == 404
    finally:
        context.close()
