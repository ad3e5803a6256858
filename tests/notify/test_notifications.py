"""Notifications: raised for the other party, listed newest first, read only by their owner."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.notify import service
from portal.notify.models import Notification
from tests.authz import Row, expect
from tests.conftest import as_user, csrf_token_from

service.register_kind("test.poked", _l("%(actor)s poked you about %(what)s"))


def notify_a1(world) -> Notification:
    note = service.notify(
        world.agent_a1, world.sup_a, "test.poked", "person", world.agent_a1.id, "/", what="MK-A1"
    )
    db.session.commit()
    return note


def notify_extras(world) -> dict:
    return {"a1_notification_id": notify_a1(world).id}


NOTIFY_ROWS: dict[str, Row] = {
    "notify.notification_list GET": Row(
        "GET", lambda w: "/notifications/", expect(200), hidden_from=("peer_agent", "hr_admin")
    ),
    "notify.notification_open POST": Row(
        "POST",
        lambda w: f"/notifications/{w.a1_notification_id}/open",
        expect(404, self=303),
    ),
    "notify.notification_read_all POST": Row(
        "POST", lambda w: "/notifications/read-all", expect(303)
    ),
}


def test_notify_skips_the_actor_themselves(app, world):
    assert service.notify(world.sup_a, world.sup_a, "test.poked", "x", 1, "/", what="x") is None


def test_unregistered_kind_is_refused(app, world):
    with pytest.raises(KeyError):
        service.notify(world.agent_a1, world.sup_a, "nope.kind", "x", 1, "/")


def test_message_is_filled_from_params(app, world):
    note = notify_a1(world)
    assert service.message(note) == f"{world.sup_a.display_name} poked you about MK-A1"


def test_list_shows_own_notifications_only_and_marks_read_on_open(app, world):
    note = notify_a1(world)
    other = as_user(app.test_client(), world.agent_a2)
    assert "MK-A1" not in other.get("/notifications/").get_data(as_text=True)
    client = as_user(app.test_client(), world.agent_a1)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "MK-A1" in page and "1 unread notification." in page
    token = csrf_token_from(page)
    answer = client.post(f"/notifications/{note.id}/open", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    assert service.unread_count(world.agent_a1) == 0


def test_read_all_and_paging(app, world):
    for _ in range(3):
        notify_a1(world)
    assert service.unread_count(world.agent_a1) == 3
    first = service.page(world.agent_a1, None, 2)
    rest = service.page(world.agent_a1, first[-1].id, 2)
    assert len(first) == 2 and len(rest) == 1 and first[0].id > first[1].id > rest[0].id
    assert service.mark_read(world.agent_a1) == 3
    assert service.unread_count(world.agent_a1) == 0
    ids = db.session.scalars(select(Notification.id)).all()
    assert len(ids) == 3
