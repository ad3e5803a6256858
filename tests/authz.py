"""The authorization matrix engine: every route x every role -> expected status.

tests/test_authorization_matrix.py holds the table; this module runs it. Each (route, role) runs
inside a savepoint that is rolled back, so a POST by one role never changes what the next sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import Flask, Response

from portal.extensions import db
from portal.org.models import Person
from tests.conftest import as_user, csrf_token_from
from tests.factories import World

ROLES = (
    "anonymous",
    "self",  # the person the record is about (agent A1)
    "peer_agent",  # another agent in the same team (agent A2)
    "record_supervisor",  # A1's supervisor
    "other_supervisor",  # a supervisor in another team under the same manager
    "manager_above",  # the manager of A1's supervisor
    "qa_analyst",  # QA analyst granted A1's team
    "trainer",  # trainer granted another market (JP)
    "hr_admin",
)

ROLE_PERSON = {
    "self": "agent_a1",
    "peer_agent": "agent_a2",
    "record_supervisor": "sup_a",
    "other_supervisor": "sup_b",
    "manager_above": "manager_hk",
    "qa_analyst": "qa",
    "trainer": "trainer",
    "hr_admin": "hr",
}

# Text found only in records about agent A1: it must never appear in a denied role's answer.
MARKER = "MK-A1"


@dataclass
class Row:
    method: str
    url: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict] | None = None
    # Roles whose answer must not contain MARKER (defaults to every role answered 403/404/302).
    hidden_from: tuple[str, ...] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The text those roles must not see: A1's marker, or a row's own (e.g. one carried only by
    # a calibration reason, which A1 must not see on their own review).
    marker: str = MARKER

    def roles_hiding_marker(self) -> tuple[str, ...]:
        if self.hidden_from is not None:
            return self.hidden_from
        # A1's own name is on every page A1 sees (the user menu), so "self" never counts.
        return tuple(
            r for r, status in self.expect.items() if status in (302, 403, 404) and r != "self"
        )


def route_key(name: str) -> str:
    """A row's route ("endpoint METHOD"): its key without a " #case" suffix, so one route can
    have several rows (e.g. one per record it acts on)."""
    return name.split(" #", 1)[0]


def expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """Expected statuses: `default` for every signed-in role unless overridden by name."""
    table = {role: default for role in ROLES}
    table["anonymous"] = anonymous
    for role, status in overrides.items():
        assert role in table, f"unknown role {role}"
        table[role] = status
    return table


@dataclass(frozen=True)
class Mismatch:
    endpoint: str
    role: str
    expected: int
    got: int
    leaked: bool = False

    def __str__(self) -> str:
        leak = " and LEAKED the marker" if self.leaked else ""
        return f"{self.endpoint} as {self.role}: expected {self.expected}, got {self.got}{leak}"


def _token(client, role: str) -> str:
    path = "/auth/login" if role == "anonymous" else "/auth/sessions"
    return csrf_token_from(client.get(path).get_data(as_text=True))


def frozen_ids(world: World) -> SimpleNamespace:
    """Plain copies of the world's ids (ORM objects expire between the matrix's savepoints)."""
    values = {}
    for name, record in vars(world).items():
        values[name] = SimpleNamespace(
            id=record.id, email=getattr(record, "email", None), name=getattr(record, "name", None)
        )
    return SimpleNamespace(**values)


def send_signed_in(app: Flask, role: str, person: Person | None, row: Row, world) -> Response:
    """The pages' way: a session cookie, and a CSRF token for anything but GET."""
    client = app.test_client()
    if person is not None:
        as_user(client, person)
    url = row.url(world)
    if row.method == "GET":
        return client.get(url, headers=row.headers)
    headers = {"X-CSRFToken": _token(client, role), **row.headers}
    data = row.data(world) if row.data else {}
    return client.open(url, method=row.method, data=data, headers=headers)


def run_matrix(
    app: Flask,
    world: World,
    rows: dict[str, Row],
    extras: dict | None = None,
    send: Callable[..., Response] = send_signed_in,
) -> list[Mismatch]:
    """Run every row for every role; rows are keyed "endpoint METHOD" (or "endpoint METHOD
    #case" for a further row of the same route). `send(app, role, person or None, row, world)`
    makes the request (signed in with a session by default; the API's matrix sends a token)."""
    mismatches: list[Mismatch] = []
    connection = db.engines[None]
    world = frozen_ids(world)  # type: ignore[assignment]
    for name, value in (extras or {}).items():
        setattr(world, name, value)
    for endpoint, row in rows.items():
        for role in ROLES:
            db.session.remove()  # its open savepoint must not enclose the matrix's one
            savepoint = connection.begin_nested()
            try:
                person = None
                if role != "anonymous":
                    person = db.session.get(Person, getattr(world, ROLE_PERSON[role]).id)
                response = send(app, role, person, row, world)
                # PDFs and other binary answers are searched for the marker as text too.
                body = response.get_data().decode("utf-8", "replace")
                leaked = role in row.roles_hiding_marker() and row.marker in body
                if response.status_code != row.expect[role] or leaked:
                    mismatches.append(
                        Mismatch(endpoint, role, row.expect[role], response.status_code, leaked)
                    )
            finally:
                db.session.remove()
                savepoint.rollback()
    return mismatches
