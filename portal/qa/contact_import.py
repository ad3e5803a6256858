"""Importing contacts from a CSV file: streamed, checked row by row, inserted in batches.

The import is partial: every valid row lands, and every refused row (an error, or a duplicate of
a contact already there or earlier in the file) is reported by row and column. Each batch commits
its contacts together with the import's counters, so the counters always say exactly how many
rows landed, even when the import stops halfway. Importing the corrected file again is safe:
rows that landed the first time are skipped as duplicates.

`run_import` does the work and is called inline (tests, small files) or in a background thread
with its own app context (`start_import`); the page polls the import's counters meanwhile.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
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


def start_import(app: Flask, record: ContactImport, path: str, actor: Person) -> None:
    """Run the import now when the file is small, else in a background thread; deletes the
    file when done. The record's counters show the progress either way."""
    if count_lines(path) <= app.config.get("QA_IMPORT_INLINE_ROWS", INLINE_ROWS):
        try:
            run_import(record.id, path, actor.id)
        finally:
            os.unlink(path)
        return
    thread = threading.Thread(
        target=_run_in_thread,
        args=(app, record.id, path, actor.id),
        name=f"contact-import-{record.id}",
        daemon=True,
    )
    thread.start()


def _run_in_thread(app: Flask, import_id: int, path: str, actor_id: int) -> None:
    with app.app_context():
        try:
            run_import(import_id, path, actor_id)
        finally:
            db.session.remove()
            os.unlink(path)


def run_import(import_id: int, file_path: str, actor_id: int) -> None:
    """Import the file into the waiting ContactImport, as the person who uploaded it."""
    record = db.session.get(ContactImport, import_id)
    actor = db.session.get(Person, actor_id)
    if record is None or actor is None or record.status != ImportStatus.RUNNING:
        return
    with force_locale(actor.locale or "en"):
        try:
            _run(record, file_path, actor)
        except Exception as error:  # a crash must still leave an honest record
            log.exception("contact import %s stopped", import_id)
            db.session.rollback()
            _stop(import_id, actor, error)


def _run(record: ContactImport, path: str, actor: Person) -> None:
    checked = check_file(path)
    if checked.problem:
        record.status, record.message = ImportStatus.FAILED, checked.problem
        _finish(record, actor)
        return
    record.total_rows = checked.rows
    db.session.commit()
    batch = _Batch(record, actor)
    for check in _rows(path):
        batch.rows.append(check)
        if len(batch.rows) >= BATCH_SIZE:
            batch.flush()
    batch.flush()
    record.status = ImportStatus.DONE
    _finish(record, actor)


def _finish(record: ContactImport, actor: Person) -> None:
    record.finished_at = utcnow()
    audit.record(
        actor,
        "contact.import",
        "contact_import",
        record.id,
        None,
        {
            "file_name": record.file_name,
            "status": record.status,
            "total_rows": record.total_rows,
            "imported_rows": record.imported_rows,
            "duplicate_rows": record.duplicate_rows,
            "error_rows": record.error_rows,
        },
    )
    tell_finished(record)
    db.session.commit()


def _stop(import_id: int, actor: Person, error: Exception) -> None:
    record = db.session.get(ContactImport, import_id)
    if record is None:
        return
    record.status = ImportStatus.FAILED
    record.message = _(
        "The import stopped after %(n)d rows landed (%(error)s). The rows counted as imported "
        "are in; import the file again to add the rest: rows already in are skipped.",
        n=record.imported_rows,
        error=type(error).__name__,
    )
    _finish(record, actor)


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
    """Checks, de-duplicates and inserts up to BATCH_SIZE rows at a time; commits each batch."""

    def __init__(self, record: ContactImport, actor: Person) -> None:
        self.record = record
        self.rows: list[RowCheck] = []
        self.visible = policy.visible_person_ids(actor, policy.Area.QA)
        self.agents: dict[tuple[str, str], Agent | None] = {}
        self.seen: dict[tuple[str, str], int] = {}  # (source, external_id) -> first row
        self.problems: list[dict[str, Any]] = list(record.errors or [])
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
            values.update(created_at=now, import_batch_id=self.record.id)
            candidates[key] = (check.row, values)
        if candidates:
            # The unique (source, external_id) index decides: rows already in the database are
            # not inserted and not returned, whoever put them there and however recently.
            inserted = insert_contacts([values for (_row, values) in candidates.values()])
            for key, (row, _values) in candidates.items():
                if key not in inserted:
                    self._duplicate(row, _("Already imported (same source and id)."))
            self.record.imported_rows += len(inserted)
        self.record.errors = list(self.problems)
        self.record.updated_at = now
        db.session.commit()
        self.rows = []

    def _refuse(self, errors: list[dict[str, Any]]) -> None:
        self.record.error_rows += 1
        self._report([{**error, "kind": "error"} for error in errors])

    def _duplicate(self, row: int, message: str) -> None:
        self.record.duplicate_rows += 1
        self._report(
            [{"row": row, "column": "external_id", "message": message, "kind": "duplicate"}]
        )

    def _report(self, entries: list[dict[str, Any]]) -> None:
        room = MAX_REPORTED - len(self.problems)
        if room > 0:
            self.problems.extend(entries[:room])

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
