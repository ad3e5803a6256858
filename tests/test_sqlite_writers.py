"""On a SQLite file shared by the web server and the job worker, a transaction that reads and
then writes must wait for the other writer, not fail with "database is locked" (portal.db
begins such transactions IMMEDIATE)."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, text

import portal.db  # noqa: F401  (registers the engine events under test)


def test_read_then_write_transactions_wait_for_a_busy_writer(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    setup = create_engine(url)
    with setup.begin() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
        connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (1, 0), (2, 0)"))
    setup.dispose()

    failures: list[Exception] = []

    def work(row: int, times: int) -> None:
        engine = create_engine(url)
        try:
            for _ in range(times):
                with engine.begin() as connection:
                    n = connection.execute(
                        text("SELECT n FROM counter WHERE id = :id"), {"id": row}
                    ).scalar_one()
                    connection.execute(
                        text("UPDATE counter SET n = :n WHERE id = :id"), {"n": n + 1, "id": row}
                    )
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(row, 200)) for row in (1, 2, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    check = create_engine(url)
    with check.connect() as connection:
        counts = dict(connection.execute(text("SELECT id, n FROM counter")).all())
    check.dispose()
    assert counts == {1: 400, 2: 200}  # no update lost either
