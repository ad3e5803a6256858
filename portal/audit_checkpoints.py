"""Checkpoints of the audit chain's head, written outside the database.

The keyed chain shows an edited or removed row, but not rows cut from the end: the shorter log
is still a valid chain. `flask audit checkpoint` appends the newest entry's id and hash, and the
time, to a file (AUDIT_CHECKPOINT_FILE, default instance/audit_checkpoints; ship it somewhere
the database's administrators cannot write); compare() names every checkpoint the log no longer
holds: a cut tail, a missing row, a rewritten chain.

One line per checkpoint: ``id=<entry id> hash=<hex> at=<ISO time, UTC>``.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db

_LINE = re.compile(r"id=(\d+) hash=([0-9a-f]{64}) at=(\S+)")
_BATCH = 1000


class CheckpointFileError(Exception):
    """The checkpoint file holds a line that is not a checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    hash: str
    at: datetime

    def line(self) -> str:
        return f"id={self.entry_id} hash={self.hash} at={self.at.isoformat()}"


def configured_path() -> Path | None:
    """The checkpoint file from AUDIT_CHECKPOINT_FILE; None when it is set empty."""
    value = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    return Path(value) if value else None


def read(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, in the order written; none when it does not exist."""
    if not path.exists():
        return []
    checkpoints = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        match = _LINE.fullmatch(text.strip())
        try:
            if match is None:
                raise ValueError(text)
            checkpoints.append(
                Checkpoint(int(match[1]), match[2], datetime.fromisoformat(match[3]))
            )
        except ValueError as error:
            raise CheckpointFileError(f"{path}, line {number}: not a checkpoint") from error
    return checkpoints


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and flush it to disk (the file is created mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as file:
        file.write(checkpoint.line() + "\n")
        file.flush()
        os.fsync(file.fileno())


def head(now: datetime | None = None) -> Checkpoint | None:
    """The newest entry as a checkpoint; None when the log is empty."""
    row = db.session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return None if row is None else Checkpoint(row.id, row.hash, now or utcnow())


def compare(checkpoints: Iterable[Checkpoint]) -> list[str]:
    """One sentence per checkpoint that the log no longer matches; empty when all hold."""
    checkpoints = list(checkpoints)
    if not checkpoints:
        return []
    last_id = db.session.execute(select(func.max(AuditEntry.id))).scalar_one()
    wanted = sorted({c.entry_id for c in checkpoints})
    stored: dict[int, str] = {}
    for start in range(0, len(wanted), _BATCH):
        ids = wanted[start : start + _BATCH]
        stored.update(
            db.session.execute(
                select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.id.in_(ids))
            ).all()
        )
    problems = []
    for checkpoint in checkpoints:
        written = checkpoint.at.isoformat()
        found = stored.get(checkpoint.entry_id)
        if found is None and (last_id is None or checkpoint.entry_id > last_id):
            problems.append(
                f"the log ends at id {last_id or 0} but the checkpoint of {written} says "
                f"id {checkpoint.entry_id} with hash {checkpoint.hash}: its tail was cut"
            )
        elif found is None:
            problems.append(
                f"entry {checkpoint.entry_id} is missing, but the checkpoint of {written} "
                f"recorded it with hash {checkpoint.hash}"
            )
        elif not hmac.compare_digest(found, checkpoint.hash):
            problems.append(
                f"entry {checkpoint.entry_id}'s hash does not match the checkpoint of "
                f"{written}: the log holds {found}, the checkpoint {checkpoint.hash} "
                "(the chain was rewritten)"
            )
    return problems
