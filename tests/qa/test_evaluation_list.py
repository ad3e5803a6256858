"""The evaluations list: sorted by its dates (submitted, contact) both ways with keyset paging
across page boundaries, filters (period, evaluator, scorecard, status, agent) kept in the URL,
pickers offering only the people one may see, clear messages for unusable filters, and a query
count that does not grow with the rows."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, count_queries
from tests.qa.evaluation_helpers import card_for, submitted
from tests.qa.test_scorecards import build_card

DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(world):
    return card_for(world)


def dated(evaluation: Evaluation, submitted_day: int, contact_day: int) -> Evaluation:
    """Set the evaluation's submission and its contact's moment to days after DAY."""
    evaluation.submitted_at = DAY + timedelta(days=submitted_day)
    evaluation.contact.occurred_at = DAY + timedelta(days=contact_day)
    db.session.commit()
    return evaluation


def listed(client, url: str) -> tuple[list[int], str | None, str]:
    """The evaluation ids on a list page in order, the next page's URL and the page's text."""
    text = client.get(url).get_data(as_text=True)
    rows = text.split('id="evaluation-rows"', 1)[1]
    ids = [int(n) for n in re.findall(r'href="/qa/evaluations/(\d+)"', rows)]
    found = re.search(r'<a href="([^"]+)" rel="next">', rows)
    return ids, (html.unescape(found.group(1)) if found else None), text


def walk(client, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        ids, url, _text = listed(client, url)
        seen += ids
    return seen


@pytest.fixture
def five(world, card):
    """Five evaluations of A1 whose submission order differs from their id and contact order;
    two share a submission moment (the id breaks the tie)."""
    days = [(3, 1), (1, 4), (4, 0), (1, 2), (0, 3)]  # (submitted, contact)
    return [dated(submitted(world, card), s, c) for s, c in days]


@pytest.mark.parametrize(
    ("query", "key", "reverse"),
    [
        ("", "submitted", True),
        ("sort=submitted&dir=desc", "submitted", True),
        ("sort=submitted&dir=asc", "submitted", False),
        ("sort=contact&dir=desc", "contact", True),
        ("sort=contact&dir=asc", "contact", False),
    ],
)
def test_each_sort_pages_across_the_boundary_in_order(
    app, client, world, five, query, key, reverse
):
    moment = {
        "submitted": lambda e: (e.submitted_at, e.id),
        "contact": lambda e: (e.contact.occurred_at, e.id),
    }[key]
    expected = [e.id for e in sorted(five, key=moment, reverse=reverse)]
    as_user(client, world.sup_a)
    app.config["PAGE_SIZE"] = 2
    try:
        assert walk(client, f"/qa/evaluations?{query}") == expected
    finally:
        app.config["PAGE_SIZE"] = 25


def test_the_sorted_column_is_marked_and_its_link_flips_the_direction(client, world, five):
    as_user(client, world.sup_a)
    _ids, _next, text = listed(client, "/qa/evaluations?status=submitted")
    assert 'aria-sort="descending"' in text and "Sorted by submission date, newest first" in text
    assert "sort=submitted&amp;dir=asc" in text and "status=submitted" in text
    _ids, _next, text = listed(client, "/qa/evaluations?sort=contact&dir=asc")
    assert 'aria-sort="ascending"' in text and "Sorted by contact date, oldest first" in text
    assert "sort=contact&amp;dir=desc" in text


def test_a_draft_is_listed_by_the_day_it_was_started(client, world, card, five):
    from portal.qa import evaluations
    from tests.qa.evaluation_helpers import make_contact

    draft = evaluations.start(world.sup_a, make_contact(world.agent_a2), card.current_version)
    as_user(client, world.sup_a)
    ids, _next, text = listed(client, "/qa/evaluations")
    assert ids[0] == draft.id  # started now: newer than every submission in March
    assert "started" in text


def test_the_period_filter_takes_whole_days_of_the_submission(client, world, five):
    as_user(client, world.sup_a)
    ids, _next, text = listed(client, "/qa/evaluations?from=2026-03-11&to=2026-03-13")
    expected = {e.id for e in five if 1 <= (e.submitted_at - DAY).days <= 3}
    assert set(ids) == expected and len(expected) == 3
    assert 'value="2026-03-11"' in text and 'value="2026-03-13"' in text


def test_evaluator_scorecard_status_and_agent_filters_combine(client, world, card):
    other_card = build_card(world.qa, name="Phone MK-OTHER")
    by_qa = submitted(world, card, evaluator=world.qa)
    on_other = submitted(world, other_card)
    of_a2 = submitted(world, card, agent=world.agent_a2)
    plain = submitted(world, card)
    as_user(client, world.sup_a)

    def ids(query: str) -> set[int]:
        return set(walk(client, f"/qa/evaluations?{query}"))

    assert ids(f"evaluator={world.qa.id}") == {by_qa.id}
    assert ids(f"scorecard={other_card.id}") == {on_other.id}
    assert ids(f"agent={world.agent_a2.id}") == {of_a2.id}
    assert ids(f"agent={world.agent_a1.id}&evaluator={world.sup_a.id}&scorecard={card.id}") == {
        plain.id
    }
    assert ids("status=draft") == set()
    _ids, _next, text = listed(client, f"/qa/evaluations?agent={world.agent_a2.id}&status=draft")
    assert "No evaluations match these filters." in text and "Clear the filters" in text
    selected = re.search(r'<option value="(\d+)" selected>', text.split('id="f-agent"')[1])
    assert selected and int(selected.group(1)) == world.agent_a2.id  # the filter is kept


def test_the_pickers_offer_only_people_one_may_see(client, world, card):
    submitted(world, card, agent=world.agent_b1, evaluator=world.sup_b)
    submitted(world, card)
    as_user(client, world.sup_a)
    text = client.get("/qa/evaluations").get_data(as_text=True)
    agents = text.split('id="f-agent"')[1].split("</select>")[0]
    evaluators = text.split('id="f-evaluator"')[1].split("</select>")[0]
    assert "MK-A1" in agents and "MK-A2" in agents
    assert "MK-B1" not in text  # neither offered nor listed
    assert world.sup_a.name in evaluators and world.sup_b.name not in evaluators


@pytest.mark.parametrize("name", ["agent", "evaluator"])
def test_a_person_out_of_reach_given_by_id_gets_a_message_and_no_rows(client, world, card, name):
    outsider = {"agent": world.agent_b1, "evaluator": world.sup_b}[name]
    submitted(world, card, agent=world.agent_b1, evaluator=world.sup_b)
    submitted(world, card)
    as_user(client, world.sup_a)
    for value in (outsider.id, 99999999, "abc"):
        page = client.get(f"/qa/evaluations?{name}={value}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Choose one of the names offered." in text
        assert listed(client, f"/qa/evaluations?{name}={value}")[0] == []
        assert "MK-B1" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-45", "Enter a date as YYYY-MM-DD."),
        ("to=yesterday", "Enter a date as YYYY-MM-DD."),
        ("from=2026-03-12&to=2026-03-11", "The end of the period comes before its start."),
        ("status=lost", "Choose one of the statuses offered."),
        ("scorecard=424242", "Choose one of the names offered."),
    ],
)
def test_unusable_filters_get_a_clear_message_never_an_error(client, world, five, query, message):
    as_user(client, world.sup_a)
    page = client.get(f"/qa/evaluations?{query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert message in text and 'aria-invalid="true"' in text


def test_a_damaged_cursor_or_sort_is_not_a_server_error(client, world, five):
    as_user(client, world.sup_a)
    assert client.get("/qa/evaluations?after=nonsense").status_code == 400
    assert client.get("/qa/evaluations?after=2026-03-11T12:00:00%2B00:00~x").status_code == 400
    assert client.get("/qa/evaluations?after=2026-03-11T12:00:00~5").status_code == 400
    ids, _next, _text = listed(client, "/qa/evaluations?sort=id&dir=sideways")  # the default
    assert ids == [e.id for e in sorted(five, key=lambda e: (e.submitted_at, e.id), reverse=True)]


def test_my_evaluations_sort_by_date_and_filter_by_period(client, world, five):
    as_user(client, world.agent_a1)
    ids, _next, text = listed(client, "/qa/my-evaluations?sort=contact&dir=asc")
    assert ids == [e.id for e in sorted(five, key=lambda e: (e.contact.occurred_at, e.id))]
    assert 'id="f-agent"' not in text
    ids, _next, _text = listed(client, "/qa/my-evaluations?from=2026-03-14")
    assert ids == [five[2].id]


def test_the_filtered_sorted_list_query_count_does_not_grow_with_rows(app, client, world, card):
    as_user(client, world.sup_a)
    url = f"/qa/evaluations?sort=contact&dir=asc&evaluator={world.sup_a.id}&from=2020-01-01"
    submitted(world, card)
    client.get(url)
    with count_queries(app) as few:
        client.get(url)
    for _ in range(6):
        submitted(world, card, agent=world.agent_a2)
    with count_queries(app) as many:
        page = client.get(url)
    assert page.get_data(as_text=True).count('href="/qa/evaluations/') >= 7
    assert len(many) == len(few)


# ---- the other QA lists with dates: contacts, the evaluate queue, scorecards ---------------


def contact_ids(client, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        text = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'href="/qa/contacts/(\d+)"', text)]
        found = re.search(r'<a href="([^"]+)" rel="next">', text)
        url = html.unescape(found.group(1)) if found else None
    return seen


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_the_contact_list_sorts_by_date_both_ways_across_pages(app, client, world, direction):
    from tests.qa.evaluation_helpers import make_contact

    made = [make_contact(world.agent_a1, days_ago=d) for d in (3, 1, 5, 1, 2)]
    as_user(client, world.sup_a)
    app.config["PAGE_SIZE"] = 2
    try:
        seen = contact_ids(client, f"/qa/contacts?sort=occurred&dir={direction}")
    finally:
        app.config["PAGE_SIZE"] = 25
    ordered = sorted(made, key=lambda c: (c.occurred_at, c.id), reverse=direction == "desc")
    assert seen == [c.id for c in ordered]
    text = client.get(f"/qa/contacts?sort=occurred&dir={direction}").get_data(as_text=True)
    words = "newest first" if direction == "desc" else "oldest first"
    assert f"Sorted by contact date, {words}" in text and "aria-sort=" in text


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_the_evaluate_queue_sorts_by_date_both_ways_across_pages(app, client, world, direction):
    from tests.qa.evaluation_helpers import make_contact

    made = [make_contact(world.agent_a2, days_ago=d) for d in (4, 2, 6, 3)]
    as_user(client, world.sup_a)
    app.config["PAGE_SIZE"] = 3
    url = f"/qa/evaluate?sort=occurred&dir={direction}"
    seen: list[int] = []
    try:
        while url:
            text = client.get(url).get_data(as_text=True)
            seen += [int(n) for n in re.findall(r'href="/qa/contacts/(\d+)/evaluate[?"]', text)]
            found = re.search(r'<a href="([^"]+)" rel="next">', text)
            url = html.unescape(found.group(1)) if found else None
    finally:
        app.config["PAGE_SIZE"] = 25
    ordered = sorted(made, key=lambda c: (c.occurred_at, c.id), reverse=direction == "desc")
    assert seen == [c.id for c in ordered]
    assert client.get("/qa/evaluate?after=junk").status_code == 400


def test_the_scorecard_list_sorts_by_name_or_by_its_last_change(client, world):
    first = build_card(world.qa, name="Phone MK-ZULU")
    second = build_card(world.qa, name="Phone MK-ALPHA")
    first.updated_at = DAY + timedelta(days=2)
    second.updated_at = DAY
    db.session.commit()
    as_user(client, world.qa)

    def order(query: str) -> list[str]:
        text = client.get(f"/qa/scorecards{query}").get_data(as_text=True)
        return re.findall(r">Phone (MK-\w+)<", text)

    assert order("") == ["MK-ALPHA", "MK-ZULU"]
    assert order("?sort=changed&dir=desc") == ["MK-ZULU", "MK-ALPHA"]
    assert order("?sort=changed&dir=asc") == ["MK-ALPHA", "MK-ZULU"]
    text = client.get("/qa/scorecards?sort=changed&dir=asc").get_data(as_text=True)
    assert "Sorted by date of the last change, oldest first" in text


def test_the_evaluator_picker_names_who_may_score_and_whoever_wrote_a_readable_one(
    client, world, card
):
    """The picker is read from the people (those with reports one sees, the QA analysts), so
    it costs the same for a viewer who sees a million evaluations; an evaluator outside it who
    wrote an evaluation the viewer may read (a link from the Evaluators page) is accepted."""
    by_manager = submitted(world, card, evaluator=world.manager_hk)  # above sup_a: not in scope
    as_user(client, world.sup_a)
    text = client.get("/qa/evaluations").get_data(as_text=True)
    evaluators = text.split('id="f-evaluator"')[1].split("</select>")[0]
    assert world.sup_a.name in evaluators and world.qa.name in evaluators
    assert world.manager_hk.name not in evaluators and world.sup_b.name not in evaluators
    assert listed(client, f"/qa/evaluations?evaluator={world.manager_hk.id}")[0] == [by_manager.id]
    text = client.get(f"/qa/evaluations?evaluator={world.manager_hk.id}").get_data(as_text=True)
    assert world.manager_hk.name in text.split('id="f-evaluator"')[1].split("</select>")[0]


def test_a_long_agent_list_is_searched_instead_of_listed(client, world, card, monkeypatch):
    """Beyond AGENT_PICKER_MAX people the picker holds only the chosen agent, and a search box
    fills it from people one may see (never anyone else)."""
    from portal.blueprints.qa import evaluation_list_views

    monkeypatch.setattr(evaluation_list_views, "AGENT_PICKER_MAX", 1)
    mine = submitted(world, card)
    as_user(client, world.sup_a)
    text = client.get("/qa/evaluations").get_data(as_text=True)
    agents = text.split('id="f-agent"')[1].split("</select>")[0]
    assert 'id="f-agent-q"' in text and "MK-A1" not in agents
    chosen = client.get(f"/qa/evaluations?agent={world.agent_a1.id}").get_data(as_text=True)
    assert "MK-A1" in chosen.split('id="f-agent"')[1].split("</select>")[0]
    assert listed(client, f"/qa/evaluations?agent={world.agent_a1.id}")[0] == [mine.id]
    found = client.get("/qa/evaluations/agent-options?q=mk-a").get_data(as_text=True)
    assert "MK-A1" in found and "MK-A2" in found and "MK-B1" not in found
    assert "MK-B1" not in client.get("/qa/evaluations/agent-options?q=B1").get_data(as_text=True)
    nul = client.get("/qa/evaluations/agent-options?q=a%00b")  # PostgreSQL refuses NUL in text
    assert nul.status_code == 200 and "MK-A1" in nul.get_data(as_text=True)
    outsider = client.get(f"/qa/evaluations?agent={world.agent_b1.id}").get_data(as_text=True)
    assert "Choose one of the names offered." in outsider
