"""Time the QA roll-up (all figures of the report page) over N evaluations and print the server
time and the statement count, to show that the count stays flat as evaluations grow.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/qa_rollups.py --fresh --evaluations 20000 50000

--fresh empties the database and migrates first (only ever point it at a scratch database).
Evaluations are inserted in bulk (score, critical flag, one revision with 3 answers each).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.org import tree  # noqa: E402
from portal.org.models import Grant, Market, Person, Position  # noqa: E402
from portal.qa.evaluation_models import (  # noqa: E402
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
)
from portal.qa.models import (  # noqa: E402  # noqa: E402
    Contact,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)
from portal.qa.rollup_queries import RollupFilters, rollup_for  # noqa: E402

AGENTS = 300
CHANNELS = ("phone", "email", "voicemail", "chat")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
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


def setup() -> tuple[Person, Person, list[Person], list[int]]:
    market = Market(code="BM", name="Bench market")
    position = Position(code="bench", name="Bench")
    db.session.add_all([market, position])
    db.session.flush()

    def person(name: str, manager: Person | None) -> Person:
        p = Person(name=name, email=f"{name}@bench.example", employee_id=name, position=position)
        p.market_id = market.id
        db.session.add(p)
        db.session.flush()
        tree.place(p, manager)
        return p

    hr = person("hr", None)
    db.session.add(Grant(person_id=hr.id, role="hr_admin"))
    supervisor = person("sup", hr)
    agents = [person(f"agent{i}", supervisor) for i in range(AGENTS)]
    card = Scorecard(name="Bench card", description="")
    version = ScorecardVersion(scorecard=card, number=1, created_by_id=hr.id)
    version.published_at = datetime.now(UTC)
    section = ScorecardSection(version=version, position=1, title="All", weight=Decimal(1))
    questions = [
        ScorecardQuestion(section=section, position=i, text=f"Q{i}", answer_type="yes_no", points=1)
        for i in range(3)
    ]
    db.session.add(card)
    db.session.commit()
    return hr, supervisor, agents, [version.id, *[q.id for q in questions]]


def add_evaluations(n: int, start_index: int, hr, agents, ids, rng) -> None:
    version_id, *question_ids = ids
    now = datetime.now(UTC)
    for batch_start in range(0, n, 5000):
        size = min(5000, n - batch_start)
        contacts, evaluations = [], []
        for i in range(size):
            k = start_index + batch_start + i
            agent = agents[k % len(agents)]
            at = now - timedelta(days=rng.randint(0, 89), minutes=rng.randint(0, 1400))
            contacts.append(
                dict(
                    channel=rng.choice(CHANNELS),
                    source="bench",
                    external_id=f"B{k}",
                    person_id=agent.id,
                    occurred_at=at,
                    direction="inbound",
                    market_id=agent.market_id,
                    created_at=now,
                )
            )
        contact_ids = db.session.execute(
            insert(Contact).returning(Contact.id, Contact.person_id, Contact.occurred_at),
            contacts,
        ).all()
        for contact_id, person_id, at in contact_ids:
            failed = rng.random() < 0.1
            score = Decimal(0) if failed else Decimal(rng.randint(40, 100))
            evaluations.append(
                dict(
                    contact_id=contact_id,
                    person_id=person_id,
                    evaluator_id=hr.id,
                    scorecard_version_id=version_id,
                    status="submitted",
                    revision_number=1,
                    score=score,
                    critical_failed=failed,
                    submitted_at=at,
                    dispute_questions={},
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
        evaluation_ids = (
            db.session.execute(insert(Evaluation).returning(Evaluation.id), evaluations)
            .scalars()
            .all()
        )
        revisions = (
            db.session.execute(
                insert(EvaluationRevision).returning(EvaluationRevision.id),
                [
                    dict(
                        evaluation_id=e,
                        number=1,
                        author_id=hr.id,
                        overall_comment="",
                        created_at=now,
                    )
                    for e in evaluation_ids
                ],
            )
            .scalars()
            .all()
        )
        db.session.execute(
            insert(EvaluationAnswer),
            [
                dict(
                    revision_id=r,
                    question_id=q,
                    value="yes",
                    comment="",
                    earned=1,
                    possible=1,
                    failed=rng.random() < 0.05,
                )
                for r in revisions
                for q in question_ids
            ],
        )
        db.session.commit()


def measure(viewer: Person, repeat: int) -> tuple[float, float, int]:
    today = date.today()
    filters = RollupFilters(start_on=today - timedelta(days=90), end_on=today)
    statements: list[str] = []

    def count(*_args) -> None:
        statements.append("x")

    times = []
    for i in range(repeat):
        statements.clear()
        if i == 0:
            event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        rollup_for(viewer, filters, 5)
        times.append((time.perf_counter() - start) * 1000)
        if i == 0:
            event.remove(db.engine, "before_cursor_execute", count)
            n_statements = len(statements)
        db.session.expire_all()
    return statistics.median(times), max(times), n_statements


def main() -> None:
    args = parse_args()

    class BenchConfig(Config):
        pass

    app = create_app(BenchConfig)
    with app.app_context():
        if args.fresh:
            fresh_schema()
        hr, supervisor, agents, ids = setup()
        rng = random.Random(7)
        done = 0
        print(f"database: {db.engine.dialect.name}; roll-up of the last 90 days, as HR")
        for target in sorted(args.evaluations):
            add_evaluations(target - done, done, hr, agents, ids, rng)
            done = target
            total = db.session.execute(select(func.count(Evaluation.id))).scalar_one()
            median, worst, n = measure(hr, args.repeat)
            print(
                f"{total:>9,} evaluations: median {median:7.1f} ms, max {worst:7.1f} ms, "
                f"{n} statements"
            )


if __name__ == "__main__":
    main()
