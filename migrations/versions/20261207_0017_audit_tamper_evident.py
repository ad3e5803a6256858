"""audit log tamper-evident: TRUNCATE refused, triggers fire always, the chain keyed (HMAC)

The chain of the rows already written is recomputed with AUDIT_KEY (HMAC-SHA256 instead of
plain SHA-256), row by row, as long as the old chain holds: from the first row that does not,
the rows are left as they are, so `flask audit verify` still names that row afterwards (a
broken chain is never laundered into a valid one). Downgrade recomputes plain SHA-256 the same
way. The hashing is written out here, not imported, so this revision keeps its meaning.

On PostgreSQL a statement-level trigger refuses TRUNCATE (the row trigger of 0001 refuses
UPDATE and DELETE), and both are ENABLE ALWAYS: they fire even under
session_replication_role = replica. Only the tables' owner can disable them, which is why the
app connects as another role (flask audit grant-app-role). SQLite has no TRUNCATE and no
triggers here.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:00:00.000000

"""

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
log = logging.getLogger("alembic.runtime.migration")

audit_entry = sa.table(
    "audit_entry",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("record_type", sa.String()),
    sa.column("record_id", sa.Integer()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("address", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)

Hasher = Callable[[bytes], str]


def _payload(prev_hash: str, row) -> bytes:
    at = row.at.astimezone(UTC) if row.at.tzinfo else row.at
    values = [
        prev_hash,
        at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        row.actor_id,
        row.action,
        row.record_type,
        row.record_id,
        row.before,
        row.after,
        row.address,
    ]
    return json.dumps(
        values, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False
    ).encode()


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _keyed() -> Hasher:
    from flask import current_app

    key = current_app.config.get("AUDIT_KEY")
    if not key:
        raise RuntimeError("AUDIT_KEY is empty: the audit chain cannot be keyed")

    def mac(payload: bytes) -> str:
        return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()

    return mac


def _rechain(old: Callable[[], Hasher], new: Callable[[], Hasher], batch: int = 2000) -> None:
    """Recompute each row's link and hash with `new` while the chain under `old` holds."""
    bind = op.get_bind()
    if bind.execute(sa.select(audit_entry.c.id).limit(1)).first() is None:
        return  # nothing to rechain: no key needed
    old_hash, new_hash = old(), new()
    old_prev, new_prev, last_id = GENESIS, GENESIS, 0
    held = True
    while held:
        rows = bind.execute(
            sa.select(audit_entry)
            .where(audit_entry.c.id > last_id)
            .order_by(audit_entry.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        changes = []
        for row in rows:
            if row.prev_hash != old_prev or old_hash(_payload(row.prev_hash, row)) != row.hash:
                log.warning(
                    "audit_entry %s does not hold under the old chain: it and the rows after it "
                    "are left as they are, and `flask audit verify` will name it",
                    row.id,
                )
                held = False
                break
            digest = new_hash(_payload(new_prev, row))
            changes.append({"row_id": row.id, "new_prev": new_prev, "new_hash": digest})
            old_prev, new_prev, last_id = row.hash, digest, row.id
        if changes:
            bind.execute(
                audit_entry.update()
                .where(audit_entry.c.id == sa.bindparam("row_id"))
                .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash")),
                changes,
            )


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _is_postgresql():
        op.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
    _rechain(lambda: _sha256, _keyed)
    if _is_postgresql():
        op.execute("ALTER TABLE audit_entry ENABLE ALWAYS TRIGGER audit_entry_append_only")
        # audit_entry_refuse_change() (0001) raises for any TG_OP, TRUNCATE included.
        op.execute(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()"
        )
        op.execute("ALTER TABLE audit_entry ENABLE ALWAYS TRIGGER audit_entry_no_truncate")


def downgrade():
    if _is_postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
    _rechain(_keyed, lambda: _sha256)
    if _is_postgresql():
        op.execute("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only")
