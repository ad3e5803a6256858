"""Time every team-view panel, the home page and the list pages on the large data set; then
gunicorn's throughput (wrk when installed) of the team view and its panels against /healthz.

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_large
    .venv/bin/flask db upgrade && .venv/bin/flask demo large && .venv/bin/flask rollups refresh
    .venv/bin/python benchmarks/pages.py [--runs 20] [--seconds 5] [--only "head, month"] [--cold]

Part 1 (server time, in-process): signs in through a server-side session (no password check, no
network) as the head of operations, a manager, a supervisor and an agent of the generated
organisation, the demo's QA analyst, trainer and HR. For the team view of the head, the manager
and the supervisor (month and quarter) it times the page and every panel of
`teams.panels.SPECS` (new panels are measured without changing this file); for the home page of
each role, the page and every section it loads after it. A panel the page asks for on load
(`hx-get` with a `load` trigger in its HTML) is requested with the page's URL; one that loads when
its section is opened is marked "(on open)". "whole, sequential" is the page then its on-load
panels one by one, "whole, concurrent" the page then those panels in parallel threads, as a
browser sends them (target < 250 ms). Then the other list pages. Each line: the first request,
p50/p95 of `--runs` more, the statements of the first and of the last request; lines over
100 ms at p95 are flagged. `--cold` turns the panel cache off (`CACHE_PANELS=0`, here and for
gunicorn): the figures without it; otherwise "first" is the cache's miss and p50/p95 its hits.

Part 2 (throughput): starts gunicorn (`--workers`) on a free loopback port against the same
database and runs `wrk -t2 -c4 -d5s` (`--threads`, `--clients`, `--seconds`) against /healthz
without a cookie (the reference, as a load balancer asks), /healthz signed in, the head's team
view page and each of its panels (month) with the head's session cookie; prints requests/second
and each as % of /healthz, and whether the heaviest panel reaches 25 %. Without wrk (or with
`--no-wrk`) Python client threads do it (they cap near 220 req/s: /healthz then measures the
client). Then the whole team view over HTTP: the page, then its on-load panels on parallel
connections. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "--cold" in sys.argv:  # before the portal's configuration is read
    os.environ["CACHE_PANELS"] = "0"

from sqlalchemy import event, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.auth import sessions  # noqa: E402
from portal.db import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.org.models import Person, Position  # noqa: E402

# (who, name, url): who is "head", "manager", "supervisor", "agent", "qa", "trainer" or "hr".
# The team view and the home page are "views": a page and the panels it asks for with htmx
# (`hx-get` with a `load` trigger, read from the page's HTML; a browser sends them together),
# plus, for the team view, every panel of `teams.panels.SPECS` (those that load when their
# section is opened too). Each is timed on its own; "whole" adds the page and its on-load
# panels, one by one (sequential) and in parallel threads as a browser would (concurrent).
VIEW_ROLES = ["head", "manager", "supervisor"]
PERIODS = ["month", "quarter"]
HOME_ROLES = ["head", "manager", "supervisor", "agent", "qa", "trainer", "hr"]
PAGES = [
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
]


@dataclass
class View:
    """A page and the panels measured with it: `on_load` are those its HTML asks for on load."""

    who: str
    name: str
    url: str
    panels: list[tuple[str, str]]  # (name, url)
    on_load: list[str] = field(default_factory=list)  # urls


def team_view_specs() -> list[str]:
    from portal.blueprints.teams.panels import SPECS

    return [spec.key for spec in SPECS]


def views() -> list[View]:
    found = []
    for who in VIEW_ROLES:
        for period in PERIODS:
            url = f"/teams/{{{who}}}?period={period}"
            panels = [
                (f"panel {key}", f"/teams/{{{who}}}/panels/{key}?period={period}")
                for key in team_view_specs()
            ]
            found.append(View(who, f"team view, {who}, {period}", url, panels))
    for who in HOME_ROLES:
        found.append(View(who, f"home, {who}", "/", []))
    return found


_HX_TAG = re.compile(r"<[a-zA-Z][^>]*\bhx-get=[^>]*>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def loads_on_load(html: str) -> list[str]:
    """The URLs the page's htmx elements request on load (`hx-trigger` with `load`)."""
    urls = []
    for tag in _HX_TAG.findall(html):
        attrs = dict(_ATTR.findall(tag))
        trigger = attrs.get("hx-trigger", "")
        if "hx-get" in attrs and re.search(r"(^|[\s,])load(\b|$)", trigger):
            urls.append(unescape(attrs["hx-get"]))
    return urls


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4, help="wrk connections / client threads")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="only lines whose name contains this")
    parser.add_argument("--no-gunicorn", action="store_true")
    parser.add_argument("--no-wrk", action="store_true", help="the threaded client even with wrk")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no panel cache (CACHE_PANELS=0, in-process and for gunicorn)",
    )
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


class Meter:
    """Times requests in-process and counts their SQL statements; prints one line each."""

    LIMIT = 100.0  # ms at p95: a line above it is flagged

    def __init__(self, engine, runs: int) -> None:
        self.runs = runs
        self.statements = 0
        self.over: list[str] = []
        self.rows: list[tuple[str, float, float, float, int, int]] = []
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_a) -> None:
        self.statements += 1

    @staticmethod
    def header() -> None:
        print(f"  {'request':<58} {'first':>7} {'p50':>7} {'p95':>7} {'SQL 1st/next':>13}")

    def get(self, client, url: str):
        headers = {"HX-Request": "true"} if _is_fragment(url) else {}
        return client.get(url, headers=headers)

    def line(self, name: str, client, url: str) -> str | None:
        """Time `url` (first request, then `runs` more); return its HTML (None: not 200)."""
        self.statements = 0
        start = time.perf_counter()
        response = self.get(client, url)
        first = (time.perf_counter() - start) * 1000
        first_statements = self.statements
        if response.status_code != 200:
            print(f"  {name:<58} status {response.status_code} ({url})")
            return None
        timings = []
        for _ in range(self.runs):
            self.statements = 0
            start = time.perf_counter()
            self.get(client, url)
            timings.append((time.perf_counter() - start) * 1000)
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        flag = f"  > {self.LIMIT:.0f}" if p95 > self.LIMIT else ""
        if flag:
            self.over.append(name)
        self.rows.append((name, first, p50, p95, first_statements, self.statements))
        sql = f"{first_statements}/{self.statements}"
        print(f"  {name:<58} {first:7.1f} {p50:7.1f} {p95:7.1f} {sql:>13}{flag}", flush=True)
        return response.get_data(as_text=True)


def _is_fragment(url: str) -> bool:
    return "/panels/" in url or "/home/sections/" in url


def _clone(app, client):
    """Another test client with the same session cookie (one per thread)."""
    name = app.config["SESSION_COOKIE_NAME"]
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def whole_view(app, meter: Meter, name: str, client, page: str, panels: list[str]) -> None:
    """The page then its on-load panels: one after the other, and in parallel threads (one per
    panel, as a browser sends them once the page has arrived); wall time of each run."""
    clones = [_clone(app, client) for _ in panels]
    sequential, concurrent = [], []
    for _ in range(meter.runs):
        start = time.perf_counter()
        meter.get(client, page)
        for url in panels:
            meter.get(client, url)
        sequential.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        meter.get(client, page)
        threads = [
            threading.Thread(target=meter.get, args=(clone, url))
            for clone, url in zip(clones, panels, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent.append((time.perf_counter() - start) * 1000)
    for kind, runs in (("sequential", sequential), ("concurrent", concurrent)):
        label = f"{name}: whole, {kind}"
        p50, p95 = statistics.median(runs), percentile(runs, 0.95)
        flag = "  > 250" if p95 > 250 else ""
        if flag:
            meter.over.append(f"{label} (> 250)")
        print(f"  {label:<58} {'':>7} {p50:7.1f} {p95:7.1f} {'':>13}{flag}", flush=True)
        meter.rows.append((label, 0.0, p50, p95, 0, 0))
    print(f"  {'':<58} (page + {len(panels)} on-load panels)")


def server_times(app, args: argparse.Namespace) -> dict:
    """Print first/p50/p95 and statements per line; return what the throughput part needs."""
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
    cache = "off (--cold, CACHE_PANELS=0)" if args.cold else "as configured"
    print(
        f"{dialect}; head #{ids['head']}, manager #{ids['manager']}, supervisor "
        f"#{ids['supervisor']}, agent #{ids['agent']}; panel cache {cache}; first request, then "
        f"{args.runs} runs per line (server time, in-process, ms)"
    )
    meter = Meter(engine, args.runs)
    meter.header()
    head_panels: list[str] = []
    head_on_load: list[str] = []
    for view in views():
        client = clients[view.who]
        page = view.url.format(**ids)
        wanted = not args.only or args.only in view.name
        html = meter.line(f"{view.name}: page", client, page) if wanted else None
        if html is None:
            html = meter.get(client, page).get_data(as_text=True)
        on_load = loads_on_load(html)
        # A named panel the page asks for on load is requested with the page's own URL (its
        # arguments); on-load requests that are not among them (home sections) are added.
        by_path = {u.split("?")[0]: u for u in on_load}
        named = [(n, u.format(**ids)) for n, u in view.panels]
        named = [(n, by_path.get(u.split("?")[0], u)) for n, u in named]
        known = {u for _n, u in named}
        named += [
            (f"panel {u.split('?')[0].rsplit('/', 1)[-1]}", u) for u in on_load if u not in known
        ]
        for panel_name, url in named:
            name = f"{view.name}: {panel_name}{'' if url in on_load else ' (on open)'}"
            if not args.only or args.only in name:
                meter.line(name, client, url)
        if wanted and on_load:
            whole_view(app, meter, view.name, client, page, on_load)
        if view.who == "head" and view.name.endswith("month"):
            head_panels = [u for _n, u in named]
            head_on_load = on_load
    for who, name, template in PAGES:
        if not args.only or args.only in name:
            meter.line(name, clients[who], template.format(**ids))
    print(f"  {len(meter.over)} of {len(meter.rows)} lines over {Meter.LIMIT:.0f} ms at p95")
    for name in meter.over:
        print(f"    {name}")
    cookie = clients["head"].get_cookie(app.config["SESSION_COOKIE_NAME"])
    return {
        "cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie.value}",
        "page": f"/teams/{ids['head']}?period=month",
        "panels": head_panels,
        "on_load": head_on_load,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _headers(path: str, cookie: str) -> dict[str, str]:
    headers = {"Cookie": cookie} if cookie else {}
    return {**headers, **({"HX-Request": "true"} if _is_fragment(path) else {})}


def _hammer(port: int, path: str, cookie: str, seconds: float, clients: int) -> tuple[int, int]:
    """Requests of `clients` keep-alive threads for `seconds`; (ok, failed)."""
    deadline = time.perf_counter() + seconds
    counts = [[0, 0] for _ in range(clients)]
    headers = _headers(path, cookie)

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


def _wrk(port: int, path: str, cookie: str, args: argparse.Namespace) -> tuple[float, str]:
    """wrk's requests/second for `path`, and a note (latency, non-2xx responses)."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.clients}",
        f"-d{args.seconds:g}s",
        "--timeout",
        "30s",
    ]
    for key, value in _headers(path, cookie).items():
        command += ["-H", f"{key}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    latency = re.search(r"Latency\s+(\S+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    note = f"mean latency {latency.group(1)}" if latency else ""
    if bad:
        note += f", {bad.group(1)} non-2xx/3xx responses"
    errors = re.search(r"Socket errors:.*", out)
    if errors:
        note += f", {errors.group(0)}"
    return rate, note


def _whole_over_http(port: int, page: str, panels: list[str], cookie: str, runs: int) -> None:
    """The team view as a browser loads it from gunicorn: the page, then its on-load panels
    over one connection each (browsers open six per host); wall time per run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", page, headers=_headers(page, cookie))
        connection.getresponse().read()
        connection.close()

        def fetch(url: str) -> None:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", url, headers=_headers(url, cookie))
            c.getresponse().read()
            c.close()

        threads = [threading.Thread(target=fetch, args=(u,)) for u in panels[:6]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"  whole team view over HTTP (head, month; page + {len(panels)} on-load panels in "
        f"parallel): p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
    )


def throughput(found: dict, args: argparse.Namespace) -> None:
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
    cookie = found["cookie"]
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        # /healthz as a load balancer asks (no cookie: the reference), then signed in (the
        # session's cost alone), then the pages.
        paths = [("/healthz", "/healthz"), ("/healthz, signed in", "/healthz")]
        paths += [("team view page", found["page"])]
        paths += [(f"panel {u.split('/panels/')[1].split('?')[0]}", u) for u in found["panels"]]
        for _name, path in paths:  # warm every worker (and the cache, when there is one)
            _hammer(port, path, cookie, 0.5, args.clients)
        use_wrk = shutil.which("wrk") and not args.no_wrk
        client = (
            f"wrk -t{args.threads} -c{args.clients}"
            if use_wrk
            else f"{args.clients} Python client threads (no wrk: this measures the client too)"
        )
        print(f"gunicorn, {args.workers} workers; {client}; {args.seconds:g} s each; head, month")
        rates: dict[str, float] = {}
        for name, path in paths:
            sent = "" if name == "/healthz" else cookie
            if use_wrk:
                rate, note = _wrk(port, path, sent, args)
            else:
                ok, failed = _hammer(port, path, sent, args.seconds, args.clients)
                rate, note = ok / args.seconds, f"{ok} ok, {failed} failed"
            rates[name] = rate
            share = 100 * rate / rates["/healthz"] if rates["/healthz"] else 0.0
            print(f"  {name:<28} {rate:9.1f} req/s {share:6.1f} % of /healthz  ({note})")
        panels = {k: v for k, v in rates.items() if k.startswith("panel ")}
        if panels and rates["/healthz"]:
            slowest = min(panels, key=panels.get)
            share = 100 * panels[slowest] / rates["/healthz"]
            verdict = "meets" if share >= 25 else "misses"
            print(f"  heaviest panel: {slowest}, {share:.1f} % of /healthz ({verdict} the 25 %)")
        if found["on_load"]:
            _whole_over_http(port, found["page"], found["on_load"], cookie, max(args.runs, 5))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    args = parse_args()
    if args.cold:
        os.environ["CACHE_PANELS"] = "0"  # read by the config; gunicorn inherits it
    app = create_app()
    if args.cold:
        app.config["CACHE_PANELS"] = False
    found = server_times(app, args)
    if not args.no_gunicorn:
        throughput(found, args)


if __name__ == "__main__":
    main()
