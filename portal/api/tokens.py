"""Personal access tokens: issue, verify, revoke. Every create, refused use and revoke is
audited. Only the sha256 of a secret is stored; the secret is shown once, when issued.

A secret reads "pat_<8 hex>_<random>": its first 12 characters are the token's visible prefix.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from portal import audit
from portal.api.models import ApiToken
from portal.extensions import db
from portal.org.models import Person

# The areas a token can reach, each with a read and a write scope. The one list of scopes.
SCOPE_AREAS = ("people", "org", "contacts", "qa", "kpis", "goals", "coaching", "training")
SCOPES: tuple[str, ...] = tuple(
    f"{area}:{mode}" for area in SCOPE_AREAS for mode in ("read", "write")
)

DEFAULT_DAYS = 90
MAX_DAYS = 366
PREFIX = "pat_"
# A token's last use is written at most this often (not on every request), or on a new address.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be issued as asked (unknown scope, bad length, inactive person)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """Scopes from "a,b" or a list: known ones only (TokenError otherwise), sorted, unique."""
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = sorted({item.strip() for item in items if item and item.strip()})
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise TokenError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    if not scopes:
        raise TokenError("at least one scope is needed")
    return scopes


def issue(
    person: Person,
    name: str,
    scopes: str | list[str] | tuple[str, ...],
    days: int = DEFAULT_DAYS,
    *,
    now: datetime | None = None,
    by: Person | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `person` and its plain secret (shown once, never stored). Audited;
    the caller commits."""
    from portal.db import utcnow

    now = now or utcnow()
    if not isinstance(person, Person) or not person.is_active:
        raise TokenError("only an active person may hold a token")
    if not 1 <= int(days) <= MAX_DAYS:
        raise TokenError(f"days must be between 1 and {MAX_DAYS}")
    name = (name or "").strip()[:80] or "token"
    visible = PREFIX + secrets.token_hex(4)
    secret = f"{visible}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        person_id=person.id,
        name=name,
        prefix=visible,
        secret_hash=hash_secret(secret),
        scopes=" ".join(parse_scopes(scopes)),
        created_at=now,
        expires_at=now + timedelta(days=int(days)),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(by or person, "api_token.create", "api_token", token.id, after=token.snapshot())
    return token, secret


def revoke(by: Person, token: ApiToken, *, now: datetime | None = None) -> ApiToken:
    """Revoke a token (again: nothing changes). Audited; the caller commits."""
    from portal.db import utcnow

    if token.revoked_at is None:
        before = token.snapshot()
        token.revoked_at = now or utcnow()
        token.revoked_by_id = getattr(by, "id", None)
        db.session.flush()
        audit.record(by, "api_token.revoke", "api_token", token.id, before, token.snapshot())
    return token


def refuse(reason: str, token: ApiToken | None = None, **details: str) -> None:
    """Audit a refused use of the API (a bad, expired or revoked token, a missing scope)."""
    after = {"reason": reason, **details}
    if token is not None:
        after["prefix"] = token.prefix
    actor = token.person if token is not None else None
    audit.record(actor, "api_token.denied", "api_token", getattr(token, "id", None), after=after)


def lookup(secret: str | None) -> ApiToken | None:
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.execute(
        select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret))
    ).scalar_one_or_none()


def refusal(token: ApiToken | None, now: datetime) -> str | None:
    """Why this token may not be used now (None when it may)."""
    if token is None:
        return "unknown"
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    if not token.person.is_active:
        return "person_inactive"
    return None


def check(
    secret: str | None, now: datetime, address: str | None = None
) -> tuple[ApiToken | None, str | None, ApiToken | None]:
    """(usable token, None) or (None, why not, the token found if any); nothing audited.
    A use is remembered (last_used_at and address), at most once a minute per address."""
    token = lookup(secret)
    reason = refusal(token, now)
    if reason is not None:
        return None, reason, token
    assert token is not None
    stale = token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY
    if stale or token.last_used_address != address:
        token.last_used_at = now
        token.last_used_address = address
        db.session.flush()
    return token, None, token


def verify(secret: str | None, now: datetime, address: str | None = None) -> ApiToken | None:
    """The usable token for this secret, or None (the refusal audited; the caller commits)."""
    token, reason, found = check(secret, now, address)
    if reason is not None:
        refuse(reason, found)
    return token
