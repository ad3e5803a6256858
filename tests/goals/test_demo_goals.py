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
