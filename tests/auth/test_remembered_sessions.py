"""A session's signed-in lookup remembered between requests (portal/auth/session_cache.py):
taken from memory while nothing it depends on changed, read afresh after every kind of write
that could change it. The sign-out, password change, HR ending sessions, deactivation and idle
cases of tests/auth/test_sessions.py run with it on too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text, update

from portal import data_versions
from portal.auth import session_cache
from portal.auth.models import UserSession
from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Grant
from tests.conftest import count_queries, login


def session_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM user_session" in s]


def versions() -> dict[str, int]:
    rows = db.session.execute(
        select(data_versions.DataVersion.area, data_versions.DataVersion.version)
    )
    return {area: int(version) for area, version in rows}


def test_a_second_request_within_the_minute_reads_no_session(app, client, world):
    login(client, world.agent_a1)
    client.get("/")  # read from the database and remembered
    with count_queries(app) as statements:
        page = client.get("/")
    assert page.status_code == 200
    assert "MK-A1" in page.get_data(as_text=True), "the remembered person is the right one"
    assert session_reads(statements) == []
    assert len(session_cache.remembered_sessions) >= 1


def test_with_remember_sessions_off_every_request_reads_its_session(app, client, world):
    login(client, world.agent_a1)
    app.config["REMEMBER_SESSIONS"] = False
    try:
        client.get("/")
        with count_queries(app) as statements:
            assert client.get("/").status_code == 200
        assert len(session_reads(statements)) == 1
    finally:
        app.config["REMEMBER_SESSIONS"] = True


def test_a_session_ended_behind_the_pages_back_is_refused_on_the_next_request(client, world):
    login(client, world.agent_a1)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # remembered now
    db.session.execute(update(UserSession).values(ended_at=utcnow(), end_reason="test"))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_a_session_ended_by_text_sql_is_refused_on_the_next_request(client, world):
    login(client, world.agent_a1)
    client.get("/")
    client.get("/")
    db.session.execute(text("UPDATE user_session SET ended_at = created_at"))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_a_new_language_shows_on_the_next_request(client, world):
    login(client, world.agent_a1)
    client.get("/")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    world.agent_a1.locale = "ja"
    db.session.commit()
    assert 'lang="ja"' in client.get("/").get_data(as_text=True)


def test_a_grant_given_counts_on_the_next_request(app, client, world):
    login(client, world.agent_c1)
    url = f"/teams/{world.sup_a.id}"
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404  # remembered without the grant
    db.session.add(Grant(person_id=world.agent_c1.id, role="hr_admin"))
    db.session.commit()
    assert client.get(url).status_code == 200


def test_the_once_a_minute_touch_goes_to_the_database_and_raises_nothing(
    app, client, world, monkeypatch
):
    login(client, world.agent_a1)
    client.get("/")
    before = versions()
    later = utcnow() + timedelta(minutes=2)
    monkeypatch.setattr("portal.security.utcnow", lambda: later)
    with count_queries(app) as statements:
        assert client.get("/").status_code == 200
    assert len(session_reads(statements)) == 1, "past the minute the database decides"
    assert any(s.lstrip().upper().startswith("UPDATE USER_SESSION") for s in statements)
    assert versions() == before, "a touch empties no cache"
    with count_queries(app) as statements:
        client.get("/")
        client.get("/")
    assert len(session_reads(statements)) == 1, "read once after the touch, then remembered"


def test_a_remembered_session_past_its_idle_time_still_ends(app, client, world, monkeypatch):
    login(client, world.agent_a1)
    client.get("/")
    client.get("/")
    later = utcnow() + app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1)
    monkeypatch.setattr("portal.security.utcnow", lambda: later)
    assert client.get("/").status_code == 302
    ended = db.session.execute(select(UserSession.end_reason)).scalar_one()
    assert ended == "idle"


def test_the_store_keeps_the_most_recently_used():
    store = session_cache.SessionCache(max_entries=2)
    entry = session_cache.Remembered((1,), 1, utcnow(), utcnow(), b"")
    store.put("a", entry)
    store.put("b", entry)
    assert store.get("a") is entry  # "a" is now the most recent
    store.put("c", entry)
    assert store.get("b") is None and store.get("a") is entry and store.get("c") is entry
    store.forget("a")
    assert store.get("a") is None and len(store) == 1
