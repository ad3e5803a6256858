"""Kudos: given to anyone, seen by the recipient, their managers, the giver, HR, and on the
team feed when public; the recipient is notified."""

from sqlalchemy import select

from portal.extensions import db
from portal.notify.models import Notification
from portal.training import kudos
from tests.conftest import as_user, post_form


def give(world, public=False, token="k1"):
    return kudos.give_kudos(
        world.agent_b1, world.agent_a1.id, "Teamwork", "Thanks MK-A1-KUDOS", public, token, "/"
    )


def test_recipient_managers_giver_and_hr_see_private_kudos(app, client, world):
    give(world)
    for person in (world.agent_a1, world.sup_a, world.manager_hk, world.agent_b1, world.hr):
        as_user(client, person)
        assert "MK-A1-KUDOS" in client.get("/recognition/").get_data(as_text=True), person.name
    for person in (world.agent_a2, world.sup_b, world.trainer, world.qa):
        as_user(client, person)
        assert "MK-A1-KUDOS" not in client.get("/recognition/").get_data(as_text=True), person.name


def test_public_kudos_show_on_the_team_feed(app, client, world):
    give(world, public=True)
    as_user(client, world.agent_a2)
    assert "MK-A1-KUDOS" in client.get("/recognition/").get_data(as_text=True)
    as_user(client, world.agent_c1)
    assert "MK-A1-KUDOS" not in client.get("/recognition/").get_data(as_text=True)


def test_giving_kudos_through_the_page_notifies_once(app, client, world):
    as_user(client, world.agent_b1)
    data = {"recipient": "W-A1", "value": "Teamwork", "message": "Great", "token": "tok"}
    assert post_form(client, "/recognition/kudos", data).status_code == 303
    assert post_form(client, "/recognition/kudos", data).status_code == 303
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "kudos.received")
    ).all()
    assert [n.person_id for n in notes] == [world.agent_a1.id]


def test_bad_kudos_input_is_refused_at_the_field_and_kept(app, client, world):
    as_user(client, world.agent_b1)
    r = post_form(
        client,
        "/recognition/kudos",
        {"recipient": "nobody@example.com", "value": "Teamwork", "message": "Kept text"},
    )
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "No active colleague" in body and "Kept text" in body
    r = post_form(
        client, "/recognition/kudos", {"recipient": "W-B1", "value": "Teamwork", "message": "x"}
    )
    assert r.status_code == 422  # not to oneself
