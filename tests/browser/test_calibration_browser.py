"""Calibration in a real browser: the manager above the reviewers reads the distribution chart,
runs a blind preview (no names, evidence still there), tries a what-if that saves nothing,
cancels an edit with Escape, and changes one rating with its reason and sees the confirmation."""

from __future__ import annotations

from types import SimpleNamespace

from playwright.sync_api import expect

from portal.extensions import db
from portal.goals.models import CalibrationChange, Review
from portal.org.models import Person
from tests.browser.conftest import menu, signed_in
from tests.goals.calibration_helpers import calibration_cycle


def _seed(app, people) -> int:
    """A1, A2 (reviewer sup_a) and B1 (reviewer sup_b) in calibration, each proposed 3."""
    with app.app_context():
        world = SimpleNamespace(
            **{key: db.session.get(Person, value["id"]) for key, value in people.items()}
        )
        cycle = calibration_cycle(world, name="Browser calibration")
        cycle_id = cycle.id
        db.session.remove()
    return cycle_id


def _finals(app) -> list[int | None]:
    with app.app_context():
        values = sorted(r.final_rating for r in db.session.query(Review).all() if r.final_rating)
        db.session.remove()
    return values


def test_a_room_calibrates_blind_tries_a_what_if_and_changes_one_rating(live_server, browser):
    base, people, app = live_server["url"], live_server["people"], live_server["app"]
    _seed(app, people)
    names = [people[key]["name"] for key in ("agent_a1", "agent_a2", "agent_b1")]
    a1 = people["agent_a1"]["name"]

    with signed_in(browser, base, people["manager_hk"]["email"], "calibration-room") as room:
        p = room.page
        menu(room, "Goals and reviews", "Calibration")
        p.locator("canvas#chart-now[data-drawn='1']").wait_for()  # Chart.js drew it
        table = p.locator("table.calibration-table")
        for name in names:
            table.get_by_text(name).first.wait_for()
        room.screenshot("board")

        # Blind preview: names, teams and reviewers go; ratings and evidence stay.
        p.get_by_label("Blind preview (names hidden)").check()
        p.wait_for_url("**blind=1**")
        p.get_by_text("Person 3").first.wait_for()
        text = p.locator("table.calibration-table").inner_text()
        assert not any(name in text for name in names) and "Team A" not in text
        p.locator("details.evidence summary").first.click()
        p.get_by_text("Goal achievement").first.wait_for()
        room.screenshot("blind")
        p.get_by_label("Blind preview (names hidden)").uncheck()
        p.locator("table.calibration-table").get_by_role("link", name=a1, exact=True).wait_for()

        # What-if: A1 at 5 shows the distribution and the guideline warning, nothing is saved.
        p.get_by_label("What-if preview").check()
        p.get_by_label(f"What-if rating of {a1}").select_option("5")
        panel = p.locator("#calibration-what-if")
        panel.get_by_text("Changes tried (not saved)").wait_for()
        panel.get_by_text("rated 5, above the guideline").wait_for()
        p.locator("canvas#chart-what-if[data-drawn='1']").wait_for()
        assert _finals(app) == [3, 3, 3]
        room.screenshot("what-if")

        # From the what-if, open the change with the tried rating; Escape cancels it.
        panel.get_by_role("link", name=f"Change with a reason · {a1}").click()
        rating = p.get_by_label("New rating")
        rating.wait_for()
        assert rating.input_value() == "5"
        expect(rating).to_be_focused()
        p.keyboard.press("Escape")
        rating.wait_for(state="detached")
        expect(p.get_by_role("link", name=f"Change · {a1}")).to_be_focused()

        # One change, with its reason, by keyboard from the row's Change button.
        p.get_by_role("link", name=f"Change · {a1}").click()
        p.get_by_label("New rating").select_option("4")
        p.get_by_label("Reason").fill("Carried the team in peak season")
        p.get_by_role("button", name="Save the change").click()
        p.locator("#calibration-status").get_by_text(
            f"Rating of {a1} changed from 3 to 4."
        ).wait_for()
        p.locator("#calibration-log").get_by_text("Carried the team in peak season").wait_for()
        row = p.locator("table.calibration-table tr", has_text=a1)
        assert "4 · Exceeds expectations" in row.inner_text()
        room.screenshot("changed")

    assert _finals(app) == [3, 3, 4]
    with app.app_context():
        assert db.session.query(CalibrationChange).count() == 1
        db.session.remove()
