"""The huey instance and the Flask app the jobs run in.

The instance is module-level (huey_consumer imports `portal.jobs.huey`), so its storage is
chosen from the environment when this module is first imported (`portal.config.huey_storage`):
SQLite in instance/huey.db by default, Redis when REDIS_URL is set, in-memory and immediate
(tasks run at once, in the caller) with HUEY_IMMEDIATE=1 (the tests set it). The web server
and the worker must therefore see the same environment.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

from portal.config import huey_name, huey_storage

NAME = huey_name()
F = TypeVar("F", bound=Callable[..., Any])


def _make_huey() -> Huey:
    kind, where = huey_storage()
    if kind == "memory":
        return MemoryHuey(NAME, immediate=True)
    if kind == "redis":
        return RedisHuey(NAME, url=where)
    return SqliteHuey(NAME, filename=where)


huey: Huey = _make_huey()

_app: Flask | None = None
_app_lock = threading.Lock()


def worker_app() -> Flask:
    """The worker's Flask app, created once per process (portal.create_app, configured from
    the environment like the web server)."""
    global _app
    with _app_lock:
        if _app is None:
            from portal import create_app

            _share_huey_log()
            _app = create_app()
            _write_ahead_log(_app)
        return _app


def _share_huey_log() -> None:
    """The worker's jobs log (portal.*, INFO) where huey_consumer logs its own lines."""
    huey_log, portal_log = logging.getLogger("huey"), logging.getLogger("portal")
    if huey_log.handlers and not portal_log.handlers:
        for handler in huey_log.handlers:
            portal_log.addHandler(handler)
        portal_log.setLevel(logging.INFO)


_sqlite_lock = threading.Lock()


@contextmanager
def _one_at_a_time(app: Flask) -> Iterator[None]:
    """On SQLite, the worker's jobs run one at a time whatever the thread count: SQLite has one
    writer, and a transaction that read before it writes fails at once ("database is locked")
    when another committed meanwhile. PostgreSQL runs them side by side."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with _sqlite_lock:
            yield
    else:
        yield


def _write_ahead_log(app: Flask) -> None:
    """On a SQLite file, switch the database to write-ahead logging (it stays so): the web
    server and the worker's threads then read while one of them writes, instead of waiting
    for each other's read locks and timing out ("database is locked")."""
    from portal.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite" or db.engine.url.database in (None, "", ":memory:"):
            return
        raw = db.engine.raw_connection()  # outside SQLAlchemy's BEGIN: the pragma needs that
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
        finally:
            raw.close()


def in_app_context(func: F) -> F:
    """Run the job inside an app context: the caller's when there is one (immediate mode, a
    command), else the worker's, with the session removed afterwards."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        from portal.extensions import db

        app = worker_app()
        with app.app_context(), _one_at_a_time(app):
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return run  # type: ignore[return-value]
