"""The team view's summary in a real browser: as the head of the tree and as a supervisor, the
tiles show the figures of the detail tables once their sections are opened; a tile is reached
by keyboard and Enter opens its section; axe finds nothing; on a phone nothing scrolls sideways."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RESULTS, assert_accessible, sign_in, watched
from tests.teams import panel_world

PHONE = {"width": 390, "height": 844}
SECTIONS = ("kpis", "qa", "one-on-ones", "goals", "training", "recognition")


@pytest.fixture(scope="module")
def panel_data(live_server):
    app, people = live_server["app"], live_server["people"]
    panel_world.build_for_live_server(app, people)
    return live_server


def _url(server, who: str) -> str:
    return f"{server['url']}/teams/{server['people'][who]['id']}?{panel_world.OCTOBER}"


def _figure(p, area: str) -> str:
    figure = p.locator(f"#tile-{area} [data-figure]")
    return figure.inner_text().strip() if figure.count() else ""


def _cell(p, table: str, column: int) -> str:
    """A cell of the first row of a detail table (column 0: the row's heading)."""
    row = p.locator(f"#{table}-table tbody tr").first
    text = row.locator("th, td").nth(column).inner_text().strip()
    return "" if text == "—" else text


def _open_every_section(p) -> None:
    for key in SECTIONS:
        section = p.locator(f"#section-{key}")
        if section.count() and not section.evaluate("d => d.open"):
            section.locator("summary").click()
    for table in ("qa", "one-on-ones", "training", "kudos"):
        p.locator(f"#{table}-table").wait_for()
    p.locator("#reviews-on-track").wait_for()


@pytest.mark.parametrize("who", ["head", "sup_a"])
def test_tiles_match_the_detail_tables(panel_data, browser, who):
    server = panel_data
    with watched(browser, RESULTS / f"team-summary-{who}") as watch:
        sign_in(watch, server["url"], server["people"][who]["email"])
        p = watch.page
        p.goto(_url(server, who))
        p.locator("#panel-summary").wait_for()
        # Only the KPI section loads with the page; the others wait to be opened.
        p.locator("#panel-kpis").wait_for()
        assert p.locator("#panel-qa").count() == 0
        watch.screenshot("summary")

        # Keyboard: from the KPI tile, Tab reaches the QA tile; Enter opens its section.
        p.locator("#tile-kpis a").focus()
        p.keyboard.press("Tab")
        assert p.evaluate("() => document.activeElement.closest('li').id") == "tile-qa"
        p.keyboard.press("Enter")
        p.locator("#qa-table").wait_for()
        assert p.locator("#section-qa").evaluate("d => d.open")
        assert p.url.endswith("#section-qa")

        _open_every_section(p)
        # QA: This period | from | to | evaluations | scored | average | low | high | fails
        assert _figure(p, "qa") == _cell(p, "qa", 5)
        assert f"n = {_cell(p, 'qa', 3)} evaluations" in p.locator("#tile-qa").inner_text()
        assert _figure(p, "one-on-ones") == _cell(p, "one-on-ones", 6)  # % held
        assert _figure(p, "training") == _cell(p, "training", 4)  # overdue
        assert _figure(p, "recognition") == _cell(p, "kudos", 1)
        on_track = p.locator("#reviews-on-track strong").inner_text().strip()
        assert _figure(p, "reviews") == on_track
        watch.screenshot("sections-open")
        assert_accessible(watch)


def test_a_link_to_a_section_opens_it(panel_data, browser):
    server = panel_data
    with watched(browser, RESULTS / "team-summary-link") as watch:
        sign_in(watch, server["url"], server["people"]["sup_a"]["email"])
        p = watch.page
        p.goto(_url(server, "sup_a") + "#section-training")
        p.locator("#training-table").wait_for()
        assert p.locator("#section-training").evaluate("d => d.open")
        assert not p.locator("#section-recognition").evaluate("d => d.open")


@pytest.mark.parametrize("who", ["head", "sup_a"])
def test_the_summary_fits_a_phone(panel_data, browser, who):
    server = panel_data
    with watched(browser, RESULTS / f"team-summary-phone-{who}", viewport=PHONE) as watch:
        sign_in(watch, server["url"], server["people"][who]["email"])
        p = watch.page
        p.goto(_url(server, who))
        p.locator("#panel-summary").wait_for()
        _open_every_section(p)
        p.locator("#panel-kpis").wait_for()
        assert p.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        watch.screenshot("phone")
        assert_accessible(watch)
