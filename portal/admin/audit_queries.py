"""Searching the audit log: filters, keyset paging, and the changed fields of an entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select

from portal import policy
from portal.audit import AuditEntry
from portal.extensions import db
from portal.org.models import Person


@dataclass(frozen=True)
class AuditFilters:
    """What the HR admin searches for; empty values do not filter."""

    actor: str = ""
    action: str = ""
    record_type: str = ""
    record_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for paging links), empty ones left out."""
        args = {
            "actor": self.actor,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v not in (None, "")}


@dataclass(frozen=True)
class Change:
    key: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_email: str | None
    action: str
    record_type: str
    record_id: int | None
    address: str | None
    changes: list[Change] = field(default_factory=list)
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    next_cursor: int | None
    has_previous: bool


def changed_fields(before: Any, after: Any) -> list[Change]:
    """The keys whose value differs between before and after, sorted by key.

    A side that is not a mapping (or is missing) shows as a single "value" change."""
    if before is None and after is None:
        return []
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        return [Change(str(k), old.get(k), new.get(k)) for k in keys]
    return [] if before == after else [Change("value", before, after)]


def utc_bounds(
    date_from: date | None, date_to: date | None, time_zone: str
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC for whole days in the viewer's time zone (date_to included)."""
    zone = ZoneInfo(time_zone or "UTC")

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

    start = midnight(date_from) if date_from else None
    end = midnight(date_to + timedelta(days=1)) if date_to else None
    return start, end


def is_whole_action(value: str) -> bool:
    """True for one action ("evaluation.submit"); a group ("evaluation.") or "auth" is a prefix."""
    return "." in value and not value.endswith(".")


def logged_actions() -> list[str]:
    """Every action the log holds, for the action picker (one query over the action index)."""
    return list(db.session.execute(select(AuditEntry.action).distinct()).scalars())


def _filtered(stmt: Select, filters: AuditFilters, time_zone: str) -> Select:
    if filters.actor:
        needle = filters.actor.strip().lower()
        stmt = stmt.where(
            or_(
                func.lower(Person.name).contains(needle, autoescape=True),
                func.lower(Person.email).contains(needle, autoescape=True),
            )
        )
    if filters.action:
        action = filters.action.strip()
        if is_whole_action(action):
            stmt = stmt.where(AuditEntry.action == action)
        else:
            stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if filters.record_type:
        stmt = stmt.where(AuditEntry.record_type == filters.record_type.strip())
    if filters.record_id is not None:
        stmt = stmt.where(AuditEntry.record_id == filters.record_id)
    start, end = utc_bounds(filters.date_from, filters.date_to, time_zone)
    if start is not None:
        stmt = stmt.where(AuditEntry.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEntry.at < end)
    return stmt


def search_audit(
    viewer: Person, filters: AuditFilters, *, after: int | None = None, limit: int = 25
) -> AuditPage:
    """One page of audit entries, newest first, keyset-paged by id (one query per page)."""
    policy.require(viewer, "audit.view")
    stmt = select(AuditEntry, Person.name, Person.email).outerjoin(
        Person, Person.id == AuditEntry.actor_id
    )
    stmt = _filtered(stmt, filters, viewer.time_zone)
    if after is not None:
        stmt = stmt.where(AuditEntry.id < after)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)
    found = db.session.execute(stmt).all()
    rows = [
        AuditRow(
            id=entry.id,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=name,
            actor_email=email,
            action=entry.action,
            record_type=entry.record_type,
            record_id=entry.record_id,
            address=entry.address,
            changes=changed_fields(entry.before, entry.after),
            before=entry.before,
            after=entry.after,
        )
        for entry, name, email in found[:limit]
    ]
    next_cursor = rows[-1].id if len(found) > limit else None
    return AuditPage(rows=rows, next_cursor=next_cursor, has_previous=after is not None)
