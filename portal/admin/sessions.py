"""HR's view of other people's sessions: list them, end one, end them all."""

from __future__ import annotations

from datetime import datetime

from portal import audit, policy
from portal.auth import sessions
from portal.auth.models import UserSession
from portal.extensions import db
from portal.org.models import Person


def person_for_session_admin(viewer: Person, person_id: int) -> Person:
    """The person whose sessions HR manages: 404 when out of reach, 403 when not HR."""
    person = policy.get_visible_or_404(Person, person_id, viewer)
    policy.require(viewer, "session.end_any", person)
    return person


def open_sessions_for(viewer: Person, person_id: int) -> tuple[Person, list[UserSession]]:
    """The person and their open sessions, most recently active first."""
    person = person_for_session_admin(viewer, person_id)
    return person, sessions.open_sessions_of(person)


def end_person_session(by: Person, person_id: int, session_id: int, *, now: datetime) -> None:
    """End one open session of the person (audited as auth.session_end)."""
    person = person_for_session_admin(by, person_id)
    sessions.end_session(by, person, session_id, now=now)


def end_person_sessions(by: Person, person_id: int, *, now: datetime) -> int:
    """End every open session of the person (an HR admin doing it to themselves keeps the
    current one); audited; returns how many ended."""
    person = person_for_session_admin(by, person_id)
    keep = getattr(by, "current_session_token", None) if by.id == person.id else None
    ended = sessions.end_all_sessions(person, now=now, reason="ended_by_hr", keep_token=keep)
    audit.record(by, "auth.session_end_all", "person", person.id, None, {"ended": ended})
    db.session.commit()
    return ended
