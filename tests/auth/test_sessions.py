"""Server-side sessions: a copied cookie dies with its session; people and HR end sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit import AuditEntry
from portal.auth import sessions
from portal.auth.models import UserSession
from portal.db import utcnow
from portal.extensions import db
from tests import factories
from tests.conftest import as_user, login, post_form

COOKIE = "portal_session"
NEW_PASSWORD = "Brand-New-Secret-77"


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def copy_cookie(source, target) -> None:
    """What an attacker does with a stolen cookie: replay it from another browser."""
    cookie = source.get_cookie(COOKIE)
    assert cookie is not None
    target.set_cookie(COOKIE, cookie.value)


def open_sessions(person) -> list[UserSession]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(UserSession)
            .where(UserSession.person_id == person.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.id)
        ).scalars()
    )


def test_a_cookie_replayed_after_sign_out_is_refused(app, world):
    browser, thief = app.test_client(), app.test_client()
    login(browser, world.agent_a1)
    copy_cookie(browser, thief)
    assert signed_in(thief), "the copy works while the session is open"
    post_form(browser, "/auth/logout")
    assert not signed_in(browser)
    assert not signed_in(thief)


def test_after_a_password_change_the_old_cookie_is_refused_but_the_changer_stays_in(app, world):
    browser, thief = app.test_client(), app.test_client()
    login(browser, world.agent_a1)
    copy_cookie(browser, thief)
    response = post_form(
        browser,
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert signed_in(browser)
    assert not signed_in(thief)
    assert [s.end_reason for s in db.session.execute(select(UserSession)).scalars()].count(
        "password_changed"
    ) == 1


def test_a_deactivated_persons_cookie_is_refused(client, world):
    login(client, world.agent_a1)
    assert signed_in(client)
    world.agent_a1.is_active = False
    db.session.commit()
    assert not signed_in(client)
    ended = db.session.execute(
        select(UserSession.end_reason).where(UserSession.person_id == world.agent_a1.id)
    ).scalar_one()
    assert ended == "deactivated"


def test_an_idle_session_ends(app, client, world, monkeypatch):
    login(client, world.agent_a1)
    assert signed_in(client)
    later = utcnow() + app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1)
    monkeypatch.setattr("portal.security.utcnow", lambda: later)
    assert not signed_in(client)
    monkeypatch.undo()
    assert not signed_in(client), "an ended session does not come back"
    assert open_sessions(world.agent_a1) == []


def test_activity_keeps_a_session_open_only_until_the_absolute_timeout(app, world):
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    start = utcnow()
    token = sessions.start_session(world.agent_a1, now=start, address=None, user_agent=None)
    now = start
    while now + idle / 2 <= start + absolute:
        now += idle / 2
        assert sessions.person_for_token(token, now=now, idle=idle, absolute=absolute)
    now = start + absolute + timedelta(seconds=1)
    assert sessions.person_for_token(token, now=now, idle=idle, absolute=absolute) is None
    (ended,) = db.session.execute(select(UserSession)).scalars()
    assert ended.end_reason == "expired"


def test_a_person_sees_and_ends_their_own_other_session(app, world):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.agent_a1)
    login(phone, world.agent_a1)
    first, second = open_sessions(world.agent_a1)
    page = laptop.get("/auth/sessions").get_data(as_text=True)
    assert f"/auth/sessions/{first.id}/end" in page and f"/auth/sessions/{second.id}/end" in page
    response = post_form(laptop, f"/auth/sessions/{second.id}/end")
    assert response.status_code == 303
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_a_person_cannot_end_someone_elses_session(app, world):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, world.agent_a1)
    login(theirs, world.agent_a2)
    (other,) = open_sessions(world.agent_a2)
    response = post_form(mine, f"/auth/sessions/{other.id}/end")
    assert response.status_code == 404
    assert signed_in(theirs)


def test_hr_sees_and_ends_one_session_of_someone(app, client, world):
    agent = app.test_client()
    login(agent, world.agent_a1)
    (target,) = open_sessions(world.agent_a1)
    as_user(client, world.hr)
    page = client.get(f"/admin/people/{world.agent_a1.id}/sessions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "MK-A1" in html
    assert f"/admin/people/{world.agent_a1.id}/sessions/{target.id}/end" in html
    assert "data-confirm" in html
    response = post_form(client, f"/admin/people/{world.agent_a1.id}/sessions/{target.id}/end")
    assert response.status_code == 303
    assert not signed_in(agent)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "auth.session_end")
    ).scalar_one()
    assert (entry.actor_id, entry.record_id) == (world.hr.id, target.id)
    db.session.refresh(target)
    assert target.end_reason == "ended_by_hr"


def test_hr_ends_all_sessions_of_someone(app, client, world):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.agent_a1)
    login(phone, world.agent_a1)
    as_user(client, world.hr)
    response = post_form(client, f"/admin/people/{world.agent_a1.id}/sessions/end-all")
    assert response.status_code == 303
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(client), "HR's own session is untouched"
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "auth.session_end_all")
    ).scalar_one()
    assert (entry.actor_id, entry.record_type, entry.record_id) == (
        world.hr.id,
        "person",
        world.agent_a1.id,
    )
    assert entry.after == {"ended": 2}


def test_hr_ending_all_their_own_sessions_keeps_the_current_one(app, client, world):
    other = app.test_client()
    login(other, world.hr)
    login(client, world.hr)
    response = post_form(client, f"/admin/people/{world.hr.id}/sessions/end-all")
    assert response.status_code == 303
    assert signed_in(client)
    assert not signed_in(other)


def test_a_non_hr_cannot_use_the_admin_session_pages(app, client, world):
    agent = app.test_client()
    login(agent, world.agent_a1)
    (target,) = open_sessions(world.agent_a1)
    base = f"/admin/people/{world.agent_a1.id}/sessions"
    # A supervisor sees the agent but may not manage their sessions: 403.
    as_user(client, world.sup_a)
    assert client.get(base).status_code == 403
    assert post_form(client, f"{base}/{target.id}/end").status_code == 403
    assert post_form(client, f"{base}/end-all").status_code == 403
    # A peer cannot even see the agent: 404.
    peer = app.test_client()
    as_user(peer, world.agent_c1)
    assert peer.get(base).status_code == 404
    assert post_form(peer, f"{base}/end-all").status_code == 404
    assert signed_in(agent)


def test_hr_gets_404_for_a_session_that_is_not_that_persons(app, client, world):
    other = app.test_client()
    login(other, world.agent_a2)
    (theirs,) = open_sessions(world.agent_a2)
    as_user(client, world.hr)
    url = f"/admin/people/{world.agent_a1.id}/sessions/{theirs.id}/end"
    assert post_form(client, url).status_code == 404
    assert signed_in(other)
