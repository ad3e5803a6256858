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
    from portal.notify.mailer import preference_token

    return {
        "a1_notification_id": notify_a1(world).id,
        "a1_preference_token": preference_token(world.agent_a1.id, "test.poked"),
    }


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
    "notify.notification_read POST": Row(
        "POST",
        lambda w: f"/notifications/{w.a1_notification_id}/read",
        expect(404, self=303),
    ),
    "notify.preference_edit GET": Row("GET", lambda w: "/notifications/preferences", expect(200)),
    "notify.preference_edit POST": Row(
        "POST",
        lambda w: "/notifications/preferences",
        expect(303),
        data=lambda w: {"k_test_poked": "weekly"},
    ),
    # The e-mails' signed link: the signature authorises, signed in or not (a wrong one 404s).
    "notify.preference_link GET": Row(
        "GET",
        lambda w: f"/notifications/preference/{w.a1_preference_token}",
        expect(200, anonymous=200),
    ),
    "notify.preference_link POST": Row(
        "POST",
        lambda w: f"/notifications/preference/{w.a1_preference_token}",
        expect(200, anonymous=200),
        data=lambda w: {"channel": "weekly"},
    ),
    "notify.preference_link GET #tampered": Row(
        "GET",
        lambda w: f"/notifications/preference/{w.a1_preference_token}x",
        expect(404, anonymous=404),
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


def test_mark_one_read(app, world):
    first, second = notify_a1(world), notify_a1(world)
    client = as_user(app.test_client(), world.agent_a1)
    page = client.get("/notifications/").get_data(as_text=True)
    assert f"/notifications/{first.id}/read" in page and "Mark all as read" in page
    answer = client.post(
        f"/notifications/{first.id}/read", data={"csrf_token": csrf_token_from(page)}
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/notifications/"
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert db.session.get(Notification, second.id).read_at is None
    assert service.unread_count(world.agent_a1) == 1


def test_details_lines_are_shown_under_the_message(app, world):
    service.notify(
        world.agent_a1,
        world.sup_a,
        "test.poked",
        "person",
        1,
        "/",
        what="MK-A1",
        details=["Agenda: <b>escalations</b>", *[f"line {n}" for n in range(1, 15)]],
    )
    db.session.commit()
    page = as_user(app.test_client(), world.agent_a1).get("/notifications/").get_data(as_text=True)
    assert "Agenda: &lt;b&gt;escalations&lt;/b&gt;" in page  # plain text, escaped
    assert "line 9" in page and "line 10" not in page  # at most ten lines


def test_header_badge_counts_unread_with_one_query_and_hides_at_zero(app, world):
    from tests.conftest import count_queries

    client = as_user(app.test_client(), world.agent_a1)
    page = client.get("/auth/sessions").get_data(as_text=True)
    assert 'class="topbar-notifications"' in page and "unread)" not in page
    notify_a1(world)
    notify_a1(world)
    with count_queries(app) as statements:
        page = client.get("/auth/sessions").get_data(as_text=True)
    assert "(2 unread)" in page and '<span class="badge" aria-hidden="true">2</span>' in page
    counts = [s for s in statements if "FROM notification" in s]
    assert len(counts) == 1 and "count(" in counts[0].lower()
    with count_queries(app) as statements:
        assert client.get("/notifications/").status_code == 200
    assert len([s for s in statements if "count(" in s.lower() and "notification" in s]) == 1
    service.mark_read(world.agent_a1)
    db.session.commit()
    assert "unread)" not in client.get("/auth/sessions").get_data(as_text=True)


def test_badge_count_uses_an_index():
    from portal.notify.models import Notification as Model

    indexed = {tuple(c.name for c in index.columns) for index in Model.__table__.indexes}
    assert ("person_id", "read_at") in indexed
