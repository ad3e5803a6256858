"""The assessment page in a real browser on a 1,280 × 800 laptop screen: the employee and then
the manager change ratings and see the computed overall follow before anything is saved, the
draft saves itself ("Draft saved at …"), the evidence sits beside each rating in two columns
without a horizontal scroll bar, the form is reachable by keyboard, and Submit stays a button."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.goals import cycle_config, cycles, reviews
from portal.goals import goals as goal_service
from portal.goals.models import Author, Review
from portal.kpis.models import Kpi, KpiTarget, KpiValue
from portal.org.models import Person
from portal.training.models import Assignment, Course
from tests.browser.conftest import signed_in
from tests.goals.helpers import goal_fields
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

LAPTOP = {"width": 1280, "height": 800}


def _person(email: str) -> Person:
    return db.session.execute(select(Person).where(Person.email == email)).scalar_one()


@pytest.fixture(scope="module")
def assessment_world(live_server):
    """A cycle around today; A1's review open for the self-assessment with two goals (one
    checked in twice, one once); A1's QA evaluations, weekly 1:1s, a course and KPI values."""
    app = live_server["app"]
    today = datetime.now(ZoneInfo("Asia/Hong_Kong")).date()
    with app.test_request_context():
        hr, sup_a, a1 = (_person(f"{k}@world.example.com") for k in ("hr", "supa", "a1"))
        manager_hk = _person("mgrhk@world.example.com")
        starts = today - timedelta(days=120)
        phases = {
            "goal_setting": starts + timedelta(days=20),
            "mid_cycle": starts + timedelta(days=60),
            "self_assessment": today + timedelta(days=10),
            "manager_assessment": today + timedelta(days=20),
            "calibration": today + timedelta(days=40),
            "sign_off": today + timedelta(days=60),
        }
        cycle = cycles.create_cycle(
            hr,
            cycles.CycleFields(
                name="Laptop cycle",
                starts_on=starts,
                ends_on=today + timedelta(days=60),
                scale=cycle_config.DEFAULT_SCALE,
                bands=cycle_config.DEFAULT_BANDS,
                guideline=cycle_config.DEFAULT_GUIDELINE,
                competencies=cycle_config.DEFAULT_COMPETENCIES,
                goals_weight=70,
                competencies_weight=30,
                promotion_min_months=6,
                phases=phases,
            ),
        )
        cycles.enrol(cycle, hr, cycles.Eligibility(manager_hk.id, None, ()))
        cycles.start_cycle(cycle, hr, expected_version=cycle.version)
        review = db.session.execute(
            select(Review).where(Review.cycle_id == cycle.id, Review.person_id == a1.id)
        ).scalar_one()
        first = goal_service.create_goal(review, sup_a, goal_fields("Faster first response", 60))
        second = goal_service.create_goal(
            review,
            sup_a,
            goal_fields(
                "Happier customers",
                40,
                metric="NPS",
                unit="points",
                baseline=Decimal("30"),
                target=Decimal("50"),
                direction="higher",
            ),
        )
        for goal, value, confidence, note in [
            (first, "20", "at_risk", "Slow start"),
            (first, "16", "on_track", "Templates helped"),
            (second, "44", "on_track", ""),
        ]:
            goal_service.add_check_in(
                goal,
                a1,
                value=Decimal(value),
                confidence=confidence,
                comment=note,
                token=note or value,
            )
        reviews.take_step(review, sup_a, "start", expected_version=review.version)
        card = make_card(_person("qa@world.example.com"))
        for days_ago, answers in [(30, ("yes", 4, "Full")), (20, ("yes", 2, "Partly"))] * 3:
            moment = datetime.combine(today - timedelta(days=days_ago), time(4), UTC)
            contact = make_contact(a1, moment)
            make_evaluation(card, contact, sup_a, answers_for(card, *answers), submitted_at=moment)
        series = OneOnOneSeries(
            person_id=a1.id,
            supervisor_id=sup_a.id,
            cadence="weekly",
            weekday=0,
            start_time=time(10, 0),
            time_zone="Asia/Hong_Kong",
            starts_on=today - timedelta(days=42),
        )
        db.session.add(series)
        db.session.flush()
        monday = today - timedelta(days=today.weekday())
        for weeks_ago in (5, 3, 2):
            day = monday - timedelta(weeks=weeks_ago)
            db.session.add(
                OneOnOne(
                    series_id=series.id,
                    person_id=a1.id,
                    supervisor_id=sup_a.id,
                    scheduled_at=datetime.combine(day, time(2), UTC),
                    status="held",
                )
            )
        course = Course(title="Privacy", kind="elearning", is_mandatory=True, created_by_id=hr.id)
        db.session.add(course)
        db.session.flush()
        db.session.add(
            Assignment(
                course_id=course.id,
                person_id=a1.id,
                due_on=today - timedelta(days=3),
                assigned_by_id=hr.id,
                token="laptop-privacy",
            )
        )
        csat = Kpi(code="csat", name="CSAT", unit="/5", direction="higher", aggregation="mean")
        db.session.add(csat)
        db.session.flush()
        db.session.add(KpiTarget(kpi_id=csat.id, market_id=a1.market_id, target=Decimal("4.5")))
        for days_ago in range(1, 8):
            db.session.add(
                KpiValue(
                    person_id=a1.id,
                    kpi_id=csat.id,
                    value_on=today - timedelta(days=days_ago),
                    value=Decimal("4.6"),
                )
            )
        db.session.commit()
        ids = {"review": review.id, "goals": [first.id, second.id]}
        db.session.remove()
    return {**live_server, **ids}


def _stored(app, review_id: int, author: str) -> dict:
    with app.app_context():
        review = db.session.get(Review, review_id)
        found = reviews.entries(review, author)
        db.session.remove()
    return found


def _overall(page) -> str:
    return page.locator(".live-overall output").inner_text().strip()


def test_ratings_update_the_overall_live_and_the_draft_saves_itself(assessment_world, browser):
    base = assessment_world["url"]
    people = assessment_world["people"]
    app = assessment_world["app"]
    review_id = assessment_world["review"]
    first_goal, second_goal = assessment_world["goals"]
    url = f"{base}/goals/reviews/{review_id}"

    with signed_in(browser, base, people["agent_a1"]["email"], "assessment-employee") as agent:
        p = agent.page
        p.set_viewport_size(LAPTOP)
        p.goto(url)
        saves: list[str] = []
        p.on("request", lambda r: saves.append(r.url) if r.url.endswith("/autosave") else None)
        assert _overall(p) == "—"
        p.locator(f"select[name='rating-goal:{first_goal}']").select_option("4")
        # The overall follows at once (goals part 4 over the one goal rated: 4), before the
        # draft's autosave has even been sent.
        p.locator(".live-overall output", has_text="4").wait_for(timeout=600)
        assert saves == []
        p.get_by_text("Draft saved at").wait_for()
        assert _stored(app, review_id, Author.SELF)[f"goal:{first_goal}"].rating == 4
        for select in p.locator("select[name^='rating-']").all():
            select.select_option("4")
        p.locator("#self-assessment textarea[name='self-overall_comment']").fill("A good half")
        agent.screenshot("self-assessment")
        p.get_by_role("button", name="Submit").click()
        p.get_by_text("Not shown yet").first.wait_for()

    with signed_in(browser, base, people["sup_a"]["email"], "assessment-manager") as manager:
        p = manager.page
        p.set_viewport_size(LAPTOP)
        p.goto(url)
        # The evidence: the period's panel and each goal's check-ins beside the rating.
        panel = p.locator("#review-evidence")
        for heading in ("QA average", "1:1s held", "Training done", "KPIs against target"):
            panel.get_by_role("heading", name=heading).wait_for()
        assert "over 6 evaluations" in panel.inner_text()
        assert "3 / " in panel.locator(".evidence-tile", has_text="1:1s held").inner_text()
        assert "1 overdue" in panel.inner_text() and "CSAT" in panel.inner_text()
        row = p.locator("fieldset.assess-row", has_text="Faster first response")
        assert "Templates helped" in row.inner_text() and "4 · Exceeds" in row.inner_text()
        # Two columns: the rating sits to the right of the check-ins, on the same row.
        evidence_box = row.locator(".check-ins").bounding_box()
        select_box = row.locator("select").bounding_box()
        assert select_box["x"] > evidence_box["x"] + evidence_box["width"] - 1
        assert select_box["y"] < evidence_box["y"] + evidence_box["height"] + 60
        width = p.evaluate("() => document.documentElement.scrollWidth")
        assert width <= LAPTOP["width"], f"horizontal scroll: {width}px"

        saves: list[str] = []
        p.on("request", lambda r: saves.append(r.url) if r.url.endswith("/autosave") else None)
        assert _overall(p) == "—"
        # Keyboard: the first rating is reached with Tab and changed with the arrow keys.
        first = p.locator(f"select[name='rating-goal:{first_goal}']")
        first.focus()
        p.keyboard.press("Shift+Tab")
        p.keyboard.press("Tab")
        assert p.evaluate("() => document.activeElement.name") == f"rating-goal:{first_goal}"
        first.select_option("5")
        p.locator(".live-overall output", has_text="5").wait_for(timeout=600)
        assert saves == []  # computed on the server from the typed values, nothing saved yet
        p.locator(f"select[name='rating-goal:{second_goal}']").select_option("2")
        # Goals part (60 × 5 + 40 × 2) / 100 = 3.8, no competency yet: 3.8.
        p.locator(".live-overall output", has_text="3.8").wait_for()
        for key in ("knowledge", "skill", "attitude"):
            p.locator(f"select[name='rating-competency:{key}']").select_option("3")
        # (70 × 3.8 + 30 × 3) / 100 = 3.56
        p.locator(".live-overall output", has_text="3.56").wait_for()
        p.get_by_text("Draft saved at").wait_for()
        manager.screenshot("manager-draft-saved")
        manager.shots.mkdir(parents=True, exist_ok=True)
        p.locator("#manager-assessment").scroll_into_view_if_needed()
        p.screenshot(path=str(manager.shots / "laptop-screen.png"))
        stored = _stored(app, review_id, Author.MANAGER)
        assert stored[f"goal:{first_goal}"].rating == 5
        assert stored["competency:attitude"].rating == 3
        # A comment is saved too, once the field is left.
        comment = p.locator(f"textarea[name='comment-goal:{first_goal}']")
        comment.fill("Beat the target early")
        with p.expect_response(lambda r: r.url.endswith("/manager/autosave")) as answer:
            p.keyboard.press("Tab")
        assert answer.value.status == 200
        assert _stored(app, review_id, Author.MANAGER)[f"goal:{first_goal}"].comment == (
            "Beat the target early"
        )
        # Reloaded, the draft is still there and the overall is the saved one.
        p.reload()
        assert p.locator(f"select[name='rating-goal:{first_goal}']").input_value() == "5"
        assert _overall(p) == "3.56"
        p.get_by_label("Proposed overall rating").select_option("4")
        p.get_by_role("button", name="Submit").click()
        p.locator("#manager-assessment").wait_for(state="detached")
        assert re.search(r"Proposed overall rating\s*4", p.locator("dl.facts").inner_text())
        manager.screenshot("manager-submitted")
