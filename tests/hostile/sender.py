"""Sending one hostile request as one role, inside a savepoint rolled back afterwards, and
noting every 5xx or exception as a Failure."""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO

from flask import Flask
from flask.testing import EnvironBuilder
from werkzeug.datastructures import MultiDict

from portal.extensions import db, limiter
from tests.conftest import as_user, csrf_token_from

TRACE = open(os.environ["HOSTILE_TRACE"], "w") if os.environ.get("HOSTILE_TRACE") else None


def show(value: object) -> str:
    """A value short enough for a report line."""
    text = repr(value)
    if len(text) <= 70:
        return text
    size = len(value) if isinstance(value, str | bytes) else len(text)
    return f"{text[:45]}...<{size} chars>"


@dataclass(frozen=True)
class Failure:
    route: str  # "endpoint METHOD path"
    role: str
    param: str
    value: str
    status: int | None  # None: the exception came out of the test client
    error: str = ""  # the exception's first line
    where: str = ""  # the innermost frame in portal/

    def __str__(self) -> str:
        status = self.status if self.status is not None else "raised"
        text = f"{self.route} as {self.role}: {self.param}={self.value} -> {status}"
        if self.error:
            text += f"  [{self.error} at {self.where}]"
        return text

    @property
    def cause(self) -> tuple[str, str, str]:
        """What makes two failures the same bug: the route, the raising line, the error kind."""
        return (self.route.split(" ")[0], self.where, re.sub(r"[0-9]+", "N", self.error[:70]))


class _LastError(logging.Handler):
    """Keeps the exception the app's catch-all handler logs before it answers 500."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.error: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.error = record.exc_info[1]


@contextmanager
def capturing_errors(app: Flask) -> Iterator[_LastError]:
    """The app's logger reports only to the returned handler inside the block."""
    handler = _LastError()
    saved = app.logger.handlers[:], app.logger.propagate
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False
    try:
        yield handler
    finally:
        app.logger.handlers[:], app.logger.propagate = saved


def _describe(error: BaseException) -> tuple[str, str]:
    first = (str(error).strip().splitlines() or [""])[0][:160]
    line = f"{type(error).__name__}: {first}"
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if "/portal/" in frame.filename:
            where = f"{frame.filename.split('/portal/')[-1]}:{frame.lineno} {frame.name}"
    return line, where


@dataclass
class Sender:
    app: Flask
    count: int = 0
    failures: list[Failure] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    dry: bool = False  # count the requests, send none (to size the campaign)

    def __post_init__(self) -> None:
        self.client = self.app.test_client(use_cookies=False)
        self.connection = db.engines[None]
        self.errors = _LastError()  # replaced by capturing_errors' handler while it runs

    def sign_in(self, role: str, person) -> None:
        """One session per role for the whole run; its cookie is sent with every request, so a
        request that signs out or changes the session does not change the next one."""
        client = self.app.test_client()
        as_user(client, person)
        page = client.get("/auth/sessions")
        self.tokens[role] = csrf_token_from(page.get_data(as_text=True))
        cookie = client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        self.cookies[role] = f"{cookie.key}={cookie.value}"

    def send(
        self,
        role: str,
        method: str,
        path: str,
        *,
        route: str,
        param: str,
        value: object,
        query: list[tuple[str, str]] | None = None,
        form: list[tuple[str, object]] | None = None,
        json: object = None,
        headers: dict[str, str] | None = None,
    ):
        """The response, or None when the request raised (noted as a failure)."""
        sent = {"Cookie": self.cookies[role]}
        if method != "GET":
            sent["X-CSRFToken"] = self.tokens[role]
        sent.update(headers or {})
        data = None
        if form is not None:
            data = MultiDict(
                [(k, (BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v) for k, v in form]
            )
        self.count += 1
        if self.dry:
            return None
        if TRACE:
            TRACE.write(
                f"{time.monotonic():.2f} {self.count} {role} {method} {path[:80]} {param[:30]}\n"
            )
            TRACE.flush()
        limiter.reset()
        db.session.remove()
        try:
            builder = EnvironBuilder(
                self.app,
                path,
                method=method,
                query_string=query or None,
                data=data,
                json=json,
                headers=sent,
            )
        except ValueError:
            # The test client cannot build this request (a path argument that decodes to "?"
            # next to a query string); no browser sends it either, and the app never sees it.
            self.count -= 1
            return None
        try:
            environ = builder.get_environ()
        except ValueError:
            self.count -= 1  # as above: the test client cannot build it
            return None
        finally:
            builder.close()
        self.errors.error = None
        savepoint = self.connection.begin_nested()
        try:
            response = self.client.open(environ)
        except Exception as error:  # noqa: BLE001 - every exception is a finding
            if isinstance(error, ValueError) and "defined in the path and as an argument" in str(
                error
            ):
                self.count -= 1  # the test client's own refusal, before the app runs
                return None
            line, where = _describe(error)
            self.failures.append(Failure(route, role, param, show(value), None, line, where))
            return None
        finally:
            environ["wsgi.input"].close()  # a large body is spooled to a temporary file
            db.session.remove()
            savepoint.rollback()
            # ROLLBACK TO keeps the savepoint open: without a RELEASE every request would nest
            # one level deeper, and PostgreSQL runs out of lock space after some thousands.
            self.connection.exec_driver_sql(f"RELEASE SAVEPOINT {savepoint._savepoint}")
        if response.status_code >= 500:
            line, where = _describe(self.errors.error) if self.errors.error else ("", "")
            self.failures.append(
                Failure(route, role, param, show(value), response.status_code, line, where)
            )
        return response
