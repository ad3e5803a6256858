"""The scoring flow of a supervisor's day: the draft autosaved on change (its evaluator's
alone, restored on re-opening, never counted), one record however often a form is sent, and
"Submit and next" opening the first contact of the queue."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.qa import evaluation_queries, evaluations
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, count_queries, post_form
from tests.qa.evaluation_helpers import card_for, full_answers, make_contact, questions


@pytest.fixture
def card(world):
    return card_for(world)


def evaluations_of(contact_id: int) -> list[Evaluation]:
    db.session.expire_all()
    stmt = select(Evaluation).where(Evaluation.contact_id == contact_id)
    return list(db.session.execute(stmt).scalars())


def autosave(client, contact, data: dict):
    return post_form(client, f"/qa/contacts/{contact.id}/evaluate/draft", data)


def version_of(answer) -> str:
    """The draft's version an autosave answered with (evaluate.js copies it into the form)."""
    return re.search(r'data-version="(\d+)"', answer.get_data(as_text=True)).group(1)


def test_a_change_is_saved_as_my_draft_and_reopening_the_contact_restores_it(client, world, card):
    contact = make_contact(world.agent_a1)
    greeting = questions(card)["Greeting"]
    as_user(client, world.sup_a)
    first = autosave(client, contact, {f"q-{greeting}": "no"})
    assert first.status_code == 200
    assert "Draft saved" in first.get_data(as_text=True)
    (draft,) = evaluations_of(contact.id)
    assert draft.is_draft and draft.evaluator_id == world.sup_a.id
    again = autosave(
        client,
        contact,
        {
            f"q-{greeting}": "no",
            f"c-{greeting}": "Rushed hello",
            "overall_comment": "WIP",
            "version": version_of(first),
        },
    )
    assert f'data-version="{evaluations_of(contact.id)[0].version}"' in again.get_data(as_text=True)
    assert len(evaluations_of(contact.id)) == 1
    reopened = client.get(f"/qa/contacts/{contact.id}/evaluate", follow_redirects=True)
    page = reopened.get_data(as_text=True)
    assert f'name="q-{greeting}" value="no" data-key="2" checked' in page
    assert "Rushed hello" in page and "WIP" in page and "Draft saved" in page


def test_the_edit_form_autosaves_with_its_version_and_a_stale_one_is_told(client, world, card):
    contact = make_contact(world.agent_a1)
    draft = evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    stale = draft.version
    greeting = f"q-{questions(card)['Greeting']}"
    as_user(client, world.sup_a)
    saved = autosave(client, contact, {greeting: "yes", "version": stale})
    assert saved.status_code == 200
    refused = autosave(client, contact, {greeting: "no", "version": stale})
    assert refused.status_code == 409 and "Draft not saved" in refused.get_data(as_text=True)


def test_an_unreadable_answer_is_not_saved_and_says_why(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    answer = autosave(client, contact, {f"q-{questions(card)['Need understood']}": "9"})
    assert answer.status_code == 422 and "Draft not saved" in answer.get_data(as_text=True)
    assert evaluations_of(contact.id) == []


def test_a_colleague_cannot_autosave_into_my_draft(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    autosave(client, contact, {"overall_comment": "MINE"})
    as_user(client, world.qa)
    answer = autosave(client, contact, {"overall_comment": "THEIRS"})
    assert answer.status_code == 409
    assert evaluations_of(contact.id)[0].current_revision.overall_comment == "MINE"


def test_after_submit_the_autosave_does_not_reopen_the_evaluation(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    form = {**full_answers(card), "action": "submit"}
    post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    late = autosave(client, contact, full_answers(card))
    assert late.status_code == 409
    (evaluation,) = evaluations_of(contact.id)
    assert evaluation.status == "submitted"


def test_an_autosaved_draft_never_counts_in_scores(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    autosave(client, contact, full_answers(card))  # every question answered, still a draft
    summary, last = evaluation_queries.agent_summary(
        world.sup_a, world.agent_a1, ZoneInfo("Asia/Hong_Kong")
    )
    assert summary.evaluations == 0 and last == []
    assert evaluations_of(contact.id)[0].score is None


def test_submitting_twice_after_autosaves_makes_one_record(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    saved = autosave(client, contact, full_answers(card))
    form = {**full_answers(card), "action": "submit_next", "version": version_of(saved)}
    first = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    second = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    assert first.status_code == second.status_code == 303
    count = db.session.scalar(
        select(func.count()).select_from(Evaluation).where(Evaluation.contact_id == contact.id)
    )
    assert count == 1


def test_submit_and_next_opens_the_first_contact_of_my_queue_in_the_queue_order(
    client, world, card
):
    older = make_contact(world.agent_a1, days_ago=3)
    newest = make_contact(world.agent_a2, days_ago=1)
    scoring = make_contact(world.agent_a1, days_ago=2)
    make_contact(world.agent_b1, days_ago=0)  # not one of my people
    as_user(client, world.sup_a)
    form = {**full_answers(card), "action": "submit_next"}
    answer = post_form(client, f"/qa/contacts/{scoring.id}/evaluate", form)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/qa/contacts/{newest.id}/evaluate")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Evaluation of {world.agent_a1.name} submitted: 94.3 %." in page
    answer = post_form(client, f"/qa/contacts/{newest.id}/evaluate", form)
    assert answer.headers["Location"].endswith(f"/qa/contacts/{older.id}/evaluate")


def test_submit_and_next_on_the_last_contact_lands_on_the_empty_queue(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    for waiting in evaluation_queries.queue_for(world.sup_a, limit=100).rows:
        if waiting.contact_id != contact.id:
            evaluations.start(
                world.qa, db.session.get(type(contact), waiting.contact_id), card.current_version
            )
    db.session.commit()
    form = {**full_answers(card), "action": "submit_next"}
    answer = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    assert answer.headers["Location"].endswith("/qa/evaluate")
    page = client.get("/qa/evaluate").get_data(as_text=True)
    assert "submitted: 94.3 %" in page and "Nothing to evaluate" in page


def test_plain_submit_still_opens_the_evaluation(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    form = {**full_answers(card), "action": "submit"}
    answer = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    (evaluation,) = evaluations_of(contact.id)
    assert answer.headers["Location"].endswith(f"/qa/evaluations/{evaluation.id}")


def test_the_evaluation_page_shows_points_lost_per_question(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    form = {**full_answers(card, Need_understood="1"), "action": "submit"}
    answer = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Points lost" in page
    assert page.count('data-testid="points-lost"') == 4
    assert "score points" in page


def test_the_queue_page_query_count_does_not_grow_with_drafts(app, client, world, card):
    def draft_by(evaluator, agent):
        evaluations.start(evaluator, make_contact(agent), card.current_version)
        db.session.commit()

    draft_by(world.sup_a, world.agent_a1)
    draft_by(world.qa, world.agent_a2)
    make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    client.get("/qa/evaluate")
    with count_queries(app) as few:
        assert client.get("/qa/evaluate").status_code == 200
    for _ in range(4):
        draft_by(world.sup_a, world.agent_a2)
        draft_by(world.qa, world.agent_a1)
        make_contact(world.agent_a2)
    with count_queries(app) as many:
        page = client.get("/qa/evaluate").get_data(as_text=True)
    assert page.count("/edit") == 5
    assert len(many) == len(few)
