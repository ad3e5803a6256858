"""A real worker: `huey_consumer portal.jobs.huey` started as a subprocess against a temporary
SQLite queue and a database of its own, tasks put in its queue, their effects awaited
(bounded), and a worker killed (SIGKILL) in the middle of a large import.

The worker cannot share the suite's database (it lives in one rolled-back transaction per test,
which another process cannot see): on SQLite it gets a temporary file, on PostgreSQL
(TEST_DATABASE_URL) a database of its own, `<test database>_worker`, made afresh per test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from huey.constants import EmptyData
from huey.storage import RedisStorage, SqliteStorage
from huey.utils import Error
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.jobs import huey, tasks
from portal.jobs.queue import NAME
from portal.qa import contact_import, contacts
from tests import factories
from tests.qa.test_contact_import import row, write_csv

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = Path(sys.executable).parent / "huey_consumer"
WAIT = 90.0  # seconds: every wait is bounded (a loaded 2-core CI machine needs more than 30)
IMPORT_SQL = "SELECT {} FROM contact_import WHERE id = :id"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Site:
    """A file database with the small world in it, a queue file, and workers to start."""

    def __init__(self, tmp: Path, database_url: str, queue: str = "sqlite") -> None:
        self.tmp = tmp
        self.engine = create_engine(database_url, poolclass=NullPool)
        self.workers: list[subprocess.Popen] = []
        self.logs: list = []
        self.env = {
            **os.environ,
            "HUEY_IMMEDIATE": "0",
            "HUEY_SQLITE_PATH": str(tmp / "huey.db"),
            "DATABASE_URL": database_url,
            "PORTAL_INSTANCE_DIR": str(tmp / "instance"),
            "CONTACT_IMPORT_DIR": str(tmp / "imports"),
            "SECRET_KEY": TestConfig.SECRET_KEY,
            "AUDIT_KEY": TestConfig.AUDIT_KEY,
            "QA_IMPORT_BATCH_SIZE": "100",
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("REDIS_URL", None)
        if queue == "redis":  # a queue of this test's own in the shared Redis
            name = f"portal-test-{uuid.uuid4().hex}"
            self.queue = RedisStorage(name, url=REDIS_URL)
            self.env.update(REDIS_URL=REDIS_URL, HUEY_NAME=name)
        else:
            self.queue = SqliteStorage(NAME, filename=str(tmp / "huey.db"))

    def enqueue(self, task) -> None:
        self.queue.enqueue(huey.serialize_task(task), task.priority)

    def result(self, task, timeout: float = WAIT):
        value = wait_for(lambda: self.queue.pop_data(task.id), timeout, f"result of {task.name}")
        value = huey.serializer.deserialize(value)
        assert not isinstance(value, Error), value.metadata
        return value

    def start_worker(self) -> subprocess.Popen:
        log = open(self.tmp / "worker.log", "ab")  # noqa: SIM115 - closed by stop()
        self.logs.append(log)
        worker = subprocess.Popen(
            [str(CONSUMER), "portal.jobs.huey", "-w", "2", "-k", "thread", "-f"]
            + ["--delay", "0.05", "--max-delay", "0.2"],
            cwd=self.tmp,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.workers.append(worker)
        return worker

    def log_with(self, *lines: str) -> str:
        """The worker's log once it has every one of `lines`, else ""."""
        text = (self.tmp / "worker.log").read_text()
        return text if all(line in text for line in lines) else ""

    def read(self, sql: str, **args) -> tuple:
        """One row, read outside the app (a separate connection, no transaction kept)."""
        with self.engine.connect() as connection:
            return tuple(connection.execute(text(sql), args).one())

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGINT)
        for worker in self.workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        for log in self.logs:
            log.close()
        self.engine.dispose()
        self.queue.flush_all()


def wait_for(probe: Callable[[], object], timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value is not EmptyData and value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout:.0f} s for {what} (the worker's log: worker.log)")


def _worker_database(tmp_path: Path) -> str:
    """A fresh, empty database for the worker: a SQLite file, or a PostgreSQL database next to
    the suite's when TEST_DATABASE_URL is set."""
    suite = os.environ.get("TEST_DATABASE_URL")
    if not suite:
        return f"sqlite:///{tmp_path / 'portal.db'}"
    url = make_url(suite)
    xdist = os.environ.get("PYTEST_XDIST_WORKER")  # as tests/conftest.py names the suite's
    name = f"{url.database}_{xdist}_worker" if xdist else f"{url.database}_worker"
    admin = create_engine(url.set(database="postgres"), poolclass=NullPool)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def site(tmp_path: Path, request) -> Iterator[tuple[Site, Flask, factories.World]]:
    queue = getattr(request, "param", "sqlite")
    if queue == "redis" and not _redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    database_url = _worker_database(tmp_path)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        CONTACT_IMPORT_DIR = str(tmp_path / "imports")

    app = create_app(Config)
    place = Site(tmp_path, database_url, queue)
    with app.app_context():
        db.create_all()
        world = factories.build_world()
        db.session.commit()
        try:
            yield place, app, world
        finally:
            place.stop()
            db.session.remove()
            db.engine.dispose()


def _queue_import(world, rows: int) -> tuple[int, object]:
    record = contacts.begin_contact_import(world.qa, file_name="big.csv")
    write_csv(contact_import.job_path(record.id), [row(f"C-{n}") for n in range(rows)])
    import_id, stamp = record.id, contact_import._stamp_of(record.id)
    db.session.commit()  # no transaction (and no SQLite lock) kept while the worker writes
    return import_id, stamp


@pytest.mark.parametrize("site", ["sqlite", "redis"], indirect=True)
def test_a_worker_runs_a_queued_import_and_the_periodic_jobs(site):
    place, _app, world = site
    import_id, stamp = _queue_import(world, 250)
    job = tasks.import_contacts.s(import_id, stamp)
    periodic = [
        tasks.send_reminders.s(),
        tasks.generate_one_on_ones.s(),
        tasks.refresh_rollups.s(),
        tasks.recover_stale_imports.s(),
        tasks.send_pending_mail.s(),
        tasks.send_digests.s(),
    ]
    for task in [job, *periodic]:
        place.enqueue(task)
    place.start_worker()

    # The worker's start-up recovery leaves the queued job alone (it is pending, not lost).
    assert place.result(job) == "done"
    status, imported, total = place.read(
        "SELECT status, imported_rows, total_rows FROM contact_import WHERE id = :id", id=import_id
    )
    assert (status, imported, total) == ("done", 250, 250)
    assert place.read("SELECT count(*) FROM contact")[0] == 250
    assert not contact_import.job_path(import_id).exists()

    # huey keeps no result for periodic jobs: their lines in the worker's log say they ran.
    expected = [
        "reminders: {'goals.phase_overdue': 0",
        "1:1 generation: 0 meetings added",
        "KPI roll-up:",
        "1:1 best meeting per week:",
        "mail: 0 e-mail(s) sent",
        "digests: 0 sent",
    ]
    log = wait_for(lambda: place.log_with(*expected), WAIT, "the periodic jobs")
    assert "Unhandled exception" not in log and "Traceback" not in log


def test_an_import_whose_worker_is_killed_resumes_in_the_next_worker_with_every_row_once(site):
    place, _app, world = site
    rows = 20_000
    import_id, stamp = _queue_import(world, rows)
    place.enqueue(tasks.import_contacts.s(import_id, stamp))
    first = place.start_worker()

    def landed() -> int:
        return place.read("SELECT imported_rows FROM contact_import WHERE id = :id", id=import_id)[
            0
        ]

    wait_for(lambda: landed() >= 1_000, WAIT, "the first batches")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = landed()
    assert at_kill < rows, "the import finished before the kill: make the file bigger"
    assert place.read("SELECT status FROM contact_import WHERE id = :id", id=import_id) == (
        "running",
    )

    place.start_worker()  # its start-up hook queues the import again
    wait_for(
        lambda: (
            place.read("SELECT status FROM contact_import WHERE id = :id", id=import_id)[0]
            != "running"
        ),
        WAIT,
        "the resumed import",
    )
    status, imported, duplicates, errors, total = place.read(
        "SELECT status, imported_rows, duplicate_rows, error_rows, total_rows"
        " FROM contact_import WHERE id = :id",
        id=import_id,
    )
    assert (status, imported, duplicates, errors, total) == ("done", rows, 0, 0, rows)
    assert place.read("SELECT count(*), count(DISTINCT external_id) FROM contact") == (rows, rows)
    assert not contact_import.job_path(import_id).exists()
    print(f"killed after {at_kill} of {rows} rows; the next worker imported the rest")
