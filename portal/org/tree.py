"""The reporting tree as a materialised path: placing, moving and cycle checks."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update

from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.org.models import Person

_CYCLE = _l("A person cannot report to themselves or to anyone who reports to them.")


def path_for(person_id: int, manager: Person | None) -> str:
    return (manager.path if manager else "/") + f"{person_id}/"


def place(person: Person, manager: Person | None) -> None:
    """Set a new person's manager and path (the person has an id already). Flushes."""
    person.manager_id = manager.id if manager else None
    person.path = path_for(person.id, manager)
    person.depth = person.path.count("/") - 2
    db.session.flush()


def would_create_cycle(person: Person, new_manager: Person | None) -> bool:
    """A person cannot report to themselves or to anyone below them."""
    return new_manager is not None and new_manager.path.startswith(person.path)


def move(person: Person, new_manager: Person | None) -> None:
    """Move a person and their whole subtree under new_manager, in one UPDATE. Flushes."""
    if would_create_cycle(person, new_manager):
        raise ValidationFailed(field_errors={"manager_id": [str(_CYCLE)]})
    old_prefix = person.path
    new_prefix = path_for(person.id, new_manager)
    depth_change = new_prefix.count("/") - old_prefix.count("/")
    person.manager_id = new_manager.id if new_manager else None
    db.session.flush()
    db.session.execute(
        update(Person)
        .where(Person.path.startswith(old_prefix, autoescape=True))
        .values(
            path=new_prefix + func.substr(Person.path, len(old_prefix) + 1),
            depth=Person.depth + depth_change,
            org_changed_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def child_segment(path: Any, prefix_length: Any) -> Any:
    """SQL: the path segment right after the first `prefix_length` characters of `path` (the
    length of a node's path, a number or a column): the id, as text, of the node's direct
    report under whom a person with this path falls ("" for the node itself). Paths are
    "/1/5/23/"."""
    rest = func.substr(path, prefix_length + 1)
    if db.session.get_bind().dialect.name == "postgresql":
        return func.split_part(rest, "/", 1)
    return func.substr(rest, 1, func.max(func.instr(rest, "/") - 1, 0))
