from datetime import date

import pytest

from portal.org import queries
from portal.org.queries import PersonFilters
from tests.conftest import as_user, count_queries
from tests.factories import PersonFactory, TeamFactory
from tests.org.helpers import next_link, table_markers


def test_search_matches_name_romanised_name_email_and_employee_id(client, world):
    PersonFactory(name="陳大文 MK-CHAN", name_romanised="Chan Tai Man", manager=world.sup_a)
    as_user(client, world.hr)
    for query in ("陳大文", "tai man", "A2@WORLD", "w-b1"):
        page = client.get("/org/people", query_string={"q": query}).get_data(as_text=True)
        expected = {"陳大文": "MK-CHAN", "tai man": "MK-CHAN", "A2@WORLD": "MK-A2", "w-b1": "MK-B1"}
        assert table_markers(page) == {expected[query]}, query
        assert "1 person" in page


def test_search_text_with_like_wildcards_is_taken_literally(client, world):
    as_user(client, world.hr)
    page = client.get("/org/people", query_string={"q": "%"}).get_data(as_text=True)
    assert table_markers(page) == set()
    assert "No one matches this search." in page


def test_filters_by_market_segment_team_and_position(client, world):
    as_user(client, world.hr)
    agent_position = world.agent_a1.position_id

    def shown(**args):
        page = client.get("/org/people", query_string=args).get_data(as_text=True)
        return table_markers(page)

    assert shown(market=world.jp.id) == {"MK-MGRJP", "MK-SUPC", "MK-C1"}
    assert shown(segment=world.vip.id) == {"MK-A2"}
    assert shown(team=world.team_b.id) == {"MK-SUPB", "MK-B1"}
    assert shown(position=agent_position, market=world.hk.id) == {"MK-A1", "MK-A2", "MK-B1"}


def test_the_directory_shows_active_people_unless_asked_otherwise(client, world):
    PersonFactory(name="Gone MK-GONE", is_active=False, manager=world.sup_a)
    as_user(client, world.hr)
    default = client.get("/org/people").get_data(as_text=True)
    inactive = client.get("/org/people?status=inactive").get_data(as_text=True)
    everyone = client.get("/org/people?status=all").get_data(as_text=True)
    assert "MK-GONE" not in table_markers(default)
    assert table_markers(inactive) == {"MK-GONE"}
    assert {"MK-GONE", "MK-A1"} <= table_markers(everyone)
    assert "14 people" in everyone and "13 people" in default


def test_sorting_by_employee_id_descending(client, world):
    as_user(client, world.hr)
    page = client.get("/org/people?sort=employee_id&dir=desc&market=" + str(world.jp.id))
    text = page.get_data(as_text=True)
    # W-SUPC > W-MGRJP > W-C1
    assert text.index("MK-SUPC") < text.index("MK-MGRJP") < text.index("MK-C1")


def _walk(viewer, filters: PersonFilters, page_size: int) -> list[int]:
    seen: list[int] = []
    after = None
    for _ in range(100):
        page = queries.people_page_for(viewer, filters, after=after, page_size=page_size)
        seen += [p.id for p in page.rows]
        if page.next_cursor is None:
            return seen
        after = page.next_cursor
    raise AssertionError("paging never ended")


@pytest.mark.parametrize("sort", ["name", "employee_id", "hire_on"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_pages_continue_exactly_without_duplicates_or_gaps(world, sort, direction):
    team = TeamFactory(name="Paging team", market=world.hk)
    # Equal names and equal (or missing) hire dates: the id breaks the ties.
    for i in range(11):
        PersonFactory(
            name="Same Name" if i % 2 else f"Name {i % 3}",
            hire_on=None if i % 4 == 0 else date(2022, 1 + i % 2, 1),
            team=team,
            manager=world.sup_a,
        )
    filters = PersonFilters(team=team.id, sort=sort, dir=direction)
    everything = queries.people_page_for(world.hr, filters, after=None, page_size=100)
    walked = _walk(world.hr, filters, page_size=3)
    assert walked == [p.id for p in everything.rows]
    assert len(walked) == len(set(walked)) == 11 == everything.total


def test_the_next_page_link_continues_the_list_in_the_browser(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    as_user(client, world.hr)
    seen: list[str] = []
    url = "/org/people?sort=name"
    pages = 0
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "13 people" in page
        found = sorted(table_markers(page), key=page.index)
        assert len(found) <= 4
        seen += found
        url = next_link(page)
        pages += 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 13
    assert "First page" in page


def test_a_damaged_cursor_is_a_400_that_points_to_the_first_page(client, world):
    as_user(client, world.hr)
    response = client.get("/org/people?after=not-a-cursor!")
    assert response.status_code == 400
    assert "first page" in response.get_data(as_text=True)


def test_typing_in_the_search_box_answers_only_the_results_fragment(client, world):
    as_user(client, world.hr)
    full = client.get("/org/people").get_data(as_text=True)
    assert 'hx-trigger="input changed delay:300ms, search"' in full
    assert 'hx-push-url="true"' in full
    response = client.get("/org/people?q=MK-B1", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="person-table">')
    assert "<html" not in fragment
    assert table_markers(fragment) == {"MK-B1"}
    assert "HX-Request" in response.headers.get("Vary", "")


def test_query_count_of_the_directory_does_not_grow_with_people(client, world, app):
    as_user(client, world.hr)
    team = TeamFactory(name="Growing", market=world.hk)

    def statements(url: str) -> int:
        client.get(url)  # warm up (session touch, caches)
        with count_queries(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    urls = [
        "/org/people?status=all",
        "/org/people/export.csv",
        f"/org/tree/{world.sup_a.id}/children",
    ]
    for _ in range(5):
        PersonFactory(team=team, manager=world.sup_a)
    small = [statements(url) for url in urls]
    for _ in range(45):
        PersonFactory(team=team, manager=world.sup_a)
    large = [statements(url) for url in urls]
    assert small == large
