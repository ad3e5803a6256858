"""The whole review loop in a real browser with the demo's own people (issue 19's "done when"):
the Hong Kong agent checks in on a goal and submits their self-assessment; their supervisor
assesses with the overall following the ratings live; the manager above runs calibration (a
blind preview, then one change with a reason); sharing is refused until HR closes calibration;
the agent reads a review with no trace of calibration and acknowledges it; the supervisor runs
an improvement plan with two check-ins to its outcome; the agent acknowledges the written
warning the demo issued to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from portal import create_app
from portal.conduct.models import CorrectiveAction
from portal.demo import load
from portal.extensions import db
from portal.goals.models import Review, ReviewCycle
from portal.org.models import Person
from tests.browser.conftest import live_config, menu, require_chromium, serving, signed_in

# Found only in the calibration reason: the employee's pages must never show it.
CAL_MARKER = "MK-CAL carried the queue in November"
ACTORS = ("agent.hk", "supervisor.hk", "manager.hk", "hr")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[dict]:
    """A live portal holding the demo (loaded for today), its actors reading English."""
    require_chromium()
    app = create_app(live_config(tmp_path_factory.mktemp("demo-live") / "portal.db"))
    with app.app_context():
        upgrade()
        assert load.load_demo() is True

        def person(local: str) -> Person:
            email = load.login_email(local)
            return db.session.execute(select(Person).where(Person.email == email)).scalar_one()

        actors = {local: person(local) for local in ACTORS}
        for actor in actors.values():
            actor.locale = "en"  # the demo gives Hong Kong people Traditional Chinese
        agent = actors["agent.hk"]
        cycle = db.session.execute(
            select(ReviewCycle).where(ReviewCycle.name == "2026 H2")
        ).scalar_one()
        review = db.session.execute(
            select(Review).where(Review.cycle_id == cycle.id, Review.person_id == agent.id)
        ).scalar_one()
        warning = db.session.execute(
            select(CorrectiveAction).where(
                CorrectiveAction.person_id == agent.id, CorrectiveAction.state == "issued"
            )
        ).scalar_one()
        facts = {
            "people": {
                k: {"id": p.id, "email": p.email, "name": p.name, "shown": p.display_name}
                for k, p in actors.items()
            },
            "review_id": review.id,
            "review_state": review.state,
            "cycle_id": cycle.id,
            "warning_id": warning.id,
        }
        db.session.commit()
        db.session.remove()
    with serving(app) as url:
        yield {"url": url, **facts}


def _as(browser, server: dict, local: str, shots: str):
    """A signed-in browser context for one of the demo's people (the demo's password)."""
    email = server["people"][local]["email"]
    return signed_in(browser, server["url"], email, f"demo-cycle-{shots}", load.DEMO_PASSWORD)


def test_a_whole_review_cycle_with_the_demos_people(demo_server, browser):
    base = demo_server["url"]
    people = demo_server["people"]
    agent = people["agent.hk"]
    review_url = f"{base}/goals/reviews/{demo_server['review_id']}"
    assert demo_server["review_state"] == "self_review"  # the demo leaves it to the agent
    today = datetime.now(ZoneInfo("Asia/Hong_Kong")).date()

    # Goals and the self-assessment.
    with _as(browser, demo_server, "agent.hk", "agent-self") as me:
        p = me.page
        menu(me, "Goals and reviews", "My goals")
        p.get_by_role("link", name="Raise NPS").first.click()
        p.get_by_role("spinbutton", name="Value").fill("45")
        p.get_by_label("Confidence").select_option("on_track")
        p.get_by_role("button", name="Save check-in").click()
        p.get_by_role("cell", name="45").first.wait_for()
        p.goto(review_url)
        form = p.locator("#self-assessment")
        for select in form.locator("select[name^='rating-']").all():
            select.select_option("4")
        form.get_by_label("Overall comment").fill("A steady half with NPS up")
        form.get_by_role("button", name="Submit").click()
        form.wait_for(state="detached")
        me.screenshot("self-submitted")

    # The manager assessment: the computed overall follows the ratings before any save.
    with _as(browser, demo_server, "supervisor.hk", "supervisor-assess") as sup:
        p = sup.page
        p.goto(review_url)
        form = p.locator("#manager-assessment")
        overall = form.locator(".live-overall output")
        assert overall.inner_text().strip() == "—"
        selects = form.locator("select[name^='rating-']").all()
        selects[0].select_option("2")
        overall.filter(has_text="2").wait_for()
        for select in selects:
            select.select_option("3")
        overall.filter(has_text="3").wait_for()
        form.locator(".save-state", has_text="saved").wait_for()  # the draft saved itself
        form.get_by_label("Proposed overall rating").select_option("3")
        form.get_by_role("button", name="Submit").click()
        form.wait_for(state="detached")
        sup.screenshot("manager-submitted")

    # Calibration: a blind preview, then one change with its reason.
    with _as(browser, demo_server, "manager.hk", "calibration") as room:
        p = room.page
        p.goto(f"{base}/goals/calibration?cycle={demo_server['cycle_id']}")
        table = p.locator("table.calibration-table")
        table.get_by_role("link", name=agent["shown"], exact=True).wait_for()
        p.get_by_label("Blind preview (names hidden)").check()
        p.wait_for_url("**blind=1**")
        p.get_by_text("Person 1").first.wait_for()
        assert agent["name"] not in p.locator("table.calibration-table").inner_text()
        room.screenshot("blind")
        p.get_by_label("Blind preview (names hidden)").uncheck()
        table.get_by_role("link", name=agent["shown"], exact=True).wait_for()
        p.get_by_role("link", name=f"Change · {agent['shown']}").click()
        p.get_by_label("New rating").select_option("4")
        p.get_by_label("Reason").fill(CAL_MARKER)
        p.get_by_role("button", name="Save the change").click()
        p.get_by_text(f"Rating of {agent['shown']} changed from 3 to 4.").wait_for()
        room.screenshot("changed")

    # Sharing waits for calibration to close.
    with _as(browser, demo_server, "supervisor.hk", "supervisor-waits") as sup:
        p = sup.page
        p.goto(review_url)
        p.get_by_text("once HR closes calibration").first.wait_for()
        assert p.get_by_role("button", name="Share with the employee").count() == 0

    with _as(browser, demo_server, "hr", "hr-close") as hr:
        p = hr.page
        menu(hr, "Goals and reviews", "Close calibration")
        p.get_by_role("button", name="Close calibration for the whole cycle").click()
        p.get_by_text("Closed for the whole cycle").first.wait_for()
        hr.screenshot("closed")

    with _as(browser, demo_server, "supervisor.hk", "supervisor-shares") as sup:
        p = sup.page
        p.goto(review_url)
        p.get_by_role("button", name="Share with the employee").click()
        p.get_by_text("Shared").first.wait_for()

    # The employee: the final rating, no proposal, change, reason or calibrator.
    with _as(browser, demo_server, "agent.hk", "agent-acknowledges") as me:
        p = me.page
        p.goto(review_url)
        page = p.content()
        assert "Overall rating" in page
        for hidden in (CAL_MARKER, "Proposed", "after calibration", people["manager.hk"]["name"]):
            assert hidden not in page, hidden
        p.get_by_label("Comment (optional)").fill("Read it")
        p.get_by_role("button", name="Acknowledge").click()
        p.get_by_text("Acknowledged on").wait_for()
        p.goto(f"{review_url}/print")
        assert CAL_MARKER not in p.content() and "Proposed" not in p.content()
        me.screenshot("acknowledged")

    # An improvement plan with two check-ins and an outcome.
    with _as(browser, demo_server, "supervisor.hk", "pip-open") as sup:
        p = sup.page
        menu(sup, "Goals and reviews", "Improvement plans")
        p.get_by_role("link", name="Open an improvement plan").click()
        p.get_by_label("Employee").select_option(str(agent["id"]))
        p.get_by_label("Why the plan is needed").fill("First response above 14 hours since October")
        p.get_by_label(re.compile("^Support offered")).fill("Weekly queue coaching")
        p.get_by_label("Starts on").fill((today - timedelta(days=14)).isoformat())
        p.get_by_label("Length").select_option("30")
        p.get_by_role("button", name="Save the draft").click()
        p.get_by_text("A draft: the employee does not see it").wait_for()
        p.get_by_label(re.compile(r"^Expectation\s*\*?$")).fill("First response")
        p.get_by_label("Metric").fill("First response time")
        p.get_by_label("Unit").fill("hours")
        p.get_by_label("Direction").select_option("lower")
        p.get_by_label("Baseline").fill("15")
        p.get_by_label("Target").fill("12")
        p.get_by_role("button", name="Add expectation").click()
        p.get_by_role("rowheader", name="First response").wait_for()
        p.get_by_role("button", name="Start the plan").click()
        p.get_by_text("Active", exact=True).first.wait_for()
        plan_url = p.url

    with _as(browser, demo_server, "agent.hk", "pip-acknowledge") as me:
        p = me.page
        p.goto(plan_url)
        p.get_by_label("Comment (optional)").fill("Understood")
        p.get_by_role("button", name="Acknowledge").click()
        p.get_by_text("Employee's comment: Understood").wait_for()

    with _as(browser, demo_server, "supervisor.hk", "pip-outcome") as sup:
        p = sup.page
        p.goto(plan_url)
        for days_ago, value, note in [(7, "13.5", "Week one"), (0, "11.8", "Week two")]:
            p.get_by_label("Held on").fill((today - timedelta(days=days_ago)).isoformat())
            p.get_by_label("Value: First response (hours)").fill(value)
            p.get_by_label("Note").fill(note)
            p.get_by_role("button", name="Save check-in").click()
            p.get_by_role("cell", name=note).wait_for()
        p.get_by_text("1 of 1 expectations met").wait_for()
        p.get_by_role("combobox", name="Outcome").select_option("met")
        p.get_by_label("Reason").fill("Below 12 hours at the last check-in")
        p.get_by_role("button", name="Record the outcome").click()
        p.get_by_text("Closed", exact=True).first.wait_for()
        sup.screenshot("pip-closed")

    # The written warning the demo issued to the agent, acknowledged with a comment.
    with _as(browser, demo_server, "agent.hk", "warning") as me:
        p = me.page
        p.goto(f"{base}/conduct/{demo_server['warning_id']}")
        p.get_by_label(re.compile("^Your comment")).fill("I will follow the refund limit")
        p.get_by_role("button", name="Acknowledge").click()
        p.get_by_text("Acknowledging is not agreeing.").wait_for()
        p.get_by_text("I will follow the refund limit").wait_for()
        me.screenshot("warning-acknowledged")
