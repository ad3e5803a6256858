"""Importing contacts from a CSV file: streamed, checked row by row, inserted in batches.

The import is partial: every valid row lands, and every refused row (an error, or a duplicate of
a contact already there or earlier in the file) is reported by row and column. Each batch commits
its contacts together with the import's counters, so the counters always say exactly how many
rows landed, even when the import stops halfway. Importing the corrected file again is safe:
rows that landed the first time are skipped as duplicates.

`start_import` runs small files inline and hands large ones to the job queue
(`portal.jobs.tasks.import_contacts`, which calls `resume_import`); the page polls the import's
counters meanwhile. Every write of the counters checks and renews the import's stamp (its
`updated_at`), so a job that was superseded (a worker killed and the import re-queued by
`portal.jobs`) can never count a batch twice; a new job resumes after the rows already counted.
"""

from __future__ import annotations

import codecs
import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal import audit, policy
from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Market, Person, Segment
from portal.qa import contact_rows
from portal.qa.contact_insert import insert_contacts
from portal.qa.contact_rows import Agent, Reference, RowCheck
from portal.qa.import_notices import tell_finished
from portal.qa.models import ContactImport, ImportStatus

BATCH_SIZE = 1000
MAX_REPORTED = 1000  # problems kept for the page; the counters count them all
INLINE_ROWS = 5000  # files up to this many lines are imported during the upload request
_CHUNK = 1 << 16

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileCheck:
    rows: int = 0
    problem: str | None = None


def template_csv() -> str:
    """The header and two example rows, for the template download."""
    from portal.org.csv_safety import csv_text

    return csv_text(contact_rows.COLUMNS, contact_rows.EXAMPLE_ROWS)


def count_lines(path: str) -> int:
    """Lines in the file (a quick upper bound of its rows), read in chunks."""
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
    return lines


def check_file(path: str) -> FileCheck:
    """Read the whole file once, streamed: UTF-8, valid CSV and the right columns, or one
    message saying what is wrong (nothing is imported then)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return FileCheck(
                problem=_(
                    "The file is not UTF-8 text. In your spreadsheet choose "
                    "“Save as… CSV UTF-8” and upload it again."
                )
            )
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return FileCheck(problem=_("The file is empty."))
            problem = contact_rows.header_problem(_names(header))
            if problem:
                return FileCheck(problem=problem)
            rows = sum(1 for cells in reader if any(cell.strip() for cell in cells))
    except csv.Error as error:
        return FileCheck(problem=_("The file could not be read as CSV: %(e)s", e=str(error)))
    if not rows:
        return FileCheck(problem=_("The file has a header but no contacts."))
    return FileCheck(rows=rows)


def upload_path(import_id: int) -> Path:
    """Where the upload page saves the file of an import: under the instance folder
    (CONTACT_IMPORT_DIR, shared by the web server and the worker), never /tmp."""
    folder = Path(current_app.config["CONTACT_IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"contacts-{import_id}.upload.csv"


def job_path(import_id: int) -> Path:
    """Where the file of an import handed to the job queue waits until its job finishes."""
    return upload_path(import_id).with_name(f"contacts-{import_id}.csv")


def start_import(record: ContactImport, path: str | Path) -> bool:
    """Import the saved upload now when the file is small (True), else move it to its job
    path and hand it to the job queue (False); the file is deleted when the import is over
    either way. The record's counters show the progress."""
    if count_lines(str(path)) <= current_app.config.get("QA_IMPORT_INLINE_ROWS", INLINE_ROWS):
        try:
            run_import(record.id, str(path), record.imported_by_id)
        finally:
            Path(path).unlink(missing_ok=True)
        return True
    from portal.jobs.tasks import import_contacts

    Path(path).replace(job_path(record.id))
    import_contacts(record.id, _stamp_of(record.id))
    return False


def run_import(import_id: int, file_path: str, actor_id: int) -> None:
    """Import the file into the waiting ContactImport, as the person who uploaded it (inline:
    the caller keeps the file)."""
    stamp = _stamp_of(import_id)
    if stamp is not None:
        _run_claimed(import_id, stamp, file_path, actor_id)


def resume_import(import_id: int, stamp: datetime) -> str:
    """The job's body: claim the import if it still carries `stamp` (else another run owns it:
    "superseded"), then import the file from the first row not yet counted. Counters commit
    with each batch, so a run killed halfway resumes where the last batch landed and no row
    is counted twice. Deletes the file once the import is over."""
    record = db.session.get(ContactImport, import_id)
    if record is None or record.status != ImportStatus.RUNNING:
        return "finished"
    actor_id = record.imported_by_id
    db.session.commit()  # end the read: the claim is a transaction that starts by writing
    claimed = _claim(import_id, stamp)
    if claimed is None:
        return "superseded"
    path = job_path(import_id)
    if not path.exists():
        actor = db.session.get(Person, actor_id)
        with force_locale((actor.locale if actor else None) or "en"):
            _fail_missing_file(import_id, claimed, actor)
        return "failed"
    outcome = _run_claimed(import_id, claimed, str(path), actor_id)
    if outcome != "superseded":
        path.unlink(missing_ok=True)
    return outcome


def restamp(import_id: int, seen: datetime) -> datetime | None:
    """Give a running import a new stamp (for a new job) if it still carries `seen`; the new
    stamp, or None when the import moved on meanwhile. Any older job then stops at its next
    batch without writing it."""
    now = utcnow()
    result = db.session.execute(
        _TABLE.update()
        .where(
            _TABLE.c.id == import_id,
            _TABLE.c.status == ImportStatus.RUNNING,
            _TABLE.c.updated_at == seen,
        )
        .values(updated_at=now)
    )
    db.session.commit()
    return now if result.rowcount == 1 else None


def running_imports(stale_before: datetime | None = None) -> list[tuple[int, datetime]]:
    """(id, stamp) of the running imports, only those with no batch since `stale_before` when
    given."""
    stmt = select(ContactImport.id, ContactImport.updated_at).where(
        ContactImport.status == ImportStatus.RUNNING
    )
    if stale_before is not None:
        stmt = stmt.where(ContactImport.updated_at < stale_before)
    return [(i, stamp) for i, stamp in db.session.execute(stmt.order_by(ContactImport.id))]


class _Superseded(Exception):
    """Another run claimed the import: this one stops without writing its batch."""


_TABLE = ContactImport.__table__


def _stamp_of(import_id: int) -> datetime | None:
    return db.session.execute(
        select(ContactImport.updated_at).where(
            ContactImport.id == import_id, ContactImport.status == ImportStatus.RUNNING
        )
    ).scalar_one_or_none()


def _claim(import_id: int, stamp: datetime) -> datetime | None:
    return restamp(import_id, stamp)


def _run_claimed(import_id: int, stamp: datetime, path: str, actor_id: int) -> str:
    record = db.session.get(ContactImport, import_id)
    actor = db.session.get(Person, actor_id)
    if record is None or actor is None:
        return "finished"
    progress = _Progress(record, stamp)
    with force_locale(actor.locale or "en"):
        try:
            _run(progress, path, actor)
        except _Superseded:
            db.session.rollback()
            log.info("contact import %s: another run took it over", import_id)
            return "superseded"
        except Exception as error:  # a crash must still leave an honest record
            log.exception("contact import %s stopped", import_id)
            db.session.rollback()
            try:
                _stop(progress, actor, error)
            except _Superseded:
                db.session.rollback()
                return "superseded"
            return "failed"
    return progress.status


def _run(progress: _Progress, path: str, actor: Person) -> None:
    checked = check_file(path)
    if checked.problem:
        progress.finish(actor, ImportStatus.FAILED, checked.problem)
        return
    progress.save(total_rows=checked.rows)
    batch = _Batch(progress, actor)
    skip = progress.processed
    for check in _rows(path):
        if skip:  # counted by an earlier run of this import
            skip -= 1
            continue
        batch.rows.append(check)
        if len(batch.rows) >= current_app.config.get("QA_IMPORT_BATCH_SIZE", BATCH_SIZE):
            batch.flush()
    batch.flush()
    progress.finish(actor, ImportStatus.DONE)


class _Progress:
    """The import's counters, written only while the import still carries this run's stamp
    (updated_at): every write checks the stamp and sets a new one in one UPDATE, so two runs
    of one import can never both count a batch."""

    def __init__(self, record: ContactImport, stamp: datetime) -> None:
        self.id = record.id
        self.file_name = record.file_name
        self.stamp = stamp
        self.status = ImportStatus.RUNNING.value
        self.total_rows = record.total_rows
        self.imported_rows = record.imported_rows
        self.duplicate_rows = record.duplicate_rows
        self.error_rows = record.error_rows
        self.errors: list[dict[str, Any]] = list(record.errors or [])

    @property
    def processed(self) -> int:
        return self.imported_rows + self.duplicate_rows + self.error_rows

    def save(self, **values: Any) -> None:
        """Write the counters (and `values`) in a transaction of their own."""
        db.session.commit()  # end any read first (see _write)
        self._write(**values)
        db.session.commit()

    def save_batch(self) -> None:
        """Write the counters in the batch's transaction (begun by its inserts) and commit."""
        self._write()
        db.session.commit()

    def _write(self, **values: Any) -> None:
        """On SQLite every transaction that writes here begins with a write: one that read
        first fails at once ("database is locked") when another connection (the web server)
        committed meanwhile; one that begins by writing waits for its turn."""
        now = utcnow()
        for name, value in values.items():
            setattr(self, name, value)
        row = {
            "total_rows": self.total_rows,
            "imported_rows": self.imported_rows,
            "duplicate_rows": self.duplicate_rows,
            "error_rows": self.error_rows,
            "errors": list(self.errors),
            **values,
            "updated_at": now,
        }
        result = db.session.execute(
            _TABLE.update()
            .where(_TABLE.c.id == self.id, _TABLE.c.updated_at == self.stamp)
            .values(row)
        )
        if result.rowcount != 1:
            raise _Superseded
        self.stamp = now

    def finish(self, actor: Person, status: str, message: str | None = None) -> None:
        now = utcnow()
        db.session.commit()  # end any read first (see _write)
        self._write(status=status, message=message, finished_at=now)
        audit.record(
            actor,
            "contact.import",
            "contact_import",
            self.id,
            None,
            {
                "file_name": self.file_name,
                "status": status,
                "total_rows": self.total_rows,
                "imported_rows": self.imported_rows,
                "duplicate_rows": self.duplicate_rows,
                "error_rows": self.error_rows,
            },
        )
        # The uploader is told, in the same transaction (a superseded run never gets here).
        tell_finished(db.session.get(ContactImport, self.id, populate_existing=True))
        db.session.commit()
        db.session.expire_all()


def _stop(progress: _Progress, actor: Person, error: Exception) -> None:
    progress.finish(
        actor,
        ImportStatus.FAILED,
        _(
            "The import stopped after %(n)d rows landed (%(error)s). The rows counted as "
            "imported are in; import the file again to add the rest: rows already in are "
            "skipped.",
            n=progress.imported_rows,
            error=type(error).__name__,
        ),
    )


def _fail_missing_file(import_id: int, stamp: datetime, actor: Person | None) -> None:
    record = db.session.get(ContactImport, import_id)
    progress = _Progress(record, stamp)
    message = _(
        "The uploaded file was no longer on the server, so the import stopped after "
        "%(n)d rows landed. The rows counted as imported are in; import the file again to add "
        "the rest: rows already in are skipped.",
        n=progress.imported_rows,
    )
    if actor is None:
        progress.save(status=ImportStatus.FAILED, message=message, finished_at=utcnow())
    else:
        progress.finish(actor, ImportStatus.FAILED, message)


def _names(header: list[str]) -> list[str]:
    return [cell.strip().lower() for cell in header]


def _rows(path: str) -> Iterator[RowCheck]:
    """The file's non-empty rows, streamed, each with the line it starts on."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        names = _names(next(reader))
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            values = {name: cells[i].strip() for i, name in enumerate(names) if i < len(cells)}
            check = RowCheck(line, values)
            if any(cell.strip() for cell in cells[len(names) :]):
                check.error("", _("The row has more cells than the header has columns."))
            yield check


class _Batch:
    """Checks, de-duplicates and inserts up to a batch of rows at a time; commits each batch
    together with the import's counters."""

    def __init__(self, progress: _Progress, actor: Person) -> None:
        self.progress = progress
        self.rows: list[RowCheck] = []
        self.visible = policy.visible_person_ids(actor, policy.Area.QA)
        self.agents: dict[tuple[str, str], Agent | None] = {}
        self.seen: dict[tuple[str, str], int] = {}  # (source, external_id) -> first row
        self.reference = Reference(
            markets={c.lower(): i for i, c in db.session.execute(select(Market.id, Market.code))},
            segments={
                c.lower(): i for i, c in db.session.execute(select(Segment.id, Segment.code))
            },
        )

    def flush(self) -> None:
        if not self.rows:
            return
        self._load_agents()
        now = utcnow()
        candidates: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        for check in self.rows:
            values = contact_rows.check_row(check, self.reference, self.agents, now=now)
            if values is None:
                self._refuse(check.errors)
                continue
            key = (values["source"], values["external_id"])
            if key in self.seen:
                self._duplicate(check.row, _("Repeats row %(n)d of this file.", n=self.seen[key]))
                continue
            self.seen[key] = check.row
            values.update(created_at=now, import_batch_id=self.progress.id)
            candidates[key] = (check.row, values)
        db.session.commit()  # end the reads: the batch's transaction starts by writing
        if candidates:
            # The unique (source, external_id) index decides: rows already in the database are
            # not inserted and not returned, whoever put them there and however recently.
            inserted = insert_contacts([values for (_row, values) in candidates.values()])
            for key, (row, _values) in candidates.items():
                if key not in inserted:
                    self._duplicate(row, _("Already imported (same source and id)."))
            self.progress.imported_rows += len(inserted)
        self.progress.save_batch()  # the contacts and the counters land together, or neither
        self.rows = []

    def _refuse(self, errors: list[dict[str, Any]]) -> None:
        self.progress.error_rows += 1
        self._report([{**error, "kind": "error"} for error in errors])

    def _duplicate(self, row: int, message: str) -> None:
        self.progress.duplicate_rows += 1
        self._report(
            [{"row": row, "column": "external_id", "message": message, "kind": "duplicate"}]
        )

    def _report(self, entries: list[dict[str, Any]]) -> None:
        room = MAX_REPORTED - len(self.progress.errors)
        if room > 0:
            self.progress.errors.extend(entries[:room])

    def _load_agents(self) -> None:
        """One query for the agents this batch names that earlier batches did not."""
        wanted = {contact_rows.agent_key(c.values) for c in self.rows} - self.agents.keys()
        wanted.discard(None)
        if not wanted:
            return
        ids = [v for kind, v in wanted if kind == "employee_id"]  # type: ignore[misc]
        emails = [v for kind, v in wanted if kind == "email"]  # type: ignore[misc]
        stmt = select(
            Person.id, Person.employee_id, Person.email, Person.market_id, Person.segment_id
        ).where(
            Person.id.in_(self.visible),
            or_(Person.employee_id.in_(ids), func.lower(Person.email).in_(emails)),
        )
        self.agents.update(dict.fromkeys(wanted))  # type: ignore[arg-type]
        for person_id, employee_id, email, market_id, segment_id in db.session.execute(stmt):
            agent = Agent(person_id, market_id, segment_id)
            self.agents[("employee_id", employee_id)] = agent
            self.agents[("email", email.lower())] = agent
