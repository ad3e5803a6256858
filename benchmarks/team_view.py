"""Time the team view of the top of the tree on the demo data in DATABASE_URL; print p50/p95.

    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/flask db upgrade
    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/flask demo load
    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/python benchmarks/team_view.py

Signs in as the head of operations (the demo's top node) through a server-side session and
requests the page in-process (Flask test client): server time only, no network.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.auth import sessions  # noqa: E402
from portal.db import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.org.models import Person  # noqa: E402

PAGES = {
    "team view, month": "/teams/{id}?period=month",
    "team view, quarter": "/teams/{id}?period=quarter",
    "team view, custom 1 year": "/teams/{id}?period=custom&start={year_ago}&end={today}",
    "daily report": "/teams/{id}/daily",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        head = db.session.execute(
            select(Person).where(Person.manager_id.is_(None)).order_by(Person.id).limit(1)
        ).scalar_one()
        token = sessions.start_session(head, now=utcnow(), address="127.0.0.1", user_agent="bench")
        db.session.commit()
        head_id = head.id
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    today = utcnow().date()
    values = {
        "id": head_id,
        "today": today.isoformat(),
        "year_ago": today.replace(year=today.year - 1).isoformat(),
    }
    print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}, {args.runs} runs each")
    for name, template in PAGES.items():
        url = template.format(**values)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"  {name:<28} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
