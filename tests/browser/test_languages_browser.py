"""Each market's language in Chromium: one person per language opens the main page of each
area (home, evaluate, my evaluations, 1:1s and a meeting, goals and a review, team view,
training, notifications, people); no visible text may be an English message of the catalogue
(one that the language translates differently), and the page's `lang` is the chosen one."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Person, Position
from tests.browser.conftest import sign_in
from tests.coaching.helpers import meetings_of, setup_series
from tests.goals.helpers import ready_review

ROOT = Path(__file__).resolve().parents[2]
LANGS = {
    "zh_Hant": "agent_a1",
    "zh_Hans": "agent_a2",
    "ja": "sup_a",
    "ko": "manager_hk",
    "vi": "hr",
}
PAGES = ["/", "/qa/my-evaluations", "/coaching/", "/goals/", "/training/", "/notifications/",
         "/notifications/preferences", "/org/people", "/auth/sessions"]  # fmt: skip
EVALUATORS = {"sup_a", "manager_hk"}  # the evaluate page is theirs (an agent gets 403)


def english_messages(lang: str) -> set[str]:
    """The catalogue's English messages that the language shows otherwise."""
    with open(ROOT / f"portal/translations/{lang}/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    found = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if "%" not in msgid and msgid.strip() and msgid not in strings:
                found.add(msgid.strip())
    return found


@pytest.fixture(scope="module")
def records(live_server) -> dict[str, str]:
    """A1's 1:1 meeting page and review page (the review in its self-assessment)."""
    people = live_server["people"]
    with live_server["app"].app_context():
        world = SimpleNamespace(**{k: db.session.get(Person, v["id"]) for k, v in people.items()})
        series = setup_series(world, now=utcnow())
        meeting = meetings_of(series[world.agent_a1.id])[0]
        review = ready_review(world).review
        pages = {
            "meeting": f"/coaching/meetings/{meeting.id}",
            "review": f"/goals/reviews/{review.id}",
        }
        db.session.commit()
        db.session.remove()
    return pages


@pytest.mark.parametrize("lang", list(LANGS))
def test_a_persons_pages_are_in_their_language(live_server, records, page, lang):
    base, people = live_server["url"], live_server["people"]
    who = LANGS[lang]
    with live_server["app"].app_context():
        db.session.get(Person, people[who]["id"]).locale = lang
        db.session.commit()
        # Positions are data, entered as HR named them ("Agent", "Manager"): not messages.
        data = set(db.session.scalars(select(Position.name)))
        db.session.remove()
    english = english_messages(lang) - data
    sign_in(page, base, people[who]["email"])
    p = page.page
    leaks = []
    pages = PAGES + ["/qa/evaluate"] * (who in EVALUATORS)
    pages += [f"/teams/{people[who]['id']}"] * (who != "hr")
    pages += list(records.values()) * (who in ("agent_a1", "sup_a", "manager_hk", "hr"))
    for path in pages:
        p.goto(base + path)
        assert p.locator("html").get_attribute("lang") == lang.replace("_", "-"), path
        lines = {line.strip() for line in p.locator("body").inner_text().splitlines()}
        leaks += [(path, line) for line in sorted(lines & english)]
    assert not leaks, f"{lang}: English left on the page: {leaks[:40]}"
