"""Races replayed on the authorization matrix's rows: every POST form that sends a version or a
double-submit token, posted by a role the matrix lets through, with another request's write
slipped in between our read and our write."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from werkzeug.test import TestResponse

import portal.db
from portal.db import Base
from portal.extensions import db
from portal.org.models import Person
from tests.authz import ROLE_PERSON, ROLES, Row, _token, frozen_ids
from tests.conftest import as_user

VERSION_FIELDS = ("version", "expected_version")
TOKEN_FIELDS = ("token", "request_token")


def versioned_models() -> list[type]:
    return [m.class_ for m in Base.registry.mappers if m.version_id_col is not None]


def token_models() -> list[type]:
    """Every model with a double-submit token column."""
    return [
        m.class_
        for m in Base.registry.mappers
        if any(c.key in TOKEN_FIELDS for c in m.local_table.columns)
    ]


def sends(row: Row, world, fields: tuple[str, ...]) -> bool:
    """The row posts one of `fields` (also as a prefixed "card-version")."""
    if row.method != "POST" or row.data is None:
        return False
    return any(name.rsplit("-", 1)[-1] in fields for name in row.data(world))


def acting_role(row: Row) -> str | None:
    """The first role the matrix lets through (2xx or 3xx)."""
    return next((r for r in ROLES if r != "anonymous" and 200 <= row.expect[r] < 400), None)


def allowed_roles(row: Row) -> list[str]:
    """The roles the matrix does not turn away (its data may still be refused: 409/422)."""
    return [r for r in ROLES if r != "anonymous" and row.expect[r] not in (302, 403, 404)]


def pages_above(url: str) -> list[str]:
    """Where a POST-only form is shown: its own URL, then the pages above it."""
    parts = url.rstrip("/").split("/")
    return ["/".join(parts[:n]) or "/" for n in range(len(parts), max(len(parts) - 3, 1), -1)]


def _edit_first(name: str) -> int:
    """Which text field to change: free text first (a code may have a pattern)."""
    preferred = ("notes", "body", "description", "name", "title", "label", "text")
    base = name.rsplit("-", 1)[-1]
    return preferred.index(base) if base in preferred else len(preferred)


def rendered_versioned_form(client, url: str) -> dict | None:
    """The versioned form that posts to `url` as a page renders it for an existing record (a
    positive version), with its first text field changed so that saving writes something."""
    for page_url in pages_above(url):
        answer = client.get(page_url)
        if answer.status_code != 200:
            continue
        for form in post_forms(answer.get_data(as_text=True), url, same_page=page_url == url):
            versions = [
                v for n, v in form["fields"].items() if n.rsplit("-", 1)[-1] in VERSION_FIELDS
            ]
            if versions and all(v.isdigit() and int(v) > 0 for v in versions):
                # Each session sends its own CSRF token (in the header), not this page's.
                data = {n: v for n, v in form["fields"].items() if not n.endswith("csrf_token")}
                if form["text"]:
                    name = min(form["text"], key=_edit_first)
                    data[name] = (data[name].strip() + " (raced)").strip()
                return data
    return None


@dataclass
class Replay:
    app: Flask
    world: object  # frozen ids, as the matrix passes them

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Each replay in its own savepoint, rolled back, like a matrix row."""
        connection = db.engines[None]
        db.session.remove()
        savepoint = connection.begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            savepoint.rollback()

    def client(self, role: str):
        client = self.app.test_client()
        as_user(client, db.session.get(Person, getattr(self.world, ROLE_PERSON[role]).id))
        db.session.commit()
        return client

    def post(self, client, role: str, row: Row, data: dict) -> TestResponse:
        headers = {"X-CSRFToken": _token(client, role), **row.headers}
        return client.open(row.url(self.world), method="POST", data=data, headers=headers)


def replay_for(app: Flask, world, extras: dict) -> Replay:
    frozen = frozen_ids(world)
    for name, value in extras.items():
        setattr(frozen, name, value)
    return Replay(app, frozen)


@contextmanager
def concurrent_save(models: list[type]) -> Iterator[list[str]]:
    """Another request saves the row between our read and our write: just before the ORM's
    `UPDATE ... WHERE id = :id AND version = :n`, a raw UPDATE on the same connection moves
    the version on, so the ORM's matches no row (StaleDataError), as in a true race."""
    fired: list[str] = []

    def bump(mapper, connection, target) -> None:
        if fired or not object_session(target).is_modified(target, include_collections=False):
            return  # already raced, or an object in the flush with nothing to write
        table = mapper.local_table
        version = mapper.version_id_col
        connection.execute(
            update(table).where(table.c.id == target.id).values({version: version + 1})
        )
        fired.append(mapper.class_.__name__)

    for model in models:
        event.listen(model, "before_update", bump)
    try:
        yield fired
    finally:
        for model in models:
            event.remove(model, "before_update", bump)


@contextmanager
def concurrent_claim() -> Iterator[list[str]]:
    """The same for a 1:1 meeting's counters, which are claimed by a compare-and-set UPDATE
    (`... WHERE notes_version = :n`) rather than by the ORM's version column: just before it,
    another request's claim moves every counter on."""
    from portal.coaching.models import OneOnOne

    table = OneOnOne.__table__
    fired: list[str] = []

    def bump(state) -> None:
        if fired or not state.is_update or getattr(state.statement.table, "name", "") != table.name:
            return
        fired.append("OneOnOne")
        state.session.connection().execute(
            update(table).values(
                version=table.c.version + 1, notes_version=table.c.notes_version + 1
            )
        )

    event.listen(Session, "do_orm_execute", bump)
    try:
        yield fired
    finally:
        event.remove(Session, "do_orm_execute", bump)


@contextmanager
def lookups_miss(monkeypatch) -> Iterator[list[int]]:
    """create_once's lookups miss (as a request's does when the other one has not committed
    yet) until its insert has collided; then they see the row, as after the other commit."""
    misses: list[int] = []
    real = portal.db.find_existing

    def racing(stmt):
        if isinstance(sys.exc_info()[1], IntegrityError):
            return real(stmt)
        misses.append(1)
        return None

    monkeypatch.setattr(portal.db, "find_existing", racing)
    yield misses
    monkeypatch.setattr(portal.db, "find_existing", real)


def row_counts(models: list[type]) -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def grown(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in before if after[k] != before[k]}


Check = Callable[[Replay, str, Row], str | None]


class _FormParser(HTMLParser):
    """The fields of the page's POST forms with the values they were rendered with."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": {}, "text": []}
            self.forms.append(self._form)
        if self._form is None or "name" not in a and tag != "option":
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            fields.setdefault(a["name"], a.get("value", "on" if kind == "checkbox" else ""))
            if kind == "text":
                self._form["text"].append(a["name"])
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""
            self._form["text"].insert(0, a["name"])
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in fields):
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def post_forms(page: str, url: str, *, same_page: bool) -> list[dict]:
    """The page's POST forms that send to `url` (without an action: on `url` itself)."""
    parser = _FormParser()
    parser.feed(page)
    return [f for f in parser.forms if f["action"] == url or (same_page and not f["action"])]
