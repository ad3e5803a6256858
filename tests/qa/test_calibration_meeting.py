"""The calibration meeting: picking contacts from a searchable list, the grid of who answered
what, the small-sample caveat, and the results page's wording and query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.qa import calibration
from portal.qa import calibration_service as service
from portal.qa.calibration_grid import (
    MIN_CONTACTS_TO_ESTIMATE,
    Comment,
    ScoringComments,
    build_grid,
    too_few_to_estimate,
)
from portal.qa.programme_models import CalibrationSession
from tests.conftest import as_user, count_queries, post_form
from tests.qa.programme_helpers import answers_for, make_card, make_contact

WHEN = datetime(2026, 11, 3, 3, tzinfo=UTC)
NEW = "/qa/programme/calibration/new"

# ---- pure -------------------------------------------------------------------------------------

Q = [
    calibration.QuestionInfo(1, "Verified the caller", "yes_no"),
    calibration.QuestionInfo(2, "Empathy", "scale", 4),
    calibration.QuestionInfo(3, "Resolved", "choice"),
]
LEAD, E1, E2 = 100, 201, 202


def s(contact, who, score, yes, scale, choice):
    return calibration.Scoring(contact, who, Decimal(score), {1: yes, 2: str(scale), 3: choice})


@pytest.mark.parametrize(
    ("n", "too_few"), [(0, True), (1, True), (4, True), (5, False), (20, False)]
)
def test_fewer_than_five_contacts_are_too_few_to_estimate(n, too_few):
    assert MIN_CONTACTS_TO_ESTIMATE == 5
    assert too_few_to_estimate(n) is too_few


def test_the_grid_shows_who_answered_what_and_marks_differences_from_the_reference():
    rows = [
        s(1, LEAD, "100", "yes", 4, "f"),
        s(1, E1, "100", "yes", 4, "f"),
        s(1, E2, "87.5", "yes", 3, "p"),
        s(2, LEAD, "0", "no", 2, "p"),
        s(2, E1, "81.25", "yes", 2, "p"),
    ]
    grid = build_grid(Q, [1, 2], LEAD, rows)
    assert grid.evaluators == (E1, E2)
    first, second = grid.contacts
    assert [r.reference for r in first.rows] == ["yes", "4", "f"]
    assert [[c.differs for c in r.cells] for r in first.rows] == [
        [False, False],
        [False, True],
        [False, True],
    ]
    assert first.rows[1].cells[1].value == "3"
    assert [c.differs for c in first.scores] == [False, True]
    # E2 did not score contact 2: nothing to compare, nothing differs.
    assert second.rows[0].cells[0].differs and second.rows[0].cells[1].value is None
    assert not second.rows[0].cells[1].differs
    assert grid.differences == {E1: 1, E2: 2}
    assert grid.compared(E1) == 6 and grid.compared(E2) == 3


def test_each_contacts_comments_come_in_card_order_the_lead_first_then_overall():
    rows = [
        s(1, LEAD, "100", "yes", 4, "f"),
        s(1, E1, "100", "yes", 4, "f"),
        s(2, E2, "0", "no", 0, "p"),
    ]
    comments = [
        ScoringComments(1, E1, {3: "Fully resolved", 1: "  "}, overall=" Fine call "),
        ScoringComments(1, LEAD, {3: "Resolved on the call", 2: "Warm"}, overall=None),
        ScoringComments(2, E2, {}, overall="   "),
    ]
    first, second = build_grid(Q, [1, 2], LEAD, rows, comments).contacts
    assert first.comments == (
        Comment(LEAD, Q[1], "Warm"),
        Comment(LEAD, Q[2], "Resolved on the call"),
        Comment(E1, Q[2], "Fully resolved"),
        Comment(E1, None, "Fine call"),
    )
    assert second.comments == ()  # blank comments are no comments
    assert build_grid(Q, [1, 2], LEAD, rows).contacts[0].comments == ()


def test_na_against_an_answer_differs_and_a_contact_without_reference_never_does():
    rows = [
        calibration.Scoring(1, LEAD, Decimal(100), {1: "na", 2: "4", 3: "f"}),
        calibration.Scoring(1, E1, Decimal(100), {1: "no", 2: "4", 3: "f"}),
        calibration.Scoring(2, E1, Decimal(50), {1: "yes", 2: "1", 3: "p"}),
    ]
    grid = build_grid(Q, [1, 2], LEAD, rows)
    assert grid.contacts[0].rows[0].cells[0].differs
    assert not any(c.differs for r in grid.contacts[1].rows for c in r.cells)
    assert grid.contacts[1].reference_score is None
    assert grid.differences == {E1: 1}


def _contact(agent, when, ref=None, channel="phone"):
    contact = make_contact(agent, when, channel)
    if ref:
        contact.external_id = ref
    return contact


# ---- the picker -------------------------------------------------------------------------------


@pytest.fixture
def card(world):
    return make_card(world.qa)


def _form(card, world, **extra):
    return {
        "title": "Picked",
        "scorecard_version": str(card.version.id),
        "evaluators": [str(world.sup_a.id)],
        **extra,
    }


def test_the_picker_offers_only_contacts_in_scope_and_searches_by_reference(
    app, client, world, card
):
    mine = _contact(world.agent_a1, WHEN, "D0001011")
    other = make_contact(world.agent_a2, WHEN + timedelta(hours=1), "email")
    outside = _contact(world.agent_b1, WHEN, "D0009999")  # not in the QA grant
    db.session.commit()
    as_user(client, world.qa)
    page = client.get(NEW).get_data(as_text=True)
    assert f'value="{mine.id}"' in page and f'value="{other.id}"' in page
    assert f'value="{outside.id}"' not in page and "D0009999" not in page
    assert f"#{mine.id}" not in page  # one reference: the contact's own, not the portal's id
    found = post_form(client, NEW, _form(card, world, reference="d000101", search="1"))
    body = found.get_data(as_text=True)
    assert found.status_code == 200 and "D0001011" in body and other.external_id not in body
    by_channel = post_form(client, NEW, _form(card, world, channel="email", search="1"))
    body = by_channel.get_data(as_text=True)
    assert other.external_id in body and "D0001011" not in body


def test_picks_are_kept_across_searches_and_counted(app, client, world, card):
    first = _contact(world.agent_a1, WHEN, "KEEP-1")
    _contact(world.agent_a2, WHEN, "OTHER-2")
    db.session.commit()
    as_user(client, world.qa)
    data = _form(card, world, pick=[str(first.id)], reference="OTHER", search="1")
    body = post_form(client, NEW, data).get_data(as_text=True)
    assert f'id="picked-{first.id}" checked' in body and "KEEP-1" in body
    assert "<strong data-pick-count>1</strong>" in body
    assert 'value="Picked"' in body  # the title typed before searching


def test_a_forged_contact_id_is_refused_with_a_message(app, client, world, card):
    mine = make_contact(world.agent_a1, WHEN)
    outside = make_contact(world.agent_b1, WHEN)
    db.session.commit()
    as_user(client, world.qa)
    response = post_form(client, NEW, _form(card, world, pick=[str(mine.id), str(outside.id)]))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "some of those chosen are not ones you can see" in body
    assert db.session.execute(select(CalibrationSession)).first() is None
    garbage = post_form(client, NEW, _form(card, world, pick=["abc"]))
    assert garbage.status_code == 422 and "Choose contacts from the list." in garbage.get_data(
        as_text=True
    )


def test_the_picker_pages_with_a_cursor(app, client, world, card):
    for i in range(service.PICKER_PAGE + 3):
        _contact(world.agent_a1, WHEN + timedelta(minutes=i), f"PG-{i:03d}")
    db.session.commit()
    as_user(client, world.qa)
    first = client.get(NEW).get_data(as_text=True)
    assert "PG-017" in first and "PG-000" not in first and 'name="after"' in first
    cursor = first.split('name="after" value="')[1].split('"')[0]
    second = post_form(client, NEW, _form(card, world, after=cursor)).get_data(as_text=True)
    assert "PG-000" in second and "PG-017" not in second and "First page" in second


# ---- results ----------------------------------------------------------------------------------


def _closed_session(world, card, n_contacts, title="Calibration: refunds"):
    contacts = [
        _contact(world.agent_a1, WHEN + timedelta(hours=i), f"{title[:5]}-R-{i}")
        for i in range(n_contacts)
    ]
    db.session.commit()
    session = service.create_session(
        world.qa,
        title=title,
        scorecard_version_id=card.version.id,
        contact_ids=[c.id for c in contacts],
        evaluator_ids=[world.sup_a.id],
    )
    for contact in contacts:
        service.submit_score(world.qa, session, contact.id, answers_for(card, "yes", 4, "Full"))
        service.submit_score(
            world.sup_a,
            session,
            contact.id,
            answers_for(card, "no", 4, "Full"),
            service.Comments({card.yes_no.id: "Did not verify"}, overall="Check the ID step"),
        )
    service.close_session(world.qa, session, expected_version=session.version)
    return session


def test_results_page_words_questions_plurals_and_the_caveat(app, client, world, card):
    session = _closed_session(world, card, 2)
    as_user(client, world.sup_a)
    response = client.get(f"/qa/programme/calibration/{session.id}/results")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Calibration: Calibration:" not in body and "results: Calibration" not in body
    assert "2 contacts, 1 evaluator." in body and "1 evaluators" not in body
    assert "Verified the caller" in body and ">Q1<" not in body
    assert "Too few to estimate." in body and "too few to estimate" in body
    assert 'class="differs"' in body and "(differs from the reference)" in body
    assert "2 of 6" in body  # sup_a's differing answers: "no" twice, of 3 questions x 2
    assert body.count('class="grid-comments"') == 2 and body.count("Did not verify") == 2
    detail = client.get(f"/qa/programme/calibration/{session.id}").get_data(as_text=True)
    assert "Calibration: Calibration:" not in detail and "Calib-R-0" in detail


def test_five_contacts_are_enough_for_the_interval(app, client, world, card):
    session = _closed_session(world, card, MIN_CONTACTS_TO_ESTIMATE)
    as_user(client, world.qa)
    body = client.get(f"/qa/programme/calibration/{session.id}/results").get_data(as_text=True)
    assert "Too few to estimate." not in body


def _count(app, client, url):
    client.get(url)
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_results_and_detail_queries_do_not_grow_with_contacts(app, client, world, card):
    small = _closed_session(world, card, 1, title="Small")
    large = _closed_session(world, card, 6, title="Large")
    as_user(client, world.qa)
    for suffix in ("", "/results"):
        few = _count(app, client, f"/qa/programme/calibration/{small.id}{suffix}")
        many = _count(app, client, f"/qa/programme/calibration/{large.id}{suffix}")
        assert few == many, suffix


def test_calibration_sessions_are_in_the_quality_menu_for_reviewers_only(app, client, world):
    as_user(client, world.qa)
    assert 'href="/qa/programme/calibration"' in client.get("/").get_data(as_text=True)
    as_user(client, world.agent_a1)
    assert 'href="/qa/programme/calibration"' not in client.get("/").get_data(as_text=True)


def test_a_closed_sessions_figures_are_computed_once_per_content(app, world, card):
    session = _closed_session(world, card, 2)
    first = service.results_view(world.qa, session)
    assert service.results_view(world.sup_a, session).result is first.result
    other = _closed_session(world, card, 3, title="Other")
    assert service.results_view(world.qa, other).result is not first.result


def test_the_picker_queries_do_not_grow_with_its_rows(app, client, world, card):
    _contact(world.agent_a1, WHEN, "FEW-1")
    db.session.commit()
    as_user(client, world.qa)
    few = _count(app, client, NEW)
    for i in range(service.PICKER_PAGE + 5):
        _contact(world.agent_a2, WHEN + timedelta(minutes=i), f"MANY-{i}")
    db.session.commit()
    assert _count(app, client, NEW) == few


def test_the_agent_is_named_only_to_members_whose_qa_scope_covers_them(app, client, world, card):
    contact = _contact(world.agent_a1, WHEN, "AGENT-1")
    session = service.create_session(
        world.hr,
        title="Across teams",
        scorecard_version_id=card.version.id,
        contact_ids=[contact.id],
        evaluator_ids=[world.sup_a.id, world.sup_b.id],
    )
    detail = f"/qa/programme/calibration/{session.id}"
    agent = world.agent_a1.name
    as_user(client, world.sup_b)  # invited, but agent_a1 is in another team
    body = client.get(detail).get_data(as_text=True)
    assert "AGENT-1" in body and agent not in body and "<td>—</td>" in body
    as_user(client, world.sup_a)  # agent_a1's supervisor
    assert agent in client.get(detail).get_data(as_text=True)
    for who in (world.hr, world.sup_a, world.sup_b):
        service.submit_score(who, session, contact.id, answers_for(card, "yes", 4, "Full"))
    service.close_session(world.hr, session, expected_version=session.version)
    as_user(client, world.sup_b)
    results = client.get(f"{detail}/results").get_data(as_text=True)
    assert "AGENT-1" in results and agent not in results
    as_user(client, world.hr)
    assert f"AGENT-1 · {agent} · " in client.get(f"{detail}/results").get_data(as_text=True)


def test_a_channel_not_offered_is_refused_at_the_field(app, client, world, card):
    """The picker's channel is one of those offered: anything else (a NUL byte included, which
    PostgreSQL refuses in text) gets the field's message and an unfiltered list, never a 500."""
    mine = _contact(world.agent_a1, WHEN, "CH-1")
    db.session.commit()
    as_user(client, world.qa)
    for value in ("a\x00b", "fax"):
        response = post_form(client, NEW, _form(card, world, channel=value, search="1"))
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "Not a valid choice" in body
        assert mine.external_id in body
