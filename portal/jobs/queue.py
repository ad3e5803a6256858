"""The huey instance and the Flask app the jobs run in.

The instance is module-level (huey_consumer imports `portal.jobs.huey`), so its storage is
chosen from the environment when this module is first imported (`portal.config.huey_storage`):
SQLite in instance/huey.db by default, Redis when REDIS_URL is set, in-memory and immediate
(tasks run at once, in the caller) with HUEY_IMMEDIATE=1 (the tests set it). The web server
and the worker must therefore see the same environment.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

from portal.config import huey_storage

NAME = "portal"
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

            _app = create_app()
        return _app


def in_app_context(func: F) -> F:
    """Run the job inside an app context: the caller's when there is one (immediate mode, a
    command), else the worker's, with the session removed afterwards."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        from portal.extensions import db

        with worker_app().app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return run  # type: ignore[return-value]
