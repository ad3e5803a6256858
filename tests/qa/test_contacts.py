"""The contacts list and detail: visibility through Area.QA, filters, keyset paging, query count."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.qa.models import Contact
from tests.conftest import as_user, count_queries

BASE = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def make_contact(person, external_id: str, *, at: datetime = BASE, **kw) -> Contact:
    values = dict(
        channel="phone",
        source="genesys",
        external_id=external_id,
        person_id=person.id,
        occurred_at=at,
        direction="inbound",
        market_id=person.market_id,
        segment_id=person.segment_id,
    )
    values.update(kw)
    contact = Contact(**values)
    db.session.add(contact)
    db.session.commit()
    return contact


@pytest.fixture
def seeded(world):
    """One contact per agent, each with its agent's marker in its external id."""
    return {
        name: make_contact(getattr(world, name), f"EXT-{marker}")
        for name, marker in [
            ("agent_a1", "MK-A1"),
            ("agent_a2", "MK-A2"),
            ("agent_b1", "MK-B1"),
            ("agent_c1", "MK-C1"),
        ]
    }


def listed(client) -> set[str]:
    body = client.get("/qa/contacts").get_data(as_text=True)
    return set(re.findall(r"EXT-(MK-\w\d)", body))


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("agent_a1", {"MK-A1"}),
        ("sup_a", {"MK-A1", "MK-A2"}),
        ("manager_hk", {"MK-A1", "MK-A2", "MK-B1"}),
        ("head", {"MK-A1", "MK-A2", "MK-B1", "MK-C1"}),
        ("qa", {"MK-A1", "MK-A2"}),
        ("trainer", set()),
        ("hr", {"MK-A1", "MK-A2", "MK-B1", "MK-C1"}),
    ],
)
def test_each_viewer_lists_only_the_contacts_of_agents_in_their_qa_reach(
    client, world, seeded, viewer, expected
):
    as_user(client, getattr(world, viewer))
    assert listed(client) == expected


@pytest.mark.parametrize("viewer", ["agent_a2", "sup_b", "manager_jp", "trainer"])
def test_a_contact_out_of_reach_answers_404_and_leaks_nothing(client, world, seeded, viewer):
    as_user(client, getattr(world, viewer))
    response = client.get(f"/qa/contacts/{seeded['agent_a1'].id}")
    assert response.status_code == 404
    assert "MK-A1" not in response.get_data(as_text=True)


def test_a_contact_in_reach_shows_its_details_and_transcript(client, world):
    contact = make_contact(
        world.agent_a1,
        "EXT-DETAIL",
        transcript="Hello MK-TRANSCRIPT\nsecond line",
        recording_url="https://rec.example.com/x",
        customer_ref="MERCHANT-77",
        duration_seconds=95,
    )
    as_user(client, world.sup_a)
    body = client.get(f"/qa/contacts/{contact.id}").get_data(as_text=True)
    assert "MK-TRANSCRIPT" in body and "second line" in body
    assert 'href="https://rec.example.com/x"' in body and "MERCHANT-77" in body


def test_filters_narrow_the_list(client, world):
    make_contact(world.agent_a1, "EXT-PHONE")
    make_contact(world.agent_a1, "EXT-MAIL", channel="email")
    make_contact(world.agent_b1, "EXT-TEAMB")
    make_contact(world.agent_a2, "EXT-OLD", at=BASE - timedelta(days=30))
    as_user(client, world.hr)

    def ids(query: str) -> set[str]:
        body = client.get(f"/qa/contacts?{query}").get_data(as_text=True)
        return set(re.findall(r"EXT-[A-Z]+", body))

    assert ids("channel=email") == {"EXT-MAIL"}
    assert ids(f"team={world.team_b.id}") == {"EXT-TEAMB"}
    assert ids("agent=mk-a2") == {"EXT-OLD"}
    assert ids("agent=W-B1") == {"EXT-TEAMB"}
    assert ids(f"market={world.jp.id}") == set()
    assert ids(f"segment={world.vip.id}") == {"EXT-OLD"}
    assert ids("start_on=2026-03-01&end_on=2026-03-31") == {"EXT-PHONE", "EXT-MAIL", "EXT-TEAMB"}
    assert ids("end_on=2026-02-28") == {"EXT-OLD"}
    assert ids("start_on=not-a-date") == {"EXT-PHONE", "EXT-MAIL", "EXT-TEAMB", "EXT-OLD"}


def test_a_period_is_read_in_the_viewers_time_zone(client, world):
    # 2026-03-01 23:30 in Hong Kong is 15:30 UTC on the same day; 16:30 UTC is the next day there.
    make_contact(world.agent_a1, "EXT-LATE", at=datetime(2026, 3, 1, 15, 30, tzinfo=UTC))
    make_contact(world.agent_a1, "EXT-NEXT", at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    as_user(client, world.sup_a)  # Asia/Hong_Kong
    body = client.get("/qa/contacts?start_on=2026-03-01&end_on=2026-03-01").get_data(as_text=True)
    assert "EXT-LATE" in body and "EXT-NEXT" not in body


def test_the_list_pages_by_keyset_without_gaps_or_repeats(client, world, app):
    for n in range(30):
        make_contact(world.agent_a1, f"EXT-P{n:02d}", at=BASE - timedelta(hours=n // 2))
    as_user(client, world.sup_a)
    first = client.get("/qa/contacts").get_data(as_text=True)
    seen = re.findall(r"EXT-P\d\d", first)
    assert len(seen) == app.config["PAGE_SIZE"]
    after = re.search(r'href="(/qa/contacts\?after=[^"]+)" rel="next"', first).group(1)
    second = client.get(after.replace("&amp;", "&")).get_data(as_text=True)
    rest = re.findall(r"EXT-P\d\d", second)
    assert sorted(seen + rest) == [f"EXT-P{n:02d}" for n in range(30)]
    assert 'rel="next"' not in second


def test_the_list_filters_answer_only_the_rows_region_to_htmx(client, world, seeded):
    as_user(client, world.hr)
    response = client.get("/qa/contacts?channel=phone", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="contact-rows">') and "<html" not in body


def test_the_list_issues_as_many_queries_for_50_contacts_as_for_5(client, world, app):
    as_user(client, world.hr)

    def queries_for_list() -> int:
        with count_queries(app) as statements:
            assert client.get("/qa/contacts").status_code == 200
        return len(statements)

    for n in range(5):
        make_contact(world.agent_a1 if n % 2 else world.agent_c1, f"EXT-Q{n}")
    few = queries_for_list()
    for n in range(5, 50):
        make_contact(world.agent_a1 if n % 2 else world.agent_c1, f"EXT-Q{n}")
    assert queries_for_list() == few


def test_the_contacts_and_scorecards_menu_entries_follow_the_policy(client, world):
    as_user(client, world.sup_a)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/qa/contacts"' in page and 'href="/qa/scorecards"' in page
    as_user(client, world.agent_a1)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/qa/contacts"' not in page and 'href="/qa/scorecards"' not in page
