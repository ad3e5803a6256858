"""The audit log's hash chain: intact after appends, broken by any edit or deletion."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from portal import audit
from portal.audit import AuditEntry
from portal.extensions import db


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def allow_tampering() -> None:
    """Play the attacker with the tables' owner's rights: on PostgreSQL, switch off the
    append-only trigger for this (rolled-back) transaction (it is ENABLE ALWAYS, so
    session_replication_role = replica no longer does); SQLite has no trigger to switch off."""
    if is_postgresql():
        db.session.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only"))


def five_entries(world) -> list[AuditEntry]:
    entries = [
        audit.record(world.hr, "person.edit", "person", world.agent_a1.id, {"n": i}, {"n": i + 1})
        for i in range(5)
    ]
    db.session.commit()
    return entries


def verify_cli(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_the_chain_verifies_after_several_records(app, world):
    entries = five_entries(world)
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == len(entries)
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    result = verify_cli(app)
    assert result.exit_code == 0, result.output
    assert "5 rows verified" in result.output


def test_record_keeps_only_the_keys_that_changed(world):
    entry = audit.record(
        world.hr,
        "person.edit",
        "person",
        world.agent_a1.id,
        {"name": "Old", "market_id": 1, "team_id": 2},
        {"name": "New", "market_id": 1, "team_id": 3},
    )
    db.session.commit()
    assert entry.before == {"name": "Old", "team_id": 2}
    assert entry.after == {"name": "New", "team_id": 3}


def test_altering_a_rows_after_names_exactly_that_row(app, world):
    entries = five_entries(world)
    target = entries[2]
    allow_tampering()
    db.session.execute(
        update(AuditEntry.__table__)
        .where(AuditEntry.__table__.c.id == target.id)
        .values(after={"n": 999})
    )
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_id == target.id
    assert report.checked == 2
    assert "content" in report.reason

    result = verify_cli(app)
    assert result.exit_code == 1
    assert f"BROKEN at row {target.id}:" in result.output
    assert "action=person.edit" in result.output


def test_deleting_a_middle_row_is_detected_at_the_row_after_it(app, world):
    ids = [entry.id for entry in five_entries(world)]
    allow_tampering()
    db.session.execute(delete(AuditEntry.__table__).where(AuditEntry.__table__.c.id == ids[2]))
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_bad_id == ids[3]
    assert f"rows {ids[2]}..{ids[2]} are missing" in report.reason
    result = verify_cli(app)
    assert result.exit_code == 1
    assert f"BROKEN at row {ids[3]}:" in result.output


def test_deleting_the_first_row_is_detected(world):
    ids = [entry.id for entry in five_entries(world)]
    allow_tampering()
    db.session.execute(delete(AuditEntry.__table__).where(AuditEntry.__table__.c.id == ids[0]))
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_bad_id == ids[1]
    assert "rows before it are missing" in report.reason


def test_verify_walks_the_log_in_batches(world):
    entries = five_entries(world)
    assert audit.verify_chain(batch=2).checked == len(entries)
    allow_tampering()
    db.session.execute(
        update(AuditEntry.__table__)
        .where(AuditEntry.__table__.c.id == entries[4].id)
        .values(action="person.view")
    )
    db.session.commit()
    assert audit.verify_chain(batch=2).first_bad_id == entries[4].id


def test_verifying_leaves_the_callers_objects_usable(world):
    five_entries(world)
    audit.verify_chain(batch=2)
    # Nothing was detached from the session: the world's people still load their fields.
    assert world.agent_a1.email == "a1@world.example.com"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'forged' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
    ],
)
def test_postgresql_refuses_to_change_or_remove_audit_rows(world, statement):
    if not is_postgresql():
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    entry = five_entries(world)[1]
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement), {"id": entry.id})
    # The outer transaction survived, and the row is untouched.
    assert (
        db.session.execute(select(AuditEntry.action).where(AuditEntry.id == entry.id)).scalar_one()
        == "person.edit"
    )
    assert audit.verify_chain().ok


def rewrite_chain(entries: list[AuditEntry], key: bytes | None, start: int = 0) -> None:
    """Play an attacker who rewrites the chain from entries[start] on so that every link
    holds: keyed with `key`, or plain SHA-256 (the old, unkeyed chain) when key is None."""
    table = AuditEntry.__table__
    rows = db.session.execute(
        select(table).where(table.c.id >= entries[start].id).order_by(table.c.id)
    ).all()
    prev = entries[start].prev_hash
    for row in rows:
        payload = audit._canonical(
            [
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
        )
        digest = (
            hashlib.sha256(payload.encode()).hexdigest()
            if key is None
            else hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
        )
        db.session.execute(
            update(table).where(table.c.id == row.id).values(prev_hash=prev, hash=digest)
        )
        prev = digest
    db.session.commit()


def test_rewriting_the_chain_with_the_key_recomputes_to_the_same_hashes(world):
    """The attacker's rewrite above is exact: with the real key it changes nothing (so the
    tests below fail verify because of the key, not because of the rewrite)."""
    entries = five_entries(world)
    before = [entry.hash for entry in entries]
    allow_tampering()
    rewrite_chain(entries, audit.chain_key())
    table = AuditEntry.__table__
    after = db.session.execute(
        select(table.c.hash).where(table.c.id >= entries[0].id).order_by(table.c.id)
    ).scalars()
    assert list(after) == before
    assert audit.verify_chain().ok


@pytest.mark.parametrize("key", [None, b"another key"], ids=["unkeyed", "another-key"])
def test_a_chain_computed_without_the_key_fails_verify(app, world, key):
    entries = five_entries(world)
    allow_tampering()
    db.session.execute(
        update(AuditEntry.__table__)
        .where(AuditEntry.__table__.c.id == entries[0].id)
        .values(after={"n": 999})
    )
    rewrite_chain(entries, key)
    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_id == entries[0].id
    assert "hashed without the key" in report.reason
    result = verify_cli(app)
    assert result.exit_code == 1
    assert f"BROKEN at row {entries[0].id}:" in result.output


def test_verify_with_another_key_fails_at_the_first_row(world):
    entries = five_entries(world)
    assert audit.verify_chain(key=audit.chain_key()).ok
    report = audit.verify_chain(key=b"not the key")
    assert report.first_bad_id == entries[0].id


def test_the_chain_is_keyed_with_the_configured_audit_key(app, world, monkeypatch):
    entries = five_entries(world)
    monkeypatch.setitem(app.config, "AUDIT_KEY", "a key the rows were not written with")
    assert audit.verify_chain().first_bad_id == entries[0].id


def test_postgresql_refuses_truncate_even_to_the_owner_and_in_replica_mode(world):
    if not is_postgresql():
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is its nearest)")
    five_entries(world)
    for setup in ("", "SET LOCAL session_replication_role = replica"):
        with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
            with db.session.begin_nested():
                if setup:
                    db.session.execute(text(setup))
                db.session.execute(text("TRUNCATE audit_entry"))
    assert audit.verify_chain().checked == 5


def test_postgresql_refuses_update_in_replica_mode(world):
    if not is_postgresql():
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    entry = five_entries(world)[0]
    with pytest.raises(DBAPIError, match="append-only: UPDATE refused"):
        with db.session.begin_nested():
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
            db.session.execute(
                text("UPDATE audit_entry SET action = 'forged' WHERE id = :id"), {"id": entry.id}
            )
