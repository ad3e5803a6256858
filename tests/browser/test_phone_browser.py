"""The issue's journeys on a phone (390 x 844) and on a desktop (1,280 px): for a supervisor, HR
and an agent, each page fits the phone's width (tables scroll inside their card), the folded menu
opens and closes by keyboard, and axe-core finds nothing at either width."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Person
from portal.qa import evaluations
from tests.browser.conftest import RESULTS, axe_violations, menu, sign_in, watched
from tests.coaching.helpers import meetings_of, setup_series
from tests.qa.evaluation_helpers import full_answers, make_contact
from tests.qa.test_scorecards import build_card

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def journeys(live_server) -> dict[str, list[str]]:
    """Two submitted evaluations of A1 by sup_a (one disputed), weekly 1:1s; each person's pages."""
    app, people = live_server["app"], live_server["people"]
    with app.app_context():
        world = SimpleNamespace(
            **{key: db.session.get(Person, value["id"]) for key, value in people.items()}
        )
        card = build_card(world.qa, name="Phone card")
        ids = []
        for days_ago in (3, 4):
            evaluation = evaluations.start(
                world.sup_a, make_contact(world.agent_a1, days_ago=days_ago), card.current_version
            )
            evaluations.save(
                world.sup_a,
                evaluation,
                full_answers(card),
                expected_version=evaluation.version,
                submit=True,
            )
            ids.append(evaluation.id)
        db.session.commit()
        open_one, disputed = ids
        evaluation = evaluations.get_evaluation(world.agent_a1, disputed)
        evaluations.dispute(
            world.agent_a1,
            evaluation,
            reason="The customer asked me to call back, so I did not close the call.",
            question_reasons={},
            expected_version=evaluation.version,
        )
        db.session.commit()
        series = setup_series(world, now=utcnow() - timedelta(days=1))
        meeting = meetings_of(series[world.agent_a1.id])[0].id
        db.session.remove()
    return {
        "sup_a": [
            "/",
            "/qa/evaluations",
            f"/qa/evaluations/{disputed}",
            f"/qa/evaluations/{disputed}/rescore",
            "/qa/programme/calibration",
            "/qa/programme/reports",
            f"/coaching/meetings/{meeting}",
            "/goals/team",
        ],
        "hr": ["/", "/qa/evaluations", "/admin/audit", "/qa/programme/reports", "/goals/"],
        "agent_a1": [
            "/",
            "/qa/my-evaluations",
            f"/qa/evaluations/{open_one}",
            f"/qa/evaluations/{open_one}/dispute",
            f"/coaching/meetings/{meeting}",
            "/goals/",
        ],
    }


def _check_pages(watch, base: str, paths: list[str], width: int | None) -> list[str]:
    """Visit each page; what does not fit `width` (when given) and what axe reports."""
    problems = []
    for path in paths:
        watch.page.goto(base + path)
        if width is not None:
            scroll = watch.page.evaluate("() => document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{path}: {scroll} px wide")
            watch.screenshot(path.strip("/").replace("/", "-") or "home")
        problems += [f"{path}: {v}" for v in axe_violations(watch)]
    return problems


def _menu_by_keyboard(watch) -> None:
    """Tab to "Menu", open it with Enter, reach a link, close it with Escape."""
    p = watch.page
    toggle = p.locator("[data-menu-toggle]")
    nav = p.locator("nav.mainnav")
    assert nav.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    p.locator(".brand").focus()
    p.keyboard.press("Tab")
    assert p.evaluate("() => document.activeElement.hasAttribute('data-menu-toggle')")
    p.keyboard.press("Enter")
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    p.keyboard.press("Tab")
    assert p.evaluate("() => !!document.activeElement.closest('nav.mainnav')")
    watch.screenshot("menu-open")
    p.keyboard.press("Escape")
    assert nav.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    assert p.evaluate("() => document.activeElement.hasAttribute('data-menu-toggle')")
    p.keyboard.press("Space")
    assert nav.is_visible()
    p.keyboard.press("Space")
    assert nav.is_hidden()


@pytest.mark.parametrize("who", ["sup_a", "hr", "agent_a1"])
def test_the_journeys_fit_a_phone_with_a_folded_menu(live_server, browser, journeys, who):
    base, email = live_server["url"], live_server["people"][who]["email"]
    with watched(browser, RESULTS / f"phone-{who}", viewport=PHONE) as watch:
        sign_in(watch, base, email)
        _menu_by_keyboard(watch)
        problems = _check_pages(watch, base, journeys[who], PHONE["width"])
        assert not problems, "\n".join(problems)
        # the browser tests' menu() helper unfolds the menu first on a phone
        watch.page.goto(f"{base}/")
        menu(watch, "Quality", "My evaluations")
        watch.page.wait_for_url(f"{base}/qa/my-evaluations")


@pytest.mark.parametrize("who", ["sup_a", "hr", "agent_a1"])
def test_the_journeys_are_accessible_on_a_desktop(live_server, browser, journeys, who):
    base, email = live_server["url"], live_server["people"][who]["email"]
    with watched(browser, RESULTS / f"desktop-{who}", viewport=DESKTOP) as watch:
        sign_in(watch, base, email)
        assert watch.page.locator("[data-menu-toggle]").is_hidden()
        assert watch.page.locator("nav.mainnav").is_visible()
        watch.screenshot("home")
        problems = _check_pages(watch, base, journeys[who], None)
        assert not problems, "\n".join(problems)


def test_without_javascript_the_phone_menu_stays_open(live_server, browser):
    base, email = live_server["url"], live_server["people"]["sup_a"]["email"]
    with watched(
        browser, RESULTS / "phone-no-js", viewport=PHONE, java_script_enabled=False
    ) as watch:
        sign_in(watch, base, email)
        assert watch.page.locator("[data-menu-toggle]").is_hidden()
        assert watch.page.locator("nav.mainnav").is_visible()
        watch.page.goto(f"{base}/qa/evaluations")
        assert watch.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
