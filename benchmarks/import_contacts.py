"""Import N generated contacts from CSV into the database in DATABASE_URL and print rows/s.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/import_contacts.py --fresh
    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python benchmarks/import_contacts.py --fresh

--fresh empties the database and builds the schema with the migrations first (only ever point
it at a scratch database). The goal (DESIGN.md): 100,000 rows in under 30 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.org import tree  # noqa: E402
from portal.org.models import Grant, Market, Person, Position, Segment  # noqa: E402
from portal.qa import contact_import, contact_rows, contacts  # noqa: E402

AGENTS = 200
CHANNELS = ("phone", "email", "voicemail", "chat")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to generate")
    parser.add_argument("--fresh", action="store_true", help="empty the database, then migrate")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def fresh_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    else:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    upgrade()


def ensure_people() -> Person:
    """An HR admin to import as, and AGENTS agents (made once per database)."""
    hr = db.session.execute(select(Person).where(Person.employee_id == "BENCH-HR")).scalar()
    if hr is not None:
        return hr
    market = Market(code="BM", name="Bench market", time_zone="Asia/Hong_Kong")
    segment = Segment(code="BENCH", name="Bench segment")
    position = db.session.execute(select(Position).where(Position.code == "agent")).scalar()
    position = position or Position(code="agent", name="Agent", rank=1)
    db.session.add_all([market, segment, position])
    hr = Person(name="Bench HR", email="bench-hr@example.com", employee_id="BENCH-HR")
    hr.position, hr.market = position, market
    db.session.add(hr)
    db.session.flush()
    tree.place(hr, None)
    db.session.add(Grant(person_id=hr.id, role="hr_admin"))
    for n in range(AGENTS):
        agent = Person(
            name=f"Bench agent {n}",
            email=f"bench-agent-{n}@example.com",
            employee_id=f"BENCH-{n:04d}",
        )
        agent.position, agent.market, agent.segment = position, market, segment
        db.session.add(agent)
        db.session.flush()
        tree.place(agent, hr)
    db.session.commit()
    return hr


def write_rows(path: str, count: int, run: str, rng: random.Random) -> None:
    start = datetime.now(UTC) - timedelta(days=84)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(contact_rows.COLUMNS)
        for n in range(count):
            channel = CHANNELS[n % len(CHANNELS)]
            by_email = n % 5 == 0
            agent = rng.randrange(AGENTS)
            at = start + timedelta(seconds=rng.randrange(84 * 24 * 3600))
            writer.writerow(
                [
                    channel,
                    "bench",
                    f"{run}-{n:07d}",
                    "" if by_email else f"BENCH-{agent:04d}",
                    f"bench-agent-{agent}@example.com" if by_email else "",
                    at.isoformat(timespec="seconds"),
                    "inbound" if n % 3 else "outbound",
                    f"MERCHANT-{rng.randrange(50_000)}",
                    "" if channel in ("email", "chat") else str(rng.randrange(30, 1800)),
                    "BM",
                    "",
                    "Customer asked about a refund; agent explained the policy." if n % 4 else "",
                    f"https://recordings.example.com/{run}/{n}" if channel == "phone" else "",
                ]
            )


def main() -> int:
    args = parse_args()
    app = create_app(Config)
    with app.app_context():
        if args.fresh:
            fresh_schema()
        hr = ensure_people()
        run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        handle, path = tempfile.mkstemp(prefix="bench-contacts-", suffix=".csv")
        os.close(handle)
        try:
            started = time.perf_counter()
            write_rows(path, args.rows, run, random.Random(args.seed))
            written = time.perf_counter() - started
            record = contacts.begin_contact_import(hr, file_name=os.path.basename(path))
            started = time.perf_counter()
            contact_import.run_import(record.id, path, hr.id)
            elapsed = time.perf_counter() - started
        finally:
            os.unlink(path)
        db.session.refresh(record)
        dialect = db.engine.dialect.name
        print(f"database        {dialect}")
        print(f"rows            {args.rows:,} (file written in {written:.1f} s)")
        print(f"status          {record.status}")
        print(f"imported        {record.imported_rows:,}")
        print(f"duplicates      {record.duplicate_rows:,}")
        print(f"with errors     {record.error_rows:,}")
        print(f"import time     {elapsed:.1f} s")
        print(f"throughput      {args.rows / elapsed:,.0f} rows/s")
        return 0 if record.imported_rows == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
