"""Fixtures: one app per run, one schema per run, one rolled-back transaction per test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event

# The job queue runs tasks at once, in the caller, with no storage (portal.config.huey_storage);
# tests/jobs starts real workers with their own environment.
os.environ.setdefault("HUEY_IMMEDIATE", "1")

from portal import create_app  # noqa: E402
from portal.auth.session_cache import remembered_sessions
from portal.config import TestConfig
from portal.extensions import db, limiter
from tests import factories

# Tests that issued no SQL on SQLite are not repeated on PostgreSQL (tests/db_free.py).
pytest_plugins = ["tests.db_free"]


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "sqlite://"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    # Each xdist worker gets its own database (made by `make test`): portal_test_gw0, ...
    return f"{url}_{worker}" if worker else url


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (fresh g, fresh session), like production,
    while the test body keeps its own context for factories and assertions."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url()

    application = create_app(Config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("DROP SCHEMA public CASCADE"))
            db.session.execute(db.text("CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Every test runs inside an outer transaction that is rolled back at its end; code under
    test may commit (it releases savepoints)."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        limiter.reset()
        # The schema outlives the test and its data does not: versions roll back to the same
        # numbers, so a cache filled by one test must not answer the next.
        app.extensions["portal_cache"].clear()
        remembered_sessions.clear()
        try:
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def cache(app: Flask):
    """The panel and page cache (portal/cache.py): its hits and misses, `enabled`."""
    return app.extensions["portal_cache"]


@pytest.fixture
def no_panel_cache(app: Flask) -> Iterator[None]:
    """The panel cache off: for tests that count the statements a panel's building issues."""
    cache = app.extensions["portal_cache"]
    cache.enabled = False
    try:
        yield
    finally:
        cache.enabled = True


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_client(app: Flask) -> Iterator[FlaskClient]:
    """A client with CSRF protection switched on (TestConfig keeps it on; explicit here)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app.test_client()


@pytest.fixture(autouse=True)
def no_email(monkeypatch: pytest.MonkeyPatch) -> list:
    """No test sends e-mail: anything that would is collected here."""
    sent: list = []
    monkeypatch.setattr("smtplib.SMTP", lambda *a, **k: sent.append((a, k)) or None)
    return sent


@pytest.fixture
def world():
    """The same small, known organisation for every test that asks for it."""
    return factories.build_world()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, person, password: str = factories.PASSWORD):
    """Sign in through the real form, CSRF token included."""
    page = client.get("/auth/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"email": person.email, "password": password, "csrf_token": token},
    )
    client.get("/healthz")  # remembers the new session, as as_user does
    return response


def in_language(client: FlaskClient, lang: str) -> FlaskClient:
    """Choose the page language as the language menu does (it outranks the person's own)."""
    with client.session_transaction() as sess:
        sess["lang"] = lang
    return client


def as_user(client: FlaskClient, person) -> FlaskClient:
    """Sign in by writing the session directly (fast; for the authorization matrix)."""
    from portal.auth import sessions
    from portal.db import utcnow

    token = sessions.start_session(person, now=utcnow(), address="127.0.0.1", user_agent="test")
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    # One request reads the session and remembers it (portal/auth/session_cache.py), so a
    # test's first request issues the same statements as its later ones.
    client.get("/healthz")
    return client


def post_form(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST with a valid CSRF token taken from the signed-in session."""
    headers = kwargs.pop("headers", {}) or {}
    headers.setdefault("X-CSRFToken", csrf_header(client))
    return client.post(url, data=data or {}, headers=headers, **kwargs)


def csrf_header(client: FlaskClient) -> str:
    page = client.get("/auth/sessions")
    return csrf_token_from(page.get_data(as_text=True))


@contextmanager
def count_queries(app: Flask):
    """Count the SQL statements issued inside the block: `with count_queries(app) as n: ...`."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    with app.app_context():
        engine = db.engines[None]
    target = engine.engine if hasattr(engine, "engine") else engine
    event.listen(target, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", before)
