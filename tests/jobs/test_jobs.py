"""The jobs in-process (the tests' queue is immediate): schedules, what each periodic job calls,
and the contact import's claim, recovery and resumption. tests/jobs/test_worker.py runs them
in a real worker process."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.jobs import tasks
from portal.qa import contact_import, contacts
from portal.qa.models import Contact, ContactImport, ImportStatus
from tests.qa.test_contact_import import row, write_csv

MONDAY = datetime(2026, 12, 7)


def _runs_at(task, *times: tuple[int, int]) -> list[tuple[int, int]]:
    """The (hour, minute) pairs among `times` at which the periodic task is due."""
    return [
        (h, m) for h, m in times if task.s().validate_datetime(MONDAY.replace(hour=h, minute=m))
    ]


def test_every_job_has_its_schedule():
    probe = [(0, 0), (0, 5), (1, 10), (2, 30), (13, 5), (13, 47)]
    assert _runs_at(tasks.send_pending_mail, *probe) == probe
    assert _runs_at(tasks.send_digests, *probe) == probe
    assert _runs_at(tasks.recover_stale_imports, *probe) == probe
    assert _runs_at(tasks.send_reminders, *probe) == [(0, 5), (13, 5)]
    assert _runs_at(tasks.generate_one_on_ones, *probe) == [(1, 10)]
    assert _runs_at(tasks.refresh_rollups, *probe) == [(2, 30)]


def test_mail_jobs_call_the_mail_modules_with_now(monkeypatch):
    from portal.notify import delivery, digests

    calls = []
    for module, function in ((delivery, "send_pending"), (digests, "send_due")):
        monkeypatch.setattr(
            module, function, lambda now, function=function: calls.append((function, now)) or 2
        )
    assert tasks.send_pending_mail.call_local() == 2
    assert tasks.send_digests.call_local() == 2
    assert [name for name, _now in calls] == ["send_pending", "send_due"]
    assert all(abs(now - utcnow()) < timedelta(minutes=1) for _name, now in calls)


def test_the_hourly_job_runs_every_reminder_and_is_harmless_twice(world):
    first = tasks.send_reminders.call_local()
    assert {"goals.phase_overdue", "certification.renewal", "training.overdue"} <= set(first)
    assert all(isinstance(n, int) for n in first.values())
    again = tasks.send_reminders.call_local()
    assert sum(again.values()) == 0  # each reminder is recorded once


def test_the_daily_jobs_run_what_the_commands_run(world, app):
    assert tasks.generate_one_on_ones.call_local() == tasks.generate_one_on_ones.call_local() == 0
    lines = tasks.refresh_rollups.call_local()
    assert [line.split(": ")[0] for line in lines] == [
        "KPI roll-up",
        "QA roll-up",
        "Overturn roll-up (always whole)",
        "1:1 best meeting per week",
    ]
    result = app.test_cli_runner().invoke(args=["rollups", "refresh"])
    assert result.exit_code == 0 and "KPI roll-up" in result.output


# ---- contact imports: claim, recovery, resumption ---------------------------------------------


def _count() -> int:
    return db.session.execute(select(func.count(Contact.id))).scalar_one()


def _queued_import(actor, rows: int, name: str = "big.csv") -> ContactImport:
    record = contacts.begin_contact_import(actor, file_name=name)
    write_csv(contact_import.job_path(record.id), [row(f"C-{n}") for n in range(rows)])
    return record


def _fresh(import_id: int) -> ContactImport:
    db.session.expire_all()
    return db.session.get(ContactImport, import_id)


def _age(import_id: int, minutes: int) -> datetime:
    stamp = utcnow() - timedelta(minutes=minutes)
    db.session.execute(
        ContactImport.__table__.update()
        .where(ContactImport.__table__.c.id == import_id)
        .values(updated_at=stamp)
    )
    db.session.commit()
    return stamp


def test_a_superseded_run_stops_without_counting_and_the_new_run_resumes(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "QA_IMPORT_BATCH_SIZE", 10)
    record = _queued_import(world.qa, 35)
    first_stamp = contact_import._stamp_of(record.id)
    taken_over: dict = {}
    real_save = contact_import._Progress.save_batch

    def save(progress):
        real_save(progress)
        if progress.imported_rows == 10 and not taken_over:
            # As if the worker were killed here and the recovery queued the import again.
            taken_over["stamp"] = contact_import.restamp(record.id, progress.stamp)

    monkeypatch.setattr(contact_import._Progress, "save_batch", save)
    assert contact_import.resume_import(record.id, first_stamp) == "superseded"
    after = _fresh(record.id)
    assert after.status == ImportStatus.RUNNING
    assert after.imported_rows == 10 == _count()  # its second batch was not written
    assert contact_import.job_path(record.id).exists()

    assert contact_import.resume_import(record.id, taken_over["stamp"]) == ImportStatus.DONE
    done = _fresh(record.id)
    assert (done.status, done.imported_rows, done.duplicate_rows, done.error_rows) == (
        ImportStatus.DONE,
        35,
        0,
        0,
    )
    assert _count() == 35 and done.total_rows == 35
    assert not contact_import.job_path(record.id).exists()
    # A job of the old stamp arriving late does nothing.
    assert contact_import.resume_import(record.id, first_stamp) == "finished"
    assert _count() == 35


def test_a_stale_import_is_queued_again_and_finishes(world):
    record = _queued_import(world.qa, 25)
    _age(record.id, minutes=10)
    assert tasks.requeue_imports(stale_only=True) == [record.id]  # immediate: ran at once
    done = _fresh(record.id)
    assert done.status == ImportStatus.DONE and done.imported_rows == 25 == _count()


def test_a_stale_import_whose_file_is_gone_is_reported_failed(world):
    record = contacts.begin_contact_import(world.qa, file_name="lost.csv")
    _age(record.id, minutes=10)
    assert tasks.recover_stale_imports.call_local() == [record.id]
    failed = _fresh(record.id)
    assert failed.status == ImportStatus.FAILED and failed.finished_at is not None
    assert "no longer on the server" in failed.message


def test_a_running_import_with_recent_batches_is_left_alone(world):
    record = _queued_import(world.qa, 5)
    assert tasks.requeue_imports(stale_only=True) == []
    assert _fresh(record.id).status == ImportStatus.RUNNING


def test_at_start_up_the_imports_waiting_with_a_file_are_queued_again(world):
    queued = _queued_import(world.qa, 5, name="queued.csv")
    inline = contacts.begin_contact_import(world.qa, file_name="inline.csv")  # no job file
    assert tasks.requeue_imports(stale_only=False) == [queued.id]
    assert _fresh(queued.id).status == ImportStatus.DONE
    assert _fresh(inline.id).status == ImportStatus.RUNNING


def test_the_queue_is_chosen_from_the_environment(monkeypatch, tmp_path):
    from portal.config import huey_storage

    monkeypatch.delenv("HUEY_IMMEDIATE", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("HUEY_SQLITE_PATH", str(tmp_path / "q.db"))
    assert huey_storage() == ("sqlite", str(tmp_path / "q.db"))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert huey_storage() == ("redis", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("HUEY_IMMEDIATE", "1")
    assert huey_storage() == ("memory", None)
