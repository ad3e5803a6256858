"""Tests that issue no SQL run once: the SQLite run records them, the PostgreSQL run skips them.

`make test` runs the suite on SQLite, then on PostgreSQL. A test that never reached the
database (a pure function's hypothesis test, a template or parser test) behaves the same on
both, so its second run proves nothing and costs CI minutes. During a SQLite run every test's
statements (setup, call and teardown) are counted and the node ids of the passing tests that
issued none are written to instance/db-free-tests/<worker>.txt; a PostgreSQL run with
SKIP_DB_FREE=1 (what `make test-postgres` sets) deselects them and says how many. Without the
files, or without SKIP_DB_FREE, every test runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

DIRECTORY = Path(__file__).resolve().parent.parent / "instance" / "db-free-tests"
_statements = [0]
_found: list[str] = []


def _recording() -> bool:
    return not os.environ.get("TEST_DATABASE_URL")


def _count(conn, cursor, statement: str, *_args) -> None:
    # The per-test transaction's own savepoints are not the test's (tests/conftest.py).
    head = statement.lstrip().upper()
    if head and not head.startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")):
        _statements[0] += 1


def pytest_configure(config: pytest.Config) -> None:
    if not _recording():
        return
    if not event.contains(Engine, "before_cursor_execute", _count):
        event.listen(Engine, "before_cursor_execute", _count)
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controller (or a run without xdist)
        DIRECTORY.mkdir(parents=True, exist_ok=True)
        for old in DIRECTORY.glob("*.txt"):
            old.unlink()


_REPORTS = pytest.StashKey[list]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    before = _statements[0]
    item.stash[_REPORTS] = []
    yield
    reports = item.stash[_REPORTS]
    if _recording() and _statements[0] == before and reports and all(r.passed for r in reports):
        _found.append(item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    item.stash.get(_REPORTS, []).append(outcome.get_result())


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _recording():
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    (DIRECTORY / f"{worker}.txt").write_text("".join(f"{n}\n" for n in _found))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _recording() or os.environ.get("SKIP_DB_FREE") != "1" or not DIRECTORY.is_dir():
        return
    known: set[str] = set()
    for path in DIRECTORY.glob("*.txt"):
        known.update(line for line in path.read_text().splitlines() if line)
    skipped = [item for item in items if item.nodeid in known]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if item.nodeid not in known]
