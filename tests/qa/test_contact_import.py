"""Importing contacts from CSV: partial imports reported by row and column, duplicates never
doubled, whole-file problems in one message, agents only within the importer's reach."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.qa import contact_import, contact_rows, contacts
from portal.qa.models import Contact, ContactImport, ImportStatus

HEADER = list(contact_rows.COLUMNS)


def row(external_id: str, agent: str = "W-A1", **values) -> dict:
    base = {
        "channel": "phone",
        "source": "genesys",
        "external_id": external_id,
        "agent_employee_id": agent,
        "agent_email": "",
        "occurred_at": "2026-03-04T09:15:00+08:00",
        "direction": "inbound",
        "customer_ref": "MERCHANT-1",
        "duration_seconds": "412",
        "market": "",
        "segment": "",
        "transcript": "",
        "recording_url": "",
    }
    base.update(values)
    return base


def write_csv(path, rows: list[dict], header: list[str] | None = None, encoding="utf-8") -> str:
    header = header or HEADER
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def run(tmp_path, actor, rows: list[dict], name: str = "contacts.csv", **kw) -> ContactImport:
    path = write_csv(tmp_path / name, rows, **kw)
    record = contacts.begin_contact_import(actor, file_name=name)
    contact_import.run_import(record.id, path, actor.id)
    db.session.expire_all()
    return db.session.get(ContactImport, record.id)


def contact_count() -> int:
    return db.session.execute(select(func.count(Contact.id))).scalar_one()


def problems(record: ContactImport) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in record.errors}


def test_good_rows_land_with_their_values_in_utc(world, tmp_path):
    rows = [
        row("C-1", segment="VIP", recording_url="https://rec.example.com/1"),
        row("C-2", agent="", agent_email="A2@World.Example.com", occurred_at="2026-03-04 10:00"),
    ]
    record = run(tmp_path, world.qa, rows)
    assert (record.status, record.imported_rows, record.error_rows) == (ImportStatus.DONE, 2, 0)
    first, second = db.session.execute(select(Contact).order_by(Contact.external_id)).scalars()
    assert first.person_id == world.agent_a1.id
    assert first.occurred_at == datetime(2026, 3, 4, 1, 15, tzinfo=UTC)
    assert first.market_id == world.hk.id  # the agent's own market when the row leaves it empty
    assert first.segment_id == world.vip.id
    assert first.import_batch_id == record.id and first.duration_seconds == 412
    assert second.person_id == world.agent_a2.id
    assert second.occurred_at == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # no offset: UTC


def test_bad_rows_are_reported_by_line_and_column_and_the_good_rows_land(world, tmp_path):
    rows = [
        row("C-1"),
        row("C-2", channel="fax"),
        row("C-3", occurred_at="yesterday", duration_seconds="-4"),
        row("C-4", recording_url="javascript:alert(1)"),
        row("", market="XX"),
        row("C-6", direction="sideways", customer_ref="x\x00y"),
        row("C-7", occurred_at="2999-01-01T00:00:00Z"),
        row("C-8"),
    ]
    record = run(tmp_path, world.qa, rows)
    assert record.status == ImportStatus.DONE
    assert (record.total_rows, record.imported_rows, record.error_rows) == (8, 2, 6)
    assert problems(record) == {
        (3, "channel"),
        (4, "occurred_at"),
        (4, "duration_seconds"),
        (5, "recording_url"),
        (6, "external_id"),
        (6, "market"),
        (7, "direction"),
        (7, "customer_ref"),
        (8, "occurred_at"),
    }
    landed = db.session.execute(select(Contact.external_id)).scalars().all()
    assert sorted(landed) == ["C-1", "C-8"]


def test_duplicates_in_the_file_and_in_the_database_are_skipped_never_doubled(world, tmp_path):
    first = run(tmp_path, world.qa, [row("C-1"), row("C-2")], name="first.csv")
    assert first.imported_rows == 2
    rows = [row("C-1"), row("C-3"), row("C-3", customer_ref="again"), row("C-4")]
    second = run(tmp_path, world.qa, rows, name="second.csv")
    assert (second.imported_rows, second.duplicate_rows, second.error_rows) == (2, 2, 0)
    messages = {e["row"]: e["message"] for e in second.errors}
    assert "Already imported" in messages[2]
    assert "row 3" in messages[4]
    assert all(e["kind"] == "duplicate" for e in second.errors)
    assert contact_count() == 4
    again = run(tmp_path, world.qa, rows, name="second.csv")
    assert (again.imported_rows, again.duplicate_rows) == (0, 4)
    assert contact_count() == 4


def test_the_same_external_id_from_another_source_is_a_different_contact(world, tmp_path):
    record = run(tmp_path, world.qa, [row("C-1"), row("C-1", source="zendesk")])
    assert record.imported_rows == 2


def test_wrong_columns_fail_the_file_with_one_message_and_import_nothing(world, tmp_path):
    header = ["channel", "source", "id", "occurred_at", "direction", "colour"]
    record = run(tmp_path, world.qa, [{"channel": "phone"}], header=header)
    assert record.status == ImportStatus.FAILED
    assert "missing: external_id, agent_employee_id or agent_email" in record.message
    assert "not known: id, colour" in record.message
    assert record.imported_rows == 0 and contact_count() == 0


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_a_file_that_is_not_utf8_fails_with_one_clear_message(world, tmp_path, encoding):
    record = run(tmp_path, world.qa, [row("C-1", customer_ref="Café ÄÖÜ")], encoding=encoding)
    assert record.status == ImportStatus.FAILED
    assert "not UTF-8" in record.message
    assert contact_count() == 0


def test_an_empty_file_and_a_header_only_file_say_so(world, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    record = contacts.begin_contact_import(world.qa, file_name="empty.csv")
    contact_import.run_import(record.id, str(empty), world.qa.id)
    assert record.status == ImportStatus.FAILED and "empty" in record.message
    header_only = run(tmp_path, world.qa, [], name="header.csv")
    assert "no contacts" in header_only.message


def test_an_agent_outside_the_importers_reach_is_an_unknown_agent(world, tmp_path):
    # The QA analyst is granted team A (HK); agent C1 is in Japan.
    rows = [row("C-1", agent="W-C1"), row("C-2", agent="W-NOBODY"), row("C-3")]
    record = run(tmp_path, world.qa, rows)
    assert record.imported_rows == 1
    by_row = {e["row"]: (e["column"], e["message"]) for e in record.errors}
    assert by_row[2] == by_row[3] == ("agent_employee_id", "Unknown agent.")
    hr_record = run(tmp_path, world.hr, [row("C-1", agent="W-C1")], name="hr.csv")
    assert hr_record.imported_rows == 1


def test_a_row_with_more_cells_than_columns_is_refused(world, tmp_path):
    path = tmp_path / "extra.csv"
    good = ",".join(row("C-1")[c] for c in HEADER)
    path.write_text(",".join(HEADER) + "\n" + good + "\n" + good.replace("C-1", "C-2") + ",extra\n")
    record = contacts.begin_contact_import(world.qa, file_name="extra.csv")
    contact_import.run_import(record.id, str(path), world.qa.id)
    assert record.imported_rows == 1 and problems(record) == {(3, "")}


def test_row_numbers_are_the_line_a_row_starts_on_even_after_a_multiline_transcript(
    world, tmp_path
):
    rows = [row("C-1", transcript="Hello\nthere\nagent"), row("C-2", channel="fax")]
    record = run(tmp_path, world.qa, rows)
    assert problems(record) == {(5, "channel")}


def test_a_10000_row_file_lands_whole_in_batches(world, tmp_path):
    agents = ["W-A1", "W-A2"]
    rows = [row(f"C-{n:05d}", agent=agents[n % 2]) for n in range(10_000)]
    record = run(tmp_path, world.qa, rows)
    assert (record.status, record.total_rows, record.imported_rows) == (
        ImportStatus.DONE,
        10_000,
        10_000,
    )
    assert record.errors == [] and contact_count() == 10_000


def test_only_the_first_thousand_problems_are_kept_but_all_are_counted(world, tmp_path):
    rows = [row(f"C-{n}", channel="fax") for n in range(1_200)]
    record = run(tmp_path, world.qa, rows)
    assert record.error_rows == 1_200
    assert len(record.errors) == contact_import.MAX_REPORTED


def test_an_import_that_crashes_halfway_says_exactly_how_many_rows_landed(
    world, tmp_path, monkeypatch
):
    calls = {"n": 0}
    real = contact_rows.check_row

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1_500:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(contact_rows, "check_row", failing)
    record = run(tmp_path, world.qa, [row(f"C-{n}") for n in range(2_000)])
    assert record.status == ImportStatus.FAILED
    assert record.imported_rows == 1_000 == contact_count()
    assert "1000 rows landed" in record.message and "RuntimeError" in record.message


def test_large_files_go_to_the_job_queue_and_their_file_is_deleted_when_done(
    world, tmp_path, monkeypatch, app
):
    """Files above the inline limit are moved to their job path and handed to the queue (run
    at once here: the tests' queue is immediate; tests/jobs runs a real worker)."""
    from portal.jobs import tasks

    queued = []
    real = tasks.import_contacts

    def spy(import_id, stamp):
        queued.append((import_id, contact_import.job_path(import_id).exists()))
        return real(import_id, stamp)

    monkeypatch.setattr(tasks, "import_contacts", spy)
    monkeypatch.setitem(app.config, "QA_IMPORT_INLINE_ROWS", 2)
    record = contacts.begin_contact_import(world.qa, file_name="big.csv")
    path = contact_import.upload_path(record.id)
    write_csv(path, [row("C-1"), row("C-2"), row("C-3")])
    assert contact_import.start_import(record, path) is False
    assert queued == [(record.id, True)]
    db.session.expire_all()
    record = db.session.get(ContactImport, record.id)
    assert record.status == ImportStatus.DONE and record.imported_rows == 3 == contact_count()
    assert not path.exists() and not contact_import.job_path(record.id).exists()


def test_small_files_are_imported_in_the_request_and_deleted(world):
    record = contacts.begin_contact_import(world.qa, file_name="small.csv")
    path = contact_import.upload_path(record.id)
    write_csv(path, [row("C-1")])
    assert contact_import.start_import(record, path) is True
    db.session.expire_all()
    assert db.session.get(ContactImport, record.id).imported_rows == 1 == contact_count()
    assert not path.exists()


def test_the_template_names_every_column_and_gives_two_examples():
    text = contact_import.template_csv()
    assert text.lstrip("\ufeff").splitlines()[0] == ",".join(contact_rows.COLUMNS)
    assert len(text.splitlines()) == 3
