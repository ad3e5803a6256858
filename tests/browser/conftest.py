"""A live portal in a thread (its own SQLite file) driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[dict]:
    """Serve a fresh portal with the small known world; yields its URL and the world's emails."""
    require_chromium()
    app = create_app(live_config(tmp_path_factory.mktemp("live") / "portal.db"))
    with app.app_context():
        upgrade()
        world = factories.build_world()
        people = {
            name: {"id": person.id, "email": person.email, "name": person.name}
            for name, person in vars(world).items()
            if hasattr(person, "email")
        }
        db.session.remove()
    with serving(app) as url:
        yield {"url": url, "people": people, "app": app}


def require_chromium() -> None:
    """Skip without Debian's Chromium, except on CI where its absence is a failure."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


def live_config(db_file: Path) -> type[TestConfig]:
    """The test configuration on its own SQLite file, reachable by any host name."""

    class LiveConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_file}"
        SERVER_NAME = None

    return LiveConfig


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve the app from a thread on a free loopback port; yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


class PageWatch:
    """Collects console errors and failed requests; a test may allow some by URL fragment."""

    def __init__(self, page, shots: Path):
        self.page = page
        self.shots = shots
        self.errors: list[str] = []
        self.allowed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request) -> None:
        # A request cut short because the page navigated away is not a failure of the portal.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"console: {msg.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def allow(self, fragment: str) -> None:
        """Expect an error response (and its console line) whose text contains fragment."""
        self.allowed.append(fragment)

    def screenshot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def unexpected(self) -> list[str]:
        return [
            e
            for e in self.errors
            if not any(a in e for a in self.allowed)
            # Chromium logs a 404 as "Failed to load resource" without the URL.
            and not (self.allowed and "Failed to load resource" in e)
        ]


@contextmanager
def watched(browser, shots: Path, **context_options) -> Iterator[PageWatch]:
    """A new browser context and page; fails the test on console errors or failed requests."""
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Hong_Kong", **context_options)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    watch = PageWatch(pg, shots)
    try:
        yield watch
    finally:
        context.close()
    problems = watch.unexpected()
    assert not problems, f"console errors or failed requests: {problems}"


@pytest.fixture
def page(browser, request) -> Iterator[PageWatch]:
    shots = RESULTS / request.node.name
    if shots.exists():
        shutil.rmtree(shots)
    with watched(browser, shots) as watch:
        yield watch


def sign_in(
    watch: PageWatch, base_url: str, email: str, password: str = factories.PASSWORD
) -> None:
    page = watch.page
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def menu(watch: PageWatch, group: str, entry: str) -> None:
    """Open a main-menu group by its name and follow one of its entries (on a phone, unfold
    the menu behind its "Menu" button first)."""
    page = watch.page
    toggle = page.locator("[data-menu-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    summary = page.locator("nav.mainnav summary", has_text=group)
    if summary.count():  # a group of one entry is a plain link
        summary.click()
    page.locator("nav.mainnav").get_by_role("link", name=entry, exact=True).click()


@contextmanager
def signed_in(
    browser, base_url: str, email: str, shots: str, password: str = factories.PASSWORD
) -> Iterator[PageWatch]:
    """A new browser context (downloads allowed) signed in as `email`; screenshots go to
    test-results/<shots>."""
    with watched(browser, RESULTS / shots, accept_downloads=True) as watch:
        sign_in(watch, base_url, email, password)
        yield watch


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(watch: PageWatch, context: str | None = None) -> list[str]:
    """Run axe-core (npm devDependency) on the current page; one line per violation and node.

    The script is evaluated through the DevTools protocol, so the portal's CSP stays on."""
    page = watch.page
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    results = page.evaluate(
        """async (ctx) => {
            const r = await window.axe.run(ctx || document, {resultTypes: ['violations']});
            return r.violations.map(v => v.nodes.map(
                n => v.id + ': ' + n.target.join(' ') + ' - '
                    + n.failureSummary.split('\\n').join(' ')
            )).flat();
        }""",
        context,
    )
    return list(results)


def assert_accessible(watch: PageWatch, context: str | None = None) -> None:
    """Fail with axe-core's violations on the current page (or the element `context`)."""
    problems = axe_violations(watch, context)
    assert not problems, f"axe violations on {watch.page.url}: {problems}"
