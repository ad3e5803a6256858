"""Drafts of the evaluate form (review of issue 20): who started a contact is told only to
those who may score it, a new form cannot silently overwrite a draft saved in another window,
a draft can be discarded (the contact goes back to the queue), autosaves leave no audit
entry, and "Submit and next" follows the order the queue was sorted in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.qa import evaluation_queries, evaluations
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, post_form
from tests.qa.evaluation_helpers import card_for, full_answers, make_contact, questions
from tests.qa.test_scorecards import build_card


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
    return re.search(r'data-version="(\d+)"', answer.get_data(as_text=True)).group(1)


def audit_actions(record_id: int) -> list[str]:
    db.session.expire_all()
    stmt = (
        select(AuditEntry.action)
        .where(AuditEntry.record_type == "evaluation", AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id)
    )
    return list(db.session.scalars(stmt))


# ---- 1. no leak of who started scoring


@pytest.mark.parametrize("who", ["agent_a1", "hr"])
def test_who_may_not_score_the_agent_is_not_told_who_started_the_contact(client, world, card, who):
    contact = make_contact(world.agent_a1)
    evaluations.start(world.qa, contact, card.current_version)
    db.session.commit()
    as_user(client, getattr(world, who))
    answer = client.get(f"/qa/contacts/{contact.id}/evaluate", follow_redirects=True)
    assert answer.status_code in (403, 404)
    assert world.qa.name not in answer.get_data(as_text=True)


# ---- 2. a new form carries the draft's version


def test_the_new_form_carries_an_empty_version_field(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    page = client.get(f"/qa/contacts/{contact.id}/evaluate").get_data(as_text=True)
    assert 'name="version" value="" data-draft-version' in page


def test_a_new_form_cannot_overwrite_the_draft_changed_in_another_window(client, world, card):
    contact = make_contact(world.agent_a1)
    greeting = f"q-{questions(card)['Greeting']}"
    as_user(client, world.sup_a)
    # Window A: the new form's first change starts the draft; evaluate.js keeps its version.
    first = autosave(client, contact, {greeting: "no", "version": ""})
    assert first.status_code == 200
    window_a = version_of(first)
    # Window B: the same draft opened on its edit page, changed and autosaved.
    (draft,) = evaluations_of(contact.id)
    later = autosave(
        client, contact, {greeting: "yes", "overall_comment": "B", "version": window_a}
    )
    assert later.status_code == 200
    # Window A again, with the version it was given: told, nothing lost.
    stale = autosave(client, contact, {greeting: "no", "overall_comment": "A", "version": window_a})
    assert stale.status_code == 409 and "Draft not saved" in stale.get_data(as_text=True)
    submit = post_form(
        client,
        f"/qa/contacts/{contact.id}/evaluate",
        {**full_answers(card), "action": "submit", "version": window_a},
    )
    assert submit.status_code == 409
    (kept,) = evaluations_of(contact.id)
    assert kept.id == draft.id and kept.is_draft
    assert kept.current_revision.overall_comment == "B"


def test_a_new_form_sent_without_a_version_never_overwrites_an_existing_draft(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    assert autosave(client, contact, {"overall_comment": "first window"}).status_code == 200
    blind = autosave(client, contact, {"overall_comment": "second window"})
    assert blind.status_code == 409
    saved = post_form(
        client, f"/qa/contacts/{contact.id}/evaluate", {"overall_comment": "x", "action": "save"}
    )
    assert saved.status_code == 409
    assert evaluations_of(contact.id)[0].current_revision.overall_comment == "first window"


# ---- 3. discard a draft; the picker on a drafted contact


def test_discarding_my_draft_returns_the_contact_to_the_queue_and_is_audited(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    assert autosave(client, contact, {"overall_comment": "wrong start"}).status_code == 200
    (draft,) = evaluations_of(contact.id)
    draft_id = draft.id
    assert contact.id not in {r.contact_id for r in evaluation_queries.queue_for(world.qa).rows}
    page = client.get(f"/qa/evaluations/{draft.id}/edit").get_data(as_text=True)
    assert "Discard draft" in page and "data-confirm=" in page
    answer = post_form(
        client, f"/qa/evaluations/{draft.id}/discard?dir=asc", {"version": str(draft.version)}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(
        f"/qa/contacts/{contact.id}/evaluate?sort=occurred&dir=asc"
    )
    assert evaluations_of(contact.id) == []
    assert contact.id in {r.contact_id for r in evaluation_queries.queue_for(world.qa).rows}
    assert audit_actions(draft_id) == ["evaluation.start", "evaluation.discard"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Draft discarded. The contact is back in the queue." in page


def test_a_stale_discard_is_refused_and_the_draft_kept(client, world, card):
    contact = make_contact(world.agent_a1)
    draft = evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    as_user(client, world.sup_a)
    answer = post_form(client, f"/qa/evaluations/{draft.id}/discard", {"version": "-5"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/edit")
    assert len(evaluations_of(contact.id)) == 1


def test_a_submitted_evaluation_cannot_be_discarded(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    post_form(
        client, f"/qa/contacts/{contact.id}/evaluate", {**full_answers(card), "action": "submit"}
    )
    (done,) = evaluations_of(contact.id)
    post_form(client, f"/qa/evaluations/{done.id}/discard", {"version": str(done.version)})
    assert evaluations_of(contact.id)[0].status == "submitted"


def test_choosing_another_scorecard_for_my_draft_says_to_discard_it_first(client, world, card):
    other = build_card(world.qa, name="Second phone card")
    contact = make_contact(world.agent_a1)
    draft = evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    as_user(client, world.sup_a)
    url = f"/qa/contacts/{contact.id}/evaluate?scorecard_version={other.current_version.id}"
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "To use another scorecard, discard the draft first." in page
    assert f"/qa/evaluations/{draft.id}/discard" in page


# ---- 4. autosaves are not audited


def test_autosaves_leave_no_audit_entry_but_start_save_and_submit_do(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    first = autosave(client, contact, {"overall_comment": "one"})
    second = autosave(client, contact, {"overall_comment": "two", "version": version_of(first)})
    (draft,) = evaluations_of(contact.id)
    assert audit_actions(draft.id) == ["evaluation.start"]
    form = {"overall_comment": "three", "action": "save", "version": version_of(second)}
    post_form(client, f"/qa/evaluations/{draft.id}/edit", form)
    assert audit_actions(draft.id) == ["evaluation.start", "evaluation.save_draft"]
    version = str(evaluations_of(contact.id)[0].version)
    form = {**full_answers(card), "action": "submit", "version": version}
    post_form(client, f"/qa/evaluations/{draft.id}/edit", form)
    assert audit_actions(draft.id)[-1] == "evaluation.submit"


# ---- 5. "Submit and next" follows the queue's sort


def test_submit_and_next_follows_the_sort_the_queue_was_opened_with(client, world, card):
    oldest = make_contact(world.agent_a1, days_ago=40)
    middle = make_contact(world.agent_a2, days_ago=30)
    for waiting in evaluation_queries.queue_for(world.sup_a, limit=500).rows:
        if waiting.contact_id not in (oldest.id, middle.id):
            evaluations.start(
                world.qa, db.session.get(type(oldest), waiting.contact_id), card.current_version
            )
    make_contact(world.agent_a1, days_ago=1)  # the newest, first of the default order
    db.session.commit()
    as_user(client, world.sup_a)
    queue = client.get("/qa/evaluate?sort=occurred&dir=asc").get_data(as_text=True)
    assert f"/qa/contacts/{oldest.id}/evaluate?sort=occurred&amp;dir=asc" in queue
    page = client.get(f"/qa/contacts/{oldest.id}/evaluate?sort=occurred&dir=asc")
    text = page.get_data(as_text=True)
    assert 'name="dir" value="asc"' in text and 'name="sort" value="occurred"' in text
    form = {**full_answers(card), "action": "submit_next", "sort": "occurred", "dir": "asc"}
    answer = post_form(client, f"/qa/contacts/{oldest.id}/evaluate", form)
    assert answer.headers["Location"].endswith(
        f"/qa/contacts/{middle.id}/evaluate?sort=occurred&dir=asc"
    )
