"""What the first viewer after a write waits for: the team view's summary and the written
area's panel, for the head of the large data set, right after each area's data version rises.

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_large
    .venv/bin/python benchmarks/after_write.py [--runs 10] [--period month|quarter]

`benchmarks/pages.py` measures warm (every request after the first, until a write) and
`--cold` (no cache at all: nothing is reused). Between the two is the usual case after a write:
the written area's entries are gone and the others stay. For each area this raises its version
(`data_versions.bump`, as a write's commit does; nothing else is written), then times the
summary panel (only that area's tile is computed again; the other five come from their own
entries) and the area's own panel (built afresh), `--runs` times; p50/p95 of server time,
in-process, as pages.py measures it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pages import _client_for, percentile  # noqa: E402  (benchmarks/pages.py)
from sqlalchemy import select  # noqa: E402

from portal import create_app, data_versions  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.org.models import Person  # noqa: E402

AREA_PANELS = [
    (data_versions.KPIS, "kpis"),
    (data_versions.QA, "qa"),
    (data_versions.COACHING, "one-on-ones"),
    (data_versions.GOALS, "goals"),
    (data_versions.TRAINING, "training"),
    (data_versions.RECOGNITION, "recognition"),
]
HX = {"HX-Request": "true"}


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url, headers=HX)
    took = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: status {response.status_code}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--period", default="month", choices=["month", "quarter"])
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            raise SystemExit("Run it on the large data set (PostgreSQL): see the docstring.")
        head = db.session.execute(
            select(Person).where(Person.email.like("head@%")).order_by(Person.id.desc()).limit(1)
        ).scalar_one()
        head_id = head.id
        client = _client_for(app, head)

    def url(key: str) -> str:
        return f"/teams/{head_id}/panels/{key}?period={args.period}"

    for _area, key in AREA_PANELS:  # fill every entry
        timed(client, url(key))
    timed(client, url("summary"))
    print(
        f"head #{head_id}, {args.period}; after a write to one area, {args.runs} runs "
        "(server time, in-process, ms)"
    )
    print(f"  {'area written':<14} {'summary p50':>12} {'p95':>7} {'its panel p50':>14} {'p95':>7}")
    for area, key in AREA_PANELS:
        summary_times, panel_times = [], []
        for _ in range(args.runs):
            with app.app_context():
                data_versions.bump(db.session, area)
                db.session.commit()
            summary_times.append(timed(client, url("summary")))
            panel_times.append(timed(client, url(key)))
        print(
            f"  {area:<14} {statistics.median(summary_times):12.1f} "
            f"{percentile(summary_times, 0.95):7.1f} {statistics.median(panel_times):14.1f} "
            f"{percentile(panel_times, 0.95):7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
