"""Time every list page and the team view on the large data set; then gunicorn's throughput of
the team view against /healthz in the same run.

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_large
    .venv/bin/flask db upgrade && .venv/bin/flask demo large
    .venv/bin/python benchmarks/pages.py [--runs 20] [--seconds 5] [--only team]

Part 1 (server time): signs in through a server-side session (no password check, no network)
as the head of operations, a manager, a supervisor and an agent of the generated organisation,
the demo's QA analyst, trainer and HR,
requests each page `--runs` times in-process and prints p50/p95 and the statements it issued.
Part 2 (throughput): starts gunicorn on a free loopback port against the same database with the
head's session cookie, and for `--seconds` each, `--clients` threads request the team view page,
its KPI panel, then /healthz; prints requests/second of each and the page's ratio to /healthz.
Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.auth import sessions  # noqa: E402
from portal.db import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.org.models import Person, Position  # noqa: E402

# (who, name, url): who is "head", "manager", "supervisor", "agent", "qa", "trainer" or "hr".
# The team view is a page and one request per panel (htmx, on load; a browser sends them
# together). Each is timed on its own; "whole, sequential" adds the page and its panels.
PANEL_KEYS = ["kpis", "qa", "one-on-ones", "goals", "training", "recognition"]
TEAM_VIEW = [
    ("head", f"team view, {period}, {part}", f"/teams/{{head}}{path}?period={period}")
    for period in ("month", "quarter")
    for part, path in [("page", "")] + [(f"panel {k}", f"/panels/{k}") for k in PANEL_KEYS]
]
HOME_ROLES = ["head", "manager", "supervisor", "agent", "qa", "trainer", "hr"]
PAGES = [
    *TEAM_VIEW,
    ("head", "team daily report", "/teams/{head}/daily"),
    ("head", "people directory", "/org/people"),
    ("head", "people search", "/org/people?q=Chan"),
    ("head", "org tree", "/org/tree"),
    ("head", "contacts", "/qa/contacts"),
    ("head", "evaluations", "/qa/evaluations"),
    ("head", "evaluations, disputed", "/qa/evaluations?status=disputed"),
    ("head", "QA report", "/qa/programme/reports"),
    ("head", "QA report, evaluations", "/qa/programme/reports/evaluations"),
    ("hr", "evaluator overturns", "/qa/evaluators"),
    ("qa", "QA calibration sessions", "/qa/programme/calibration"),
    ("qa", "QA calibration, new (picker)", "/qa/programme/calibration/new"),
    ("hr", "QA calibration results", "/qa/programme/calibration/{qa_calibration}/results"),
    ("head", "1:1 completion", "/coaching/completion"),
    ("head", "goals, team", "/goals/team"),
    ("head", "goals completion", "/goals/completion"),
    ("head", "reviews", "/goals/reviews"),
    ("head", "calibration", "/goals/calibration"),
    ("head", "calibration, blind", "/goals/calibration?blind=1"),
    ("head", "calibration log", "/goals/calibration/log"),
    ("hr", "calibration closing", "/goals/calibration/closing"),
    ("head", "improvement plans", "/improvement/"),
    ("head", "corrective actions", "/conduct/"),
    ("head", "coaching effect", "/coaching/effects"),
    ("head", "training, team", "/training/team"),
    ("hr", "training assignments", "/training/assignments"),
    ("head", "KPIs", "/kpis/"),
    ("head", "notifications", "/notifications/"),
    ("head", "recognition", "/recognition/"),
    ("head", "business reviews", "/business/"),
    ("head", "market summary, month", "/business/markets/{market}/summary?period=month"),
    ("head", "market summary, quarter", "/business/markets/{market}/summary?period=quarter"),
    ("supervisor", "team view (supervisor)", "/teams/{supervisor}?period=month"),
    ("supervisor", "evaluate queue", "/qa/evaluate"),
    ("supervisor", "evaluations (supervisor)", "/qa/evaluations"),
    ("supervisor", "contacts (supervisor)", "/qa/contacts"),
    ("supervisor", "1:1 series", "/coaching/"),
    ("supervisor", "1:1 actions", "/coaching/actions"),
    ("supervisor", "coaching sessions", "/coaching/sessions"),
    ("supervisor", "my action items", "/business/actions"),
    ("supervisor", "training, team (sup.)", "/training/team"),
    ("agent", "my evaluations", "/qa/my-evaluations"),
    ("agent", "my goals", "/goals/"),
    ("agent", "my training", "/training/"),
    ("hr", "audit log", "/admin/audit"),
    ("hr", "people directory (HR)", "/org/people"),
    # The home page, "what needs me", for each role (issue 17).
    *[(who, f"home ({who})", "/") for who in HOME_ROLES],
    # Its "Your organisation" section, which loads after the page (a panel of its own).
    ("head", "home panel: organisation (head)", "/home/sections/manager"),
    ("manager", "home panel: organisation (manager)", "/home/sections/manager"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="only pages whose name contains this")
    parser.add_argument("--no-gunicorn", action="store_true")
    return parser.parse_args()


def _people() -> dict[str, Person]:
    def first(stmt):
        return db.session.execute(stmt.order_by(Person.id.desc()).limit(1)).scalar_one()

    head = first(select(Person).where(Person.email.like("head@%")))
    large_sup = (
        select(Person)
        .join(Position, Position.id == Person.position_id)
        .where(Position.code == "supervisor", Person.email.like("large.%"))
    )
    supervisor = first(large_sup)
    agent = first(
        select(Person)
        .join(Position, Position.id == Person.position_id)
        .where(Position.code == "agent", Person.manager_id == supervisor.id)
    )
    hr = first(select(Person).where(Person.email.like("hr@%")))
    manager = first(select(Person).where(Person.id == supervisor.manager_id))
    qa = first(select(Person).where(Person.email.like("qa@%")))
    trainer = first(select(Person).where(Person.email.like("trainer@%")))
    return {
        "head": head,
        "manager": manager,
        "supervisor": supervisor,
        "agent": agent,
        "qa": qa,
        "trainer": trainer,
        "hr": hr,
    }


def _closed_calibration_session() -> int:
    """The closed QA calibration session with the most scorings (0: none, the page says 404)."""
    from sqlalchemy import func

    from portal.qa.programme_models import CalibrationScore, CalibrationSession

    stmt = (
        select(CalibrationSession.id)
        .join(CalibrationScore, CalibrationScore.session_id == CalibrationSession.id)
        .where(CalibrationSession.status == "closed")
        .group_by(CalibrationSession.id)
        .order_by(func.count().desc(), CalibrationSession.id.desc())
        .limit(1)
    )
    return db.session.execute(stmt).scalar() or 0


def _client_for(app, person: Person):
    token = sessions.start_session(person, now=utcnow(), address="127.0.0.1", user_agent="bench")
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def server_times(app, args: argparse.Namespace) -> tuple[str, int]:
    """Print p50/p95 and statements per page; return the head's session cookie and id."""
    statements = [0]

    def count(*_a) -> None:
        statements[0] += 1

    # Requests run outside this context: inside it, every request would share one `g` (and
    # so Flask-Login's user of the first request).
    with app.app_context():
        people = _people()
        ids = {who: p.id for who, p in people.items()}
        ids["market"] = people["head"].market_id
        ids["qa_calibration"] = _closed_calibration_session()
        clients = {who: _client_for(app, p) for who, p in people.items()}
        engine = db.engine
        dialect = engine.dialect.name
    print(
        f"{dialect}; head #{ids['head']}, supervisor #{ids['supervisor']}, "
        f"agent #{ids['agent']}; {args.runs} runs per page (server time, in-process)"
    )
    event.listen(engine, "before_cursor_execute", count)
    over = []
    whole: dict[str, list[list[float]]] = {}
    print(f"  {'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for who, name, template in PAGES:
        if args.only and args.only not in name:
            continue
        url = template.format(**ids)
        client = clients[who]
        headers = {"HX-Request": "true"} if "/panels/" in url else {}
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            print(f"  {name:<40} status {response.status_code} ({url})")
            continue
        timings = []
        for _ in range(args.runs):
            statements[0] = 0
            start = time.perf_counter()
            client.get(url, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
        p95 = percentile(timings, 0.95)
        whole.setdefault(name.rsplit(",", 1)[0], []).append(timings)
        flag = "  > 150" if p95 > 150 else ""
        if p95 > 150:
            over.append(name)
        print(f"  {name:<40} {statistics.median(timings):8.1f} {p95:8.1f} {statements[0]:8d}{flag}")
    event.remove(engine, "before_cursor_execute", count)
    for name, parts in whole.items():
        if name.startswith("team view") and len(parts) > 1:
            runs = [sum(run) for run in zip(*parts, strict=True)]
            print(
                f"  {name + ', whole, sequential':<40} {statistics.median(runs):8.1f} "
                f"{percentile(runs, 0.95):8.1f}    (page + {len(parts) - 1} panels, one by one)"
            )
    print(f"  over 150 ms at p95: {', '.join(over) if over else 'none'}")
    cookie = clients["head"].get_cookie(app.config["SESSION_COOKIE_NAME"])
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie.value}", ids["head"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hammer(port: int, path: str, cookie: str, seconds: float, clients: int) -> tuple[int, int]:
    """Requests/second of `clients` keep-alive threads for `seconds`; (ok, failed)."""
    deadline = time.perf_counter() + seconds
    counts = [[0, 0] for _ in range(clients)]
    headers = {"Cookie": cookie, **({"HX-Request": "true"} if "/panels/" in path else {})}

    def worker(slot: list[int]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                slot[0 if response.status == 200 else 1] += 1
            except (OSError, http.client.HTTPException):
                slot[1] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in counts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def throughput(cookie: str, head_id: int, args: argparse.Namespace) -> None:
    port = _free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        team = f"/teams/{head_id}?period=month"
        kpis = f"/teams/{head_id}/panels/kpis?period=month"
        for path in (team, kpis, "/healthz"):  # warm every worker
            _hammer(port, path, cookie, 1.0, args.clients)
        print(
            f"gunicorn, {args.workers} workers, {args.clients} client threads, "
            f"{args.seconds:.0f} s each"
        )
        rates = {}
        for name, path in (("team view", team), ("KPI panel", kpis), ("/healthz", "/healthz")):
            ok, failed = _hammer(port, path, cookie, args.seconds, args.clients)
            rates[name] = ok / args.seconds
            print(f"  {name:<12} {rates[name]:8.1f} req/s  ({ok} ok, {failed} failed)")
        if rates["/healthz"]:
            print(f"  team view / healthz: {100 * rates['team view'] / rates['/healthz']:.1f} %")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    args = parse_args()
    app = create_app()
    cookie, head_id = server_times(app, args)
    if not args.no_gunicorn:
        throughput(cookie, head_id, args)


if __name__ == "__main__":
    main()
