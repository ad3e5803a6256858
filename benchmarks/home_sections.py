"""Time the home page's manager, QA, trainer and HR sections on the large data set (read-only).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_large \
        PYTHONPATH=$PWD .venv/bin/python benchmarks/home_sections.py [--runs 20]

For each provider, people of the generated organisation it applies to (the head, a manager of
supervisors one level down, QA analysts, trainers, HR admins) are timed inside a request
context (as the home page calls them: grants read once per request); prints p50 / p95 and the
statements of one call, and the items' counts. Nothing is written.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.home import manager, queues  # noqa: E402
from portal.org.models import Grant, Person  # noqa: E402


def people(role: str, limit: int = 2) -> list[int]:
    return list(
        db.session.scalars(
            select(Grant.person_id)
            .where(Grant.role == role)
            .distinct()
            .order_by(Grant.person_id)
            .limit(limit)
        )
    )


def managers_of_managers(limit: int = 2) -> list[int]:
    head = db.session.scalars(select(Person).where(Person.manager_id.is_(None))).first()
    found = [head.id]
    for pid in db.session.scalars(
        select(Person.id).where(Person.manager_id == head.id).order_by(Person.id)
    ):
        if manager.manages_managers(db.session.get(Person, pid)):
            found.append(pid)
        if len(found) > limit:
            break
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        cases = [
            ("manager", manager.section, managers_of_managers()),
            ("qa", queues.qa_section, people("qa_analyst")),
            ("trainer", queues.trainer_section, people("trainer")),
            ("hr", queues.hr_section, people("hr_admin")),
        ]
        today = date.today()
        for name, provider, ids in cases:
            for pid in ids:
                timings = []
                for run in range(args.runs + 1):
                    with app.test_request_context():
                        person = db.session.get(Person, pid)
                        _ = person.name
                        statements.clear()
                        start = time.perf_counter()
                        section = provider(person, today)
                        elapsed = (time.perf_counter() - start) * 1000
                        if run:  # the first run warms the caches
                            timings.append(elapsed)
                    db.session.rollback()
                timings.sort()
                p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
                counts = (
                    ", ".join(f"{i.key}={i.count}" for i in section.items) if section else "None"
                )
                print(
                    f"{name:8} person {pid:>6}: p50 {statistics.median(timings):6.1f} ms  "
                    f"p95 {p95:6.1f} ms  {len(statements):2d} statements  [{counts}]"
                )


if __name__ == "__main__":
    main()
