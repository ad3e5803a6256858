"""Bearer-token authentication for /api/v1: `require_scope("people:read")` on every view.

Only `Authorization: Bearer <secret>` counts; the session cookie never does. No or a refused
token -> 401, a token without the scope -> 403; a refusal of a presented token is audited
(committed before the answer, which rolls everything else back). Then the token's rate limit
(API_RATE_LIMIT, per token id) -> 429; refused tokens are limited per address too
(API_REFUSED_LIMIT).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request
from limits import parse
from werkzeug.exceptions import TooManyRequests, Unauthorized

from portal.api import tokens
from portal.api.models import ApiToken
from portal.db import utcnow
from portal.extensions import db, limiter
from portal.org.models import Person

RATE_SCOPE = "api_v1_token"
REFUSED_SCOPE = "api_v1_refused"


class MissingScope(Exception):
    """Answered 403 (problem+json) by the API's error handler."""


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _refused_limit() -> tuple[object, object] | None:
    """The limit on refused tokens per address (API_REFUSED_LIMIT): guessing is slowed down
    and the audit log is not flooded (past it, refusals are answered 429, unaudited). A valid
    token is never held back by it."""
    strategy = limiter.limiter
    if strategy is None or not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    return strategy, parse(current_app.config.get("API_REFUSED_LIMIT", "30/minute"))


def _too_many(strategy, item, *key: str) -> TooManyRequests:
    stats = strategy.get_window_stats(item, *key)
    return TooManyRequests(retry_after=max(1, int(stats.reset_time - utcnow().timestamp())))


def authenticate() -> ApiToken:
    """The request's token (401 when there is none or it is refused)."""
    secret = bearer_secret()
    if secret is None:
        raise Unauthorized()
    address = request.remote_addr or "-"
    token, reason, found = tokens.check(secret, utcnow(), request.remote_addr)
    if token is not None:
        db.session.commit()  # the token's last use
        return token
    limit = _refused_limit()
    if limit is not None:
        strategy, item = limit
        if not strategy.hit(item, REFUSED_SCOPE, address):
            raise _too_many(strategy, item, REFUSED_SCOPE, address)
    tokens.refuse(reason or "unknown", found)
    db.session.commit()  # the refusal's audit entry (the error answer rolls back the rest)
    raise Unauthorized()


def rate_limit(token: ApiToken) -> None:
    item = parse(current_app.config.get("API_RATE_LIMIT", "600/minute"))
    strategy = limiter.limiter
    if strategy is None or not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    if not strategy.hit(item, RATE_SCOPE, str(token.id)):
        raise _too_many(strategy, item, RATE_SCOPE, str(token.id))


def require_scope(scope: str) -> Callable:
    """The view needs a valid bearer token holding `scope` (one of tokens.SCOPES)."""
    if scope not in tokens.SCOPES:
        raise ValueError(f"unknown scope {scope}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            token = authenticate()
            if scope not in token.scope_set:
                tokens.refuse("missing_scope", token, scope=scope)
                db.session.commit()
                raise MissingScope(scope)
            rate_limit(token)
            g.api_token = token
            return view(*args, **kwargs)

        return wrapper

    return decorate


def viewer() -> Person:
    """The person the request's token belongs to (whose reach every answer is limited to)."""
    return g.api_token.person
