"""Server-side sessions: start on sign-in, end on sign-out, password change or deactivation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal import audit, data_versions
from portal.auth import session_cache
from portal.auth.models import UserSession
from portal.errors import NotFound
from portal.extensions import db
from portal.org.models import Person

# Writing last_seen_at on every request would turn each page view into a write.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    person: Person, *, now: datetime, address: str | None, user_agent: str | None
) -> str:
    """Record a new session and return its secret token (kept only in the signed cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            person_id=person.id,
            created_at=now,
            last_seen_at=now,
            address=address,
            user_agent=(user_agent or "")[:255],
        )
    )
    audit.record(person, "auth.sign_in", "person", person.id)
    db.session.commit()
    return token


def person_for_token(
    token: str,
    *,
    now: datetime,
    idle: timedelta,
    absolute: timedelta,
    remember: bool = False,
) -> Person | None:
    """The signed-in person for a cookie's token, or None when the session is over.

    With `remember`, a lookup this process made under the same data versions less than a
    minute ago is taken from memory instead (portal/auth/session_cache.py says when)."""
    token_hash = _hash(token)
    stamp = _stamp() if remember else None
    if stamp is not None:
        person = _remembered(token_hash, stamp, now=now, absolute=absolute)
        if person is not None:
            person.current_session_token = token
            return person
    row = db.session.execute(
        select(UserSession, Person)
        .join(Person, Person.id == UserSession.person_id)
        .where(UserSession.token_hash == token_hash, UserSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user_session, person = row
    session_id = user_session.id  # read before a commit expires it
    reason = None
    if not person.is_active:
        reason = "deactivated"
    elif now - user_session.last_seen_at > idle:
        reason = "idle"
    elif now - user_session.created_at > absolute:
        reason = "expired"
    if reason:
        user_session.ended_at = now
        user_session.end_reason = reason
        db.session.commit()
        return None
    if now - user_session.last_seen_at > TOUCH_EVERY:
        user_session.last_seen_at = now
        db.session.commit()
    elif stamp is not None and idle > TOUCH_EVERY:  # read as found, under `stamp`: remember it
        session_cache.remembered_sessions.put(
            token_hash,
            session_cache.Remembered(
                stamp=stamp,
                session_id=session_id,
                created_at=user_session.created_at,
                last_seen_at=user_session.last_seen_at,
                person=session_cache.freeze(person),
            ),
        )
    person.current_session_token = token
    person.__dict__["_session_id"] = session_id
    return person


def _stamp() -> tuple:
    """The versions a remembered lookup must have been read under (read before the lookup:
    a write committed in between then labels newer data with older versions, never the
    reverse)."""
    versions = data_versions.read(db.session)
    return tuple(
        versions.get(area) for area in (data_versions.TOKEN, data_versions.ORG, data_versions.AUTH)
    )


def _remembered(
    token_hash: str, stamp: tuple, *, now: datetime, absolute: timedelta
) -> Person | None:
    found = session_cache.remembered_sessions.get(token_hash)
    if found is None or found.stamp != stamp:
        return None
    if now - found.last_seen_at > TOUCH_EVERY or now - found.created_at > absolute:
        return None  # the database decides: touch, idle or expired
    person = db.session.merge(session_cache.thaw(found.person), load=False)
    person.__dict__["_session_id"] = found.session_id
    return person


def end_session_by_token(token: str | None, *, now: datetime, reason: str) -> None:
    if not token:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_all_sessions(
    person: Person, *, now: datetime, reason: str, keep_token: str | None = None
) -> int:
    """End every open session of a person (optionally keeping the current one). Flushes."""
    stmt = update(UserSession).where(
        UserSession.person_id == person.id, UserSession.ended_at.is_(None)
    )
    if keep_token:
        stmt = stmt.where(UserSession.token_hash != _hash(keep_token))
    result = db.session.execute(stmt.values(ended_at=now, end_reason=reason))
    return result.rowcount or 0


def sign_out(person: Person, token: str | None, *, now: datetime) -> None:
    end_session_by_token(token, now=now, reason="signed_out")
    audit.record(person, "auth.sign_out", "person", person.id)
    db.session.commit()


def open_sessions_of(person: Person) -> list[UserSession]:
    return list(
        db.session.execute(
            select(UserSession)
            .where(UserSession.person_id == person.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.last_seen_at.desc())
        ).scalars()
    )


def end_session(by: Person, owner: Person, session_id: int, *, now: datetime) -> None:
    """End one session of `owner` (the caller checked that `by` may)."""
    user_session = db.session.execute(
        select(UserSession).where(
            UserSession.id == session_id,
            UserSession.person_id == owner.id,
            UserSession.ended_at.is_(None),
        )
    ).scalar_one_or_none()
    if user_session is None:
        raise NotFound()
    user_session.ended_at = now
    user_session.end_reason = "ended_by_owner" if by.id == owner.id else "ended_by_hr"
    audit.record(
        by, "auth.session_end", "user_session", user_session.id, None, {"person": owner.id}
    )
    db.session.commit()
