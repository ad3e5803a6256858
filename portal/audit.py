"""The append-only audit log: record() is the one way to write it, verify_chain() checks it.

Each row carries an HMAC-SHA256, keyed with AUDIT_KEY (kept outside the database), over its own
content and the previous row's hash, so an edited or deleted row breaks the chain from that row
on, and whoever can write the database but lacks the key cannot recompute it. On PostgreSQL
triggers also refuse UPDATE, DELETE and TRUNCATE on the table (migrations 0001 and 0017), and
the app's own role has no right to do any of them (portal/audit_roles.py). A cut tail is found
by comparing with the checkpoints written outside the database (portal/audit_checkpoints.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import JSON, ForeignKey, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, IdMixin, UTCDateTime, utcnow
from portal.extensions import db

GENESIS = "0" * 64
# Any constant works; it serialises writers of the chain on PostgreSQL.
_PG_LOCK_KEY = 7_240_311


class AuditEntry(IdMixin, Base):
    __tablename__ = "audit_entry"
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def chain_key() -> bytes:
    """The chain's HMAC key: AUDIT_KEY from the app's configuration."""
    key = current_app.config.get("AUDIT_KEY")
    if not key:
        raise RuntimeError("AUDIT_KEY is empty: the audit chain cannot be keyed")
    return key.encode()


def compute_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    record_type: str,
    record_id: int | None,
    before: Any,
    after: Any,
    address: str | None,
    *,
    key: bytes,
) -> str:
    """The keyed hash (HMAC-SHA256) of one row's content chained to the previous row's hash."""
    payload = _canonical(
        [
            prev_hash,
            at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            actor_id,
            action,
            record_type,
            record_id,
            before,
            after,
            address,
        ]
    )
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def row_hash(row, key: bytes) -> str:
    """compute_hash of a row (or a new entry) read from its own fields."""
    return compute_hash(
        row.prev_hash,
        row.at,
        row.actor_id,
        row.action,
        row.record_type,
        row.record_id,
        row.before,
        row.after,
        row.address,
        key=key,
    )


def _changed_only(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    if not before or not after:
        return before, after
    keys = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    actor: Any,
    action: str,
    record_type: str,
    record_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one entry (who, when, what, before -> after). Flushes; the caller commits."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    prev = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    before, after = _changed_only(before, after)
    # Microsecond precision survives every database, so the hash can be recomputed exactly.
    at = utcnow()
    address = request.remote_addr if has_request_context() else None
    actor_id = getattr(actor, "id", None)
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        record_type=record_type,
        record_id=record_id,
        before=before,
        after=after,
        address=address,
        prev_hash=prev or GENESIS,
    )
    entry.hash = row_hash(entry, chain_key())
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None
    reason: str | None
    # The newest row checked (the head when the chain holds): id and hash.
    last_id: int | None = None
    last_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(
    batch: int = 5000, *, key: bytes | None = None, after: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the log in id order; name the first row whose hash or link does not hold.

    `after` = (id, hash) of a row already trusted (a matching checkpoint) starts the walk past
    it, so only the rows since are recomputed."""
    key = key or chain_key()
    columns = (
        AuditEntry.id,
        AuditEntry.prev_hash,
        AuditEntry.hash,
        AuditEntry.at,
        AuditEntry.actor_id,
        AuditEntry.action,
        AuditEntry.record_type,
        AuditEntry.record_id,
        AuditEntry.before,
        AuditEntry.after,
        AuditEntry.address,
    )
    last_id, prev = after or (0, GENESIS)
    start_id = last_id
    checked = 0
    while True:
        # Plain rows, not entities: a long walk fills no identity map and detaches nothing.
        rows = db.session.execute(
            select(*columns).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            head = (last_id, prev) if last_id else (None, None)
            return ChainReport(checked, None, None, *head)
        for row in rows:
            if row.prev_hash != prev:
                reason = "its link to the previous row does not hold"
                if last_id and row.id != last_id + 1:
                    reason += f" (rows {last_id + 1}..{row.id - 1} are missing)"
                elif not start_id and not checked and row.prev_hash != GENESIS:
                    reason += " (rows before it are missing)"
                return ChainReport(checked, row.id, reason, last_id or None, prev)
            expected = row_hash(row, key)
            if not hmac.compare_digest(expected, row.hash):
                return ChainReport(
                    checked,
                    row.id,
                    "its content does not match its hash (edited, or hashed without the key)",
                    last_id or None,
                    prev,
                )
            prev = row.hash
            checked += 1
            last_id = row.id
