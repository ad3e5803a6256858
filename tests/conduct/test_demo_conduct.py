"""The demo's corrective actions: a documented conversation acknowledged, and a written warning
to the demo agent awaiting acknowledgment, linked to their evaluation and 1:1; the pages work."""

from __future__ import annotations

from sqlalchemy import select

from portal.conduct.models import CorrectiveAction
from portal.demo import load
from portal.extensions import db
from portal.notify.models import Notification
from portal.org.models import Person
from tests.conftest import as_user, in_language


def _person(local: str) -> Person:
    return db.session.scalars(select(Person).where(Person.email.startswith(f"{local}@"))).one()


def test_the_demo_has_an_acknowledged_conversation_and_a_warning_awaiting_acknowledgment(app):
    assert load.load_demo(if_empty=True)
    agent, supervisor = _person("agent.hk"), _person("supervisor.hk")
    found = {a.kind: a for a in db.session.scalars(select(CorrectiveAction))}
    conversation, warning = found["conversation"], found["written_warning"]
    assert conversation.state == "acknowledged" and conversation.acknowledgment_comment
    assert conversation.person.manager_id == supervisor.id
    assert any(f.is_done for f in conversation.follow_ups)
    assert warning.state == "issued" and warning.person_id == agent.id
    assert {link.record_type for link in warning.links} == {"evaluation", "one_on_one"}
    assert db.session.scalars(
        select(Notification).where(
            Notification.kind == "conduct.issued", Notification.person_id == agent.id
        )
    ).one()
    mine = in_language(as_user(app.test_client(), agent), "en")
    page = mine.get(f"/conduct/{warning.id}").get_data(as_text=True)
    assert "Acknowledge" in page and "QA evaluation #" in page
    lead = as_user(app.test_client(), supervisor)
    listing = lead.get("/conduct/").get_data(as_text=True)
    assert f"/conduct/{warning.id}" in listing and f"/conduct/{conversation.id}" in listing
    qa = as_user(app.test_client(), _person("qa"))
    assert qa.get(f"/conduct/{warning.id}").status_code == 404
