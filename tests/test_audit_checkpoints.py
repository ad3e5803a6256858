"""Checkpoints of the audit chain's head outside the database: `flask audit checkpoint` writes
them, `flask audit verify` names a cut tail and a rewritten chain against them."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import delete, update

from portal import audit
from portal.audit import AuditEntry
from portal.extensions import db
from tests.test_audit import allow_tampering, five_entries, rewrite_chain


@pytest.fixture
def checkpoint_file(app, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "audit_checkpoints"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(path))
    return path


def rows(entries: list[AuditEntry]) -> list[Row]:
    """Id and hash of each entry, read before the test deletes some of them."""
    return [Row(entry.id, entry.hash) for entry in entries]


class Row(NamedTuple):
    id: int
    hash: str


def cli(app, command: str):
    return app.test_cli_runner().invoke(args=["audit", command])


def test_checkpoint_appends_the_heads_id_hash_and_time_and_prints_it(app, world, checkpoint_file):
    entries = five_entries(world)
    first = cli(app, "checkpoint")
    assert first.exit_code == 0, first.output
    line = first.output.strip()
    assert line.startswith(f"id={entries[-1].id} hash={entries[-1].hash} at=")
    assert checkpoint_file.read_text() == line + "\n"
    assert stat.S_IMODE(checkpoint_file.stat().st_mode) == 0o600

    audit.record(world.hr, "person.edit", "person", world.agent_a1.id, {"n": 9}, {"n": 10})
    db.session.commit()
    second = cli(app, "checkpoint")
    assert second.exit_code == 0, second.output
    lines = checkpoint_file.read_text().splitlines()
    assert lines == [line, second.output.strip()]
    assert lines[1] != lines[0]


def test_verify_passes_on_an_intact_chain_and_its_checkpoints(app, world, checkpoint_file):
    five_entries(world)
    assert cli(app, "checkpoint").exit_code == 0
    sixth = audit.record(world.hr, "person.edit", "person", world.agent_a1.id, {"n": 9}, {"n": 1})
    db.session.commit()
    assert cli(app, "checkpoint").exit_code == 0
    result = cli(app, "verify")
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 6 rows verified." in result.output
    assert "Checkpoints held: 2" in result.output
    assert f"the newest at entry {sixth.id} " in result.output


def test_verify_names_a_cut_tail_that_the_chain_alone_does_not_show(app, world, checkpoint_file):
    entries = rows(five_entries(world))
    assert cli(app, "checkpoint").exit_code == 0
    allow_tampering()
    table = AuditEntry.__table__
    db.session.execute(delete(table).where(table.c.id >= entries[3].id))
    db.session.commit()
    assert audit.verify_chain().ok  # a shorter log is still a valid chain
    result = cli(app, "verify")
    assert result.exit_code == 1
    assert "Audit chain intact: 3 rows verified." in result.output
    assert (
        f"the log ends at id {entries[2].id} but the checkpoint of " in result.output
        and f"says id {entries[4].id} with hash {entries[4].hash}: its tail was cut"
        in result.output
    )


def test_verify_names_a_log_emptied_altogether(app, world, checkpoint_file):
    entries = rows(five_entries(world))
    assert cli(app, "checkpoint").exit_code == 0
    allow_tampering()
    db.session.execute(delete(AuditEntry.__table__))
    db.session.commit()
    result = cli(app, "verify")
    assert result.exit_code == 1
    assert "the log ends at id 0 but the checkpoint of " in result.output
    assert f"says id {entries[4].id}" in result.output


def test_verify_names_a_rewritten_row_at_its_id(app, world, checkpoint_file):
    entries = five_entries(world)
    assert cli(app, "checkpoint").exit_code == 0
    allow_tampering()
    table = AuditEntry.__table__
    db.session.execute(update(table).where(table.c.id == entries[1].id).values(action="forged"))
    db.session.commit()
    result = cli(app, "verify")
    assert result.exit_code == 1
    assert f"BROKEN at row {entries[1].id}: its content does not match" in result.output


def test_verify_names_a_chain_rewritten_by_someone_holding_the_key(app, world, checkpoint_file):
    """An insider with the key recomputes every link after the edit: the chain holds, the
    checkpoint does not."""
    entries = five_entries(world)
    assert cli(app, "checkpoint").exit_code == 0
    allow_tampering()
    table = AuditEntry.__table__
    db.session.execute(update(table).where(table.c.id == entries[1].id).values(action="forged"))
    last = rows(entries)[4]
    rewrite_chain(entries, audit.chain_key(), start=1)
    assert audit.verify_chain().ok
    result = cli(app, "verify")
    assert result.exit_code == 1
    assert "Audit chain intact: 5 rows verified." in result.output
    assert f"entry {last.id}'s hash does not match the checkpoint of " in result.output
    assert f"the checkpoint {last.hash} (the chain was rewritten)" in result.output


def test_verify_names_a_missing_checkpointed_row_inside_the_log(app, world, checkpoint_file):
    entries = rows(five_entries(world))
    assert cli(app, "checkpoint").exit_code == 0
    audit.record(world.hr, "person.edit", "person", world.agent_a1.id, {"n": 9}, {"n": 10})
    db.session.commit()
    allow_tampering()
    table = AuditEntry.__table__
    db.session.execute(delete(table).where(table.c.id == entries[4].id))
    db.session.commit()
    result = cli(app, "verify")
    assert result.exit_code == 1
    assert f"entry {entries[4].id} is missing, but the checkpoint of " in result.output
    assert "BROKEN at row" in result.output


def test_checkpoint_refuses_to_write_when_the_log_does_not_hold(app, world, checkpoint_file):
    entries = rows(five_entries(world))
    assert cli(app, "checkpoint").exit_code == 0
    written = checkpoint_file.read_text()
    allow_tampering()
    table = AuditEntry.__table__
    db.session.execute(delete(table).where(table.c.id == entries[4].id))
    db.session.commit()
    result = cli(app, "checkpoint")
    assert result.exit_code == 1
    assert "its tail was cut" in result.output
    assert "No checkpoint written" in result.output
    assert checkpoint_file.read_text() == written


def test_checkpoint_checks_the_rows_written_since_the_newest_checkpoint(
    app, world, checkpoint_file
):
    five_entries(world)
    assert cli(app, "checkpoint").exit_code == 0
    later = audit.record(world.hr, "person.edit", "person", world.agent_a1.id, {"n": 9}, {"n": 1})
    db.session.commit()
    allow_tampering()
    table = AuditEntry.__table__
    db.session.execute(update(table).where(table.c.id == later.id).values(action="forged"))
    db.session.commit()
    result = cli(app, "checkpoint")
    assert result.exit_code == 1
    assert f"BROKEN at row {later.id}" in result.output
    assert len(checkpoint_file.read_text().splitlines()) == 1


def test_an_empty_log_writes_no_checkpoint(app, checkpoint_file):
    assert db.session.query(AuditEntry.id).first() is None
    result = cli(app, "checkpoint")
    assert result.exit_code == 0
    assert "nothing to checkpoint" in result.output
    assert not checkpoint_file.exists()


def test_an_unreadable_checkpoint_file_is_named_and_fails(app, world, checkpoint_file):
    five_entries(world)
    checkpoint_file.write_text("id=1 hash=zz at=yesterday\n")
    for command in ("verify", "checkpoint"):
        result = cli(app, command)
        assert result.exit_code == 1
        assert f"{checkpoint_file}, line 1: not a checkpoint" in result.output


def test_verify_says_when_no_tail_can_be_checked(app, world, checkpoint_file, monkeypatch):
    five_entries(world)
    result = cli(app, "verify")
    assert result.exit_code == 0
    assert f"No checkpoints in {checkpoint_file} yet" in result.output
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", "")
    result = cli(app, "verify")
    assert result.exit_code == 0
    assert "No checkpoint file configured" in result.output
    assert cli(app, "checkpoint").exit_code != 0
