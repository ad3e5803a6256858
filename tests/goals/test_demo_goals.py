"""The demo's goals and reviews: a completed cycle, one in progress with every state."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.demo import load
from portal.extensions import db
from portal.goals.models import CalibrationChange, Goal, Review, ReviewCycle, ReviewState
from tests.conftest import in_language, login


@pytest.fixture
def demo():
    assert load.load_demo(if_empty=True, today=date(2026, 11, 23)) is True


def person(local: str):
    from portal.org.models import Person

    return db.session.execute(
        select(Person).where(Person.email == load.login_email(local))
    ).scalar_one()


def test_the_demo_has_a_completed_and_a_running_cycle(demo):
    cycles = {c.name: c for c in db.session.execute(select(ReviewCycle)).scalars()}
    assert cycles["2026 H1"].state == "completed" and cycles["2026 H2"].state == "in_progress"
    h1 = Counter(
        db.session.execute(
            select(Review.state).where(Review.cycle_id == cycles["2026 H1"].id)
        ).scalars()
    )
    assert set(h1) == {ReviewState.LOCKED}
    h2 = Counter(
        db.session.execute(
            select(Review.state).where(Review.cycle_id == cycles["2026 H2"].id)
        ).scalars()
    )
    assert set(h2) == set(ReviewState)
    sums = db.session.execute(select(func.sum(Goal.weight)).group_by(Goal.review_id)).scalars()
    assert set(sums) == {100}
    changes = list(db.session.execute(select(CalibrationChange)).scalars())
    assert changes and all(c.reason and c.before_rating != c.after_rating for c in changes)


def test_the_demo_sign_ins_find_their_goals_pages(app, demo):
    for local, urls in [
        ("agent.hk", ["/goals/", "/goals/reviews"]),
        ("supervisor.hk", ["/goals/team", "/goals/reviews", "/goals/calibration"]),
        ("manager.hk", ["/goals/calibration", "/goals/team"]),
        ("hr", ["/goals/cycles", "/goals/calibration"]),
    ]:
        client = app.test_client()
        login(client, person(local), password=load.DEMO_PASSWORD)
        for url in urls:
            assert client.get(url).status_code == 200, (local, url)
    client = app.test_client()
    login(client, person("manager.hk"), password=load.DEMO_PASSWORD)
    in_language(client, "en")  # the demo's Hong Kong people read Traditional Chinese
    page = client.get("/goals/calibration").get_data(as_text=True)
    # A change is offered in place (an edit row swapped in), and the log shows the reasons.
    assert "/edit" in page and "data-change" in page and "peak season" in page


def test_the_demo_has_goals_without_data_and_the_suggestion_says_so(demo):
    from portal.goals import reviews

    h2 = db.session.execute(select(ReviewCycle).where(ReviewCycle.name == "2026 H2")).scalar_one()
    assert h2.achievement_cap_percent == 120
    partial = [
        review
        for review in db.session.execute(select(Review).where(Review.cycle_id == h2.id)).scalars()
        if any(not goal.check_ins for goal in review.goals)
    ]
    assert partial
    review = partial[0]
    sheet = reviews.sheet(review.reviewer, review)
    assert sheet.suggestion.goals_without_data >= 1 and sheet.suggestion.covered_percent < 100


def test_every_role_has_review_work_today_in_the_demo(demo):
    from portal.goals import sharing
    from portal.goals.models import CalibrationClose

    h2 = db.session.execute(select(ReviewCycle).where(ReviewCycle.name == "2026 H2")).scalar_one()
    reviews = list(db.session.execute(select(Review).where(Review.cycle_id == h2.id)).scalars())
    manager = person("manager.hk")
    # manager.hk: manager assessments to write, the self-assessments being in.
    to_assess = [r for r in reviews if r.reviewer_id == manager.id]
    assert to_assess and all(r.state == ReviewState.MANAGER_REVIEW for r in to_assess)
    assert all(r.self_submitted_at is not None for r in to_assess)
    # Hong Kong's calibration is open with several reviews in it; nothing there is shared.
    hk = [r for r in reviews if r.market_id == manager.market_id]
    in_calibration = [r for r in hk if r.state == ReviewState.CALIBRATION]
    assert len(in_calibration) >= 5
    assert not any(r.is_shared for r in hk)
    assert not any(sharing.gate_for(r).is_open for r in in_calibration)
    # Elsewhere: shared and waiting, acknowledged, and every shared review passed a close.
    states = Counter(r.state for r in reviews if r.market_id != manager.market_id)
    assert states[ReviewState.SHARED] and states[ReviewState.ACKNOWLEDGED]
    for review in reviews:
        if review.is_shared or review.state == ReviewState.CALIBRATION:
            assert sharing.gate_for(review).is_open == (review.market_id != manager.market_id)
    closes = db.session.execute(select(CalibrationClose)).scalars().all()
    assert {c.scope for c in closes} == {"cycle", "team"}
    # agent.hk writes a self-assessment; supervisor.hk has reviews to write.
    agent = person("agent.hk")
    assert next(r for r in reviews if r.person_id == agent.id).state == ReviewState.SELF_REVIEW
    supervisor = person("supervisor.hk")
    assert any(
        r.reviewer_id == supervisor.id and r.state == ReviewState.MANAGER_REVIEW for r in reviews
    )


def test_hr_sees_hong_kong_waiting_for_its_close_in_the_demo(app, demo):
    client = app.test_client()
    login(client, person("hr"), password=load.DEMO_PASSWORD)
    in_language(client, "en")
    page = client.get("/goals/calibration/closing").get_data(as_text=True)
    assert "Close calibration for the whole cycle" in page and "Close for " in page
