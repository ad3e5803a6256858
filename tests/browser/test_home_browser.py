"""The home page "what needs me" in Chromium: for each role, every item's count equals the
number of records the linked page shows (follow the link, count the rows)."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.coaching import meetings as meeting_service
from portal.coaching import series as series_service
from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Person
from portal.qa.models import Contact
from portal.training import kudos
from portal.training.assignments import new_token
from tests.browser.conftest import sign_in
from tests.coaching.helpers import (
    make_evaluation,
    meetings_of,
    scorecard_question_ids,
    setup_series,
)
from tests.training import helpers as training

# What each role's home must show: the section keys (a person with several roles sees each).
ROLES = {
    "agent_a1": ["agent"],
    "sup_a": ["agent", "supervisor"],
    "manager_hk": ["agent", "supervisor", "manager"],
    "qa": ["agent", "qa"],
    "trainer": ["agent", "trainer"],
    "hr": ["agent", "hr"],
}
# Which module provides each section (the manager, QA, trainer and HR sections are another
# part of issue 17: a role whose section is not there yet is skipped, saying so).
SECTION_MODULES = {
    "agent": "portal.home.agent",
    "supervisor": "portal.home.supervisor",
    "manager": "portal.home.manager",
    "qa": "portal.home.queues",
    "trainer": "portal.home.queues",
    "hr": "portal.home.queues",
}

# How to count the records a linked page shows, per item key (a CSS selector, or a function
# of the Playwright page). A key not listed counts the rows of the page's first table body.
EVALUATION_ROWS = "#evaluation-rows tbody tr"
COUNTERS = {
    "agent.acknowledge": EVALUATION_ROWS,
    "agent.disputes_answered": EVALUATION_ROWS,
    "supervisor.disputes": EVALUATION_ROWS,
    "supervisor.queue": "#queue-rows tbody tr",
    "supervisor.drafts": "main a[href^='/qa/evaluations/'][href$='/edit']",
    # portal.js puts each table in a .table-scroll box (it scrolls inside its card on phones)
    "agent.actions": "h2:text-is('Mine') + .table-scroll tbody tr",
    "supervisor.actions": 'h2:text-is("The other person\'s") + .table-scroll tbody tr',
    # this week is the grid's last week column (before the "% held" column)
    "supervisor.one_on_ones": (
        "table.completion-grid tbody tr td:nth-last-child(2).cell-not_recorded"
    ),
    "agent.training": "main table.table >> nth=0 >> tbody tr:has(a, button, form)",
    "agent.one_on_one": "h1",  # the meeting page itself: one meeting
}


def _teams_below_target(page) -> int:
    """Rows of the completion page's "By team" table whose % held is under 80; with a single
    supervisor in reach the page shows that team's grid and overall figure instead."""
    percent = """text => { const m = text.match(/(\\d+)\\s*%/); return m ? +m[1] : null; }"""
    teams = page.locator('h2:text-is("By team") + .table-scroll tbody tr')
    if teams.count():
        return teams.evaluate_all(
            f"rows => rows.filter(r => {{ const p = ({percent})(r.textContent);"
            " return p !== null && p < 80; }).length"
        )
    overall = page.locator("p.stat").first.evaluate(f"e => ({percent})(e.textContent)")
    return int(overall is not None and overall < 80)


COUNTERS["manager.one_on_ones"] = _teams_below_target


def _kudos_to(name: str):
    def count(page) -> int:
        return page.locator("ul.feed li.card").filter(has_text=f"→ {name}").count()

    return count


def _work_for_everyone(app, people) -> None:
    """Evaluations for A1 (two to acknowledge, one disputed), a draft and three contacts to
    evaluate for sup_a, weekly 1:1s with an action item, an overdue course and a kudos."""
    with app.app_context():
        get = lambda key: db.session.get(Person, people[key]["id"])  # noqa: E731
        world = SimpleNamespace(qa=get("qa"), sup_a=get("sup_a"))
        a1, a2, hr = get("agent_a1"), get("agent_a2"), get("hr")
        now = utcnow()
        version_id, _questions = scorecard_question_ids(world)
        for status in ("submitted", "submitted", "disputed"):
            ev = make_evaluation(world, a1, version_id, submitted_at=now - timedelta(days=1),
                                 status=status)  # fmt: skip
            if status == "disputed":
                ev.disputed_at = now
        make_evaluation(world, a2, version_id, submitted_at=now, status="draft")
        for n in range(3):
            db.session.add(
                Contact(
                    channel="chat",
                    source="browser",
                    external_id=f"HOME-B{n}",
                    person_id=a2.id,
                    occurred_at=now - timedelta(hours=n + 1),
                    direction="inbound",
                )  # fmt: skip
            )
        db.session.commit()
        series = setup_series(world, now=now - timedelta(days=15))
        for s in series.values():
            for week in range(4):
                series_service.generate_meetings(
                    s, now - timedelta(days=15) + timedelta(weeks=week)
                )
        db.session.commit()
        meeting = meetings_of(series[a1.id])[0]
        meeting_service.add_action_item(world.sup_a, meeting, body="Read the refund guide",
                                        owner_id=a1.id, due_on=now.date() - timedelta(days=1),
                                        request_token=new_token())  # fmt: skip
        course = training.course(hr, title="Refunds, overdue")
        training.assign(hr, course, due_on=now.date() - timedelta(days=2), person_id=a1.id)
        kudos.give_kudos(a2, a1.id, "Teamwork", "Thanks for the cover", True, new_token(),
                         url="/recognition/")  # fmt: skip
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="module")
def work(live_server):
    _work_for_everyone(live_server["app"], live_server["people"])
    return live_server


def _missing_sections(sections: list[str]) -> list[str]:
    return [key for key in sections if importlib.util.find_spec(SECTION_MODULES[key]) is None]


@pytest.mark.parametrize("role", list(ROLES))
def test_each_items_count_matches_its_linked_page(work, page, role):
    missing = _missing_sections(ROLES[role])
    if missing:
        pytest.skip(f"the {', '.join(missing)} section(s) are another part of issue 17, "
                    "not in this branch yet")  # fmt: skip
    base, people = work["url"], work["people"]
    sign_in(page, base, people[role]["email"])
    p = page.page
    # A subtree's section loads after the page: wait until none is still loading.
    expect(p.locator("section.home-section[aria-busy=true]")).to_have_count(0)
    shown = p.locator("section.home-section").evaluate_all("els => els.map(e => e.dataset.section)")
    assert set(ROLES[role]) <= set(shown), shown
    items = p.locator("li.home-item").evaluate_all(
        """els => els.map(e => ({key: e.dataset.item, count: +e.dataset.count,
                                url: e.querySelector('a').getAttribute('href'),
                                label: e.querySelector('a').textContent.trim()}))"""
    )
    page.screenshot(f"home-{role}")
    counters = dict(COUNTERS, **{"agent.kudos": _kudos_to(people["agent_a1"]["name"])})
    wrong = []
    for item in items:
        assert str(item["count"]) in item["label"], item  # the link text says the count
        p.goto(base + item["url"])
        counter = counters.get(item["key"], "main table tbody tr")
        found = counter(p) if callable(counter) else p.locator(counter).count()
        if found != item["count"]:
            wrong.append((item["key"], item["url"], item["count"], found))
    assert not wrong, (role, wrong)
    if role == "agent_a1":
        keys = {item["key"] for item in items}
        assert {"agent.acknowledge", "agent.actions", "agent.training", "agent.kudos"} <= keys
    if role == "sup_a":
        keys = {item["key"] for item in items}
        assert {"supervisor.queue", "supervisor.drafts", "supervisor.disputes"} <= keys
