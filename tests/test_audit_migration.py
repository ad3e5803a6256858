"""Migration 0017 re-keys the audit chain written before it (plain SHA-256 -> HMAC with
AUDIT_KEY) while it holds, leaves a broken chain broken at the same row, and downgrades back."""

from __future__ import annotations

import hashlib
import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text, update

from portal import audit
from portal.audit import AuditEntry
from portal.extensions import db
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 - fixtures


def rows() -> list:
    return db.session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()


def plain_sha256(prev: str, row) -> str:
    """The chain before 0017, written out independently of the code under test."""
    payload = [
        prev,
        row.at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        row.actor_id,
        row.action,
        row.record_type,
        row.record_id,
        row.before,
        row.after,
        row.address,
    ]
    text_ = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False
    )
    return hashlib.sha256(text_.encode()).hexdigest()


def write_entries(count: int = 4) -> list[str]:
    for i in range(count):
        audit.record(None, "demo.load", "organisation", None, {"n": i}, {"n": i + 1, "é": "ü"})
    db.session.commit()
    hashes = [row.hash for row in rows()]
    db.session.remove()  # no open transaction may hold the table while migrating
    return hashes


def test_downgrade_unkeys_and_upgrade_rekeys_the_same_chain(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade()
        keyed = write_entries()
        downgrade(revision="0016")
        db.session.remove()
        before = rows()
        prev = audit.GENESIS
        for row in before:
            assert row.prev_hash == prev
            assert row.hash == plain_sha256(prev, row)
            prev = row.hash
        assert [row.hash for row in before] != keyed
        assert audit.verify_chain().first_bad_id == before[0].id  # not keyed any more
        db.session.remove()

        upgrade()
        db.session.remove()
        assert [row.hash for row in rows()] == keyed
        report = audit.verify_chain()
        assert report.ok and report.checked == 4


def test_upgrade_leaves_a_broken_chain_broken_at_the_same_row(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade()
        write_entries()
        downgrade(revision="0016")
        db.session.remove()
        target = rows()[2].id
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
            )
        table = AuditEntry.__table__
        db.session.execute(update(table).where(table.c.id == target).values(action="forged"))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only")
            )
        db.session.commit()

        upgrade()
        db.session.remove()
        report = audit.verify_chain()
        assert report.first_bad_id == target
        assert report.checked == 2


def test_postgresql_triggers_fire_always_after_upgrade_and_not_after_downgrade(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE, and no trigger on audit_entry")
        upgrade()

        def triggers() -> dict[str, str]:
            found = db.session.execute(
                text(
                    "SELECT tgname, tgenabled FROM pg_trigger "
                    "WHERE tgrelid = 'audit_entry'::regclass AND NOT tgisinternal"
                )
            ).all()
            db.session.commit()
            return dict(found)

        assert triggers() == {"audit_entry_append_only": "A", "audit_entry_no_truncate": "A"}
        downgrade(revision="0016")
        assert triggers() == {"audit_entry_append_only": "O"}
