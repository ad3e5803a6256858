"""Helpers for the API's tests: tokens and bearer requests."""

from __future__ import annotations

import pytest

from portal.api import tokens
from portal.extensions import db

ALL_READ = ("people:read", "org:read")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_token(person, scopes=ALL_READ, days: int = 90, name: str = "test") -> str:
    """A new token's secret (committed: the API's requests run in their own contexts)."""
    _token, secret = tokens.issue(person, name, list(scopes), days)
    db.session.commit()
    return secret


@pytest.fixture
def api_get(client):
    """GET an /api/v1 path with a bearer secret: api_get(path, secret, **query)."""

    def get(path: str, secret: str | None, **query):
        headers = bearer(secret) if secret else {}
        return client.get(path, headers=headers, query_string=query)

    return get
