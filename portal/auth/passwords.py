"""Password hashing (argon2) and the strength rules for a new password."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

_STRONG = PasswordHasher()
# Tests hash hundreds of passwords; the cheap parameters keep the suite fast.
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# A hash to verify against when the account does not exist, so timing reveals nothing.
_DUMMY_HASH = _STRONG.hash("not-a-real-password")

MIN_LENGTH = 10
COMMON = frozenset(
    {"password123", "1234567890", "qwertyuiop", "passw0rd12", "letmein123", "welcome123"}
)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _FAST
    return _STRONG


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same effort when there is no hash."""
    try:
        return _hasher().verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def strength_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password, as messages for the person; empty when it is fine."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_LENGTH)))
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 3:
        problems.append(
            str(_l("Mix at least three of: lower-case, upper-case, digits and symbols."))
        )
    lowered = password.lower()
    if lowered in COMMON:
        problems.append(str(_l("That password is too common.")))
    local = email.split("@")[0].lower()
    if local and len(local) >= 3 and local in lowered:
        problems.append(str(_l("Do not use your e-mail address in the password.")))
    if name and any(part.lower() in lowered for part in name.split() if len(part) >= 3):
        problems.append(str(_l("Do not use your name in the password.")))
    return problems
