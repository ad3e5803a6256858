"""The authorization matrix for /api/v1: each role calls with a bearer token of its own person
(every read scope), never a cookie. Rows and expectations are tests/authz.Row; "anonymous"
sends no token. tests/authz.run_matrix runs each (route, role) in a savepoint rolled back."""

from __future__ import annotations

from flask import Flask, Response

from portal.api import tokens
from portal.extensions import db
from portal.org.models import Person
from tests.authz import Mismatch, Row, run_matrix
from tests.factories import World

TOKEN_SCOPES = [s for s in tokens.SCOPES if s.endswith(":read")]


def send_with_token(app: Flask, role: str, person: Person | None, row: Row, world) -> Response:
    headers = dict(row.headers)
    if person is not None:
        _token, secret = tokens.issue(person, "matrix", TOKEN_SCOPES)
        db.session.commit()
        headers["Authorization"] = f"Bearer {secret}"
    data = row.data(world) if row.data else None
    return app.test_client().open(row.url(world), method=row.method, json=data, headers=headers)


def run_token_matrix(
    app: Flask, world: World, rows: dict[str, Row], extras: dict | None = None
) -> list[Mismatch]:
    return run_matrix(app, world, rows, extras, send=send_with_token)
