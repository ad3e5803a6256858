"""The authorization matrix for /api/v1: each role calls with a bearer token of its own person
(every read scope), never a cookie. Rows and expectations are tests/authz.Row; "anonymous"
sends no token. Each (route, role) runs in a savepoint that is rolled back."""

from __future__ import annotations

from flask import Flask

from portal.api import tokens
from portal.extensions import db
from portal.org.models import Person
from tests.authz import ROLE_PERSON, ROLES, Mismatch, Row, frozen_ids
from tests.factories import World

TOKEN_SCOPES = [s for s in tokens.SCOPES if s.endswith(":read")]


def run_token_matrix(
    app: Flask, world: World, rows: dict[str, Row], extras: dict | None = None
) -> list[Mismatch]:
    mismatches: list[Mismatch] = []
    connection = db.engines[None]
    world = frozen_ids(world)  # type: ignore[assignment]
    for name, value in (extras or {}).items():
        setattr(world, name, value)
    for endpoint, row in rows.items():
        for role in ROLES:
            db.session.remove()
            savepoint = connection.begin_nested()
            try:
                headers = dict(row.headers)
                if role != "anonymous":
                    person = db.session.get(Person, getattr(world, ROLE_PERSON[role]).id)
                    _token, secret = tokens.issue(person, "matrix", TOKEN_SCOPES)
                    db.session.commit()
                    headers["Authorization"] = f"Bearer {secret}"
                client = app.test_client()
                data = row.data(world) if row.data else None
                response = client.open(
                    row.url(world), method=row.method, json=data, headers=headers
                )
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
