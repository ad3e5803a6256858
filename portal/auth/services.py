"""Sign-in and password changes."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal import audit
from portal.auth import passwords, sessions
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.org.models import Person


def authenticate(email: str, password: str) -> Person | None:
    """The active person with this e-mail and password, else None (same effort either way)."""
    person = db.session.execute(
        select(Person).where(func.lower(Person.email) == email.strip().lower())
    ).scalar_one_or_none()
    ok = passwords.verify_password(person.password_hash if person else None, password)
    if person is None or not ok or not person.is_active:
        return None
    return person


def change_password(person: Person, current: str, new: str, *, now: datetime) -> None:
    """Change one's own password; every session of the person ends at once (the caller
    starts a fresh one, so a cookie copied before the change no longer works)."""
    if not passwords.verify_password(person.password_hash, current):
        raise ValidationFailed(
            field_errors={"current_password": [str(_l("That is not your password."))]}
        )
    problems = passwords.strength_problems(
        new, email=person.email, name=f"{person.name} {person.name_romanised or ''}"
    )
    if problems:
        raise ValidationFailed(field_errors={"new_password": problems})
    person.password_hash = passwords.hash_password(new)
    person.password_changed_at = now
    sessions.end_all_sessions(person, now=now, reason="password_changed")
    audit.record(person, "auth.password_change", "person", person.id)
    db.session.commit()
