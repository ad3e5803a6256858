"""The QA programme in a real browser: a calibration session with two evaluators from creation to
results, and a roll-up with its trend chart."""

from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.org.models import Person
from tests.browser.conftest import sign_in
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation


def _setup(app, people):
    with app.app_context():
        get = lambda name: db.session.get(Person, people[name]["id"])  # noqa: E731
        card = make_card(get("qa"), "Browser card")
        now = datetime.now(UTC) - timedelta(hours=2)
        for i, name in enumerate(("agent_a1", "agent_a2", "agent_b1") * 3):
            contact = make_contact(get(name), now - timedelta(days=7 * (i % 3)))
            make_evaluation(
                card, contact, get("sup_a"), answers_for(card, "yes", 2 + i % 3, "Full")
            )
        calibrated = make_contact(get("agent_a1"), now)
        db.session.commit()
        ids = {
            "version": card.version.id,
            "contact": calibrated.id,
            "ref": calibrated.external_id,
            "yes_no": card.yes_no.id,
            "scale": card.scale.id,
            "choice": card.choice.id,
            "full": card.choice.choices[0].id,
            "partly": card.choice.choices[1].id,
        }
        db.session.remove()
    return ids


def _score(p, ids, yes: str, scale: int, choice: int) -> None:
    p.locator(f'input[name="q-{ids["yes_no"]}"][value="{yes}"]').check()
    p.locator(f'input[name="q-{ids["scale"]}"][value="{scale}"]').check()
    p.locator(f'input[name="q-{ids["choice"]}"][value="{choice}"]').check()
    p.get_by_role("button", name="Submit my scoring").click()


def test_a_calibration_session_with_two_evaluators_and_a_rollup_chart(live_server, page):
    base, people = live_server["url"], live_server["people"]
    ids = _setup(live_server["app"], people)
    p = page.page

    sign_in(page, base, people["hr"]["email"])
    p.goto(f"{base}/qa/programme/calibration/new")
    p.get_by_label("Title").fill("Browser calibration")
    p.get_by_label("Scorecard version").select_option(str(ids["version"]))
    p.get_by_label(ids["ref"], exact=True).check()
    p.get_by_label(people["sup_a"]["name"]).check()
    p.get_by_label(people["sup_b"]["name"]).check()
    p.get_by_role("button", name="Create and invite").click()
    p.get_by_text("Scoring is blind").wait_for()
    session_url = p.url
    page.screenshot("calibration-created")
    p.get_by_role("link", name="EXT-").first.click()
    _score(p, ids, "yes", 4, ids["full"])
    p.wait_for_url(session_url)

    for name, scale, choice in (("sup_a", 4, ids["full"]), ("sup_b", 2, ids["partly"])):
        p.context.clear_cookies()
        sign_in(page, base, people[name]["email"])
        p.goto(session_url)
        p.get_by_role("link", name="EXT-").first.click()
        assert p.locator("input[checked]").count() == 0  # blind: nothing pre-filled
        _score(p, ids, "yes", scale, choice)
        p.wait_for_url(session_url)
    page.screenshot("calibration-scored")

    p.context.clear_cookies()
    sign_in(page, base, people["hr"]["email"])
    p.goto(session_url)
    p.get_by_role("button", name="Close the session").click()
    p.get_by_text("Inter-rater reliability").wait_for()
    body = p.content()
    assert "nominal" in body and "ordinal" in body and "Percent agreement" in body
    assert people["sup_b"]["name"] in body
    page.screenshot("calibration-results")

    live_server["app"].config["QA_MIN_EVALUATIONS"] = 2
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=30), today + timedelta(days=1)
    p.goto(f"{base}/qa/programme/reports?period=custom&start_on={start}&end_on={end}")
    p.get_by_role("heading", name="Trend").wait_for()
    assert p.locator(".trend-chart circle.mean").count() >= 1
    assert "n = 9" in p.content()
    page.screenshot("rollup-chart")
