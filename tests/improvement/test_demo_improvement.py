"""The demo's improvement plan: one active PIP with two check-ins for an agent of the HK
supervisor, seen by the supervisor and their line, not by the agent.hk sign-in (a peer), and
raised in the agent's next 1:1."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from portal.coaching import talking_points
from portal.coaching.models import OneOnOne
from portal.demo import load
from portal.errors import NotFound
from portal.extensions import db
from portal.improvement import plans as service
from portal.improvement.models import ImprovementPlan, PlanCheckIn
from portal.org.models import Person
from tests.conftest import in_language, login

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo():
    assert load.load_demo(if_empty=True, today=TODAY) is True


def person(local: str) -> Person:
    return db.session.execute(
        select(Person).where(Person.email == load.login_email(local))
    ).scalar_one()


def test_the_demo_has_one_active_plan_with_two_check_ins(app, demo):
    [plan] = db.session.scalars(select(ImprovementPlan)).all()
    assert plan.state == "active" and plan.acknowledged_at is not None
    assert plan.person.manager_id == person("supervisor.hk").id
    assert plan.person_id != person("agent.hk").id
    check_ins = db.session.scalars(select(PlanCheckIn).where(PlanCheckIn.plan_id == plan.id)).all()
    assert len(check_ins) == 2
    view = service.plan_view(plan)
    assert view.standing.measured == 2 and view.next_due == TODAY
    assert [v.expectation.title for v in view.expectations] == [
        "QA score at the team standard",
        "Faster first response",
    ]
    with pytest.raises(NotFound):
        service.get_plan(person("agent.hk"), plan.id)
    for local in ("supervisor.hk", "manager.hk", "head", "hr"):
        assert service.get_plan(person(local), plan.id) == plan
    for local in ("qa", "trainer"):
        with pytest.raises(NotFound):
            service.get_plan(person(local), plan.id)


def test_the_demo_supervisor_opens_the_plan_and_its_pdf(app, demo):
    [plan] = db.session.scalars(select(ImprovementPlan)).all()
    client = app.test_client()
    login(client, person("supervisor.hk"), password=load.DEMO_PASSWORD)
    in_language(client, "en")
    assert plan.person.name in client.get("/improvement/").get_data(as_text=True)
    page = client.get(f"/improvement/{plan.id}").get_data(as_text=True)
    assert "Record a check-in" in page and "Record the outcome" in page
    assert client.get(f"/improvement/{plan.id}/plan.pdf").status_code == 200


def test_the_agents_next_1_1_raises_the_check_in_due(app, demo):
    now = datetime.combine(TODAY, time(0, 0), UTC)
    [plan] = db.session.scalars(select(ImprovementPlan)).all()
    meeting = db.session.scalars(
        select(OneOnOne)
        .where(OneOnOne.person_id == plan.person_id, OneOnOne.scheduled_at >= now)
        .order_by(OneOnOne.scheduled_at)
    ).first()
    assert meeting is not None
    keys = {p.key for p in talking_points.talking_points_for(meeting)}
    assert any(key.startswith(f"improvement.check_in_due:{plan.id}:") for key in keys)
