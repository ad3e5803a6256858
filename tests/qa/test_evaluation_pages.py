"""The evaluation pages: the form (never pre-filled, live score over htmx), submit once,
conflicts told with answers kept, the agent's acknowledge and dispute, resolving, the lists."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.qa import evaluations
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, count_queries, post_form
from tests.qa.evaluation_helpers import (
    card_for,
    full_answers,
    make_contact,
    overturn_counts,
    plain_overturn_counts,
    questions,
    submitted,
)


@pytest.fixture
def card(world):
    return card_for(world)


def evaluations_of(contact_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Evaluation).where(Evaluation.contact_id == contact_id)
    )


def test_the_form_shows_the_contact_and_guidance_and_no_answer_is_pre_filled(client, world, card):
    contact = make_contact(world.agent_a1, marker="TRANSCRIPT-X")
    as_user(client, world.sup_a)
    page = client.get(f"/qa/contacts/{contact.id}/evaluate").get_data(as_text=True)
    assert "TRANSCRIPT-X" in page and "Identity verified" in page and "Solution correct" in page
    assert not re.search(r'type="radio"[^>]*checked', page)
    assert "Answer the questions to see the score." in page


def test_the_live_score_follows_the_answers_without_saving(client, world, card):
    as_user(client, world.sup_a)
    version = card.current_version.id
    ids = questions(card)
    partial = {f"q-{ids['Greeting']}": "yes", f"q-{ids['Identity verified']}": "no"}
    answer = post_form(
        client, f"/qa/scorecard-versions/{version}/score", partial, headers={"HX-Request": "true"}
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body
    # The identity question failed with evaluation scope: 0 and a critical fail shown.
    assert 'data-testid="score">0.0 %' in body and "Critical fail" in body
    assert "2 questions are not answered yet" in body
    answer = post_form(
        client,
        f"/qa/scorecard-versions/{version}/score",
        full_answers(card),
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="score">94.3 %' in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_submit_creates_one_evaluation_even_when_sent_twice(client, world, card):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    form = {**full_answers(card), "action": "submit", "scorecard_version": card.current_version.id}
    first = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    second = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert evaluations_of(contact.id) == 1
    detail = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "94.3 %" in detail and "How this score was computed" in detail


def test_a_submit_with_a_missing_answer_is_refused_at_the_question_keeping_the_rest(
    client, world, card
):
    contact = make_contact(world.agent_a1)
    as_user(client, world.sup_a)
    form = {**full_answers(card), "action": "submit"}
    missing = f"q-{questions(card)['Greeting']}"
    del form[missing]
    answer = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="{missing}-err"' in body and "Answer this question." in body
    assert "Good call" in body  # the overall comment typed is kept
    assert evaluations_of(contact.id) == 0


def test_a_stale_draft_form_is_told_of_the_conflict_and_keeps_what_was_typed(client, world, card):
    contact = make_contact(world.agent_a1)
    evaluation = evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    stale = evaluation.version
    greeting = f"q-{questions(card)['Greeting']}"
    evaluations.save(
        world.sup_a, evaluation, {greeting: "yes"}, expected_version=stale, submit=False
    )
    as_user(client, world.sup_a)  # the same evaluator's other window
    answer = post_form(
        client,
        f"/qa/evaluations/{evaluation.id}/edit",
        {greeting: "no", "overall_comment": "MY-TYPED-TEXT", "version": stale, "action": "save"},
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone else changed this record" in body and "MY-TYPED-TEXT" in body


def test_two_people_starting_the_same_contact_the_second_is_told(client, world, card):
    contact = make_contact(world.agent_a1)
    evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    as_user(client, world.qa)
    form = {**full_answers(card), "action": "save"}
    answer = post_form(client, f"/qa/contacts/{contact.id}/evaluate", form)
    assert answer.status_code == 409
    assert "started evaluating this contact" in answer.get_data(as_text=True)
    assert evaluations_of(contact.id) == 1


def test_the_agent_acknowledges_and_disputes_from_their_pages(client, world, card):
    first = submitted(world, card)
    second = submitted(world, card)
    as_user(client, world.agent_a1)
    mine = client.get("/qa/my-evaluations").get_data(as_text=True)
    assert f"/qa/evaluations/{first.id}" in mine and f"/qa/evaluations/{second.id}" in mine
    answer = post_form(
        client, f"/qa/evaluations/{first.id}/acknowledge", {"version": first.version}
    )
    assert answer.status_code == 303
    need = questions(card)["Need understood"]
    refused = post_form(
        client, f"/qa/evaluations/{second.id}/dispute", {"version": second.version, "reason": ""}
    )
    assert refused.status_code == 422
    answer = post_form(
        client,
        f"/qa/evaluations/{second.id}/dispute",
        {"version": second.version, f"d-{need}": "I asked twice"},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Evaluation, first.id).status == "acknowledged"
    assert db.session.get(Evaluation, second.id).status == "disputed"
    detail = client.get(f"/qa/evaluations/{second.id}").get_data(as_text=True)
    assert "I asked twice" in detail


def test_a_dispute_re_scored_through_the_pages_shows_both_versions_and_the_diff(
    client, world, card
):
    evaluation = submitted(world, card)
    evaluations.dispute(
        world.agent_a1,
        evaluation,
        reason="x",
        question_reasons={},
        expected_version=evaluation.version,
    )
    as_user(client, world.sup_a)
    page = client.get(f"/qa/evaluations/{evaluation.id}/rescore").get_data(as_text=True)
    assert "checked" in page  # a re-score starts from the current answers
    form = {
        **full_answers(card, Need_understood="4"),
        "reason": "Confirmed",
        "version": evaluation.version,
    }
    answer = post_form(client, f"/qa/evaluations/{evaluation.id}/rescore", form)
    assert answer.status_code == 303
    detail = client.get(f"/qa/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "100.0 %" in detail and "Version 2" in detail
    diff = client.get(f"/qa/evaluations/{evaluation.id}/revisions/2").get_data(as_text=True)
    assert "<del>3 of 4</del>" in diff and "<ins>4 of 4</ins>" in diff


def test_list_query_count_does_not_grow_with_rows(app, client, world, card):
    as_user(client, world.sup_a)
    submitted(world, card)
    client.get("/qa/evaluations")
    with count_queries(app) as few:
        client.get("/qa/evaluations")
    for _ in range(6):
        submitted(world, card)
    with count_queries(app) as many:
        page = client.get("/qa/evaluations")
    assert page.get_data(as_text=True).count("/qa/evaluations/") >= 7
    assert len(many) == len(few)


def test_the_queue_lists_unreviewed_contacts_of_ones_people_and_drafts(client, world, card):
    waiting = make_contact(world.agent_a1, marker="-WAIT")
    done = submitted(world, card)
    draft_contact = make_contact(world.agent_a2)
    evaluations.start(world.sup_a, draft_contact, card.current_version)
    db.session.commit()
    other_team = make_contact(world.agent_b1, marker="-OTHER")
    as_user(client, world.sup_a)
    page = client.get("/qa/evaluate").get_data(as_text=True)
    assert f"/qa/contacts/{waiting.id}/evaluate" in page
    assert f"/qa/contacts/{done.contact_id}/evaluate" not in page
    assert f"/qa/contacts/{other_team.id}/evaluate" not in page
    assert "My drafts to finish" in page
    assert "Being scored by colleagues" not in page


def test_a_colleagues_draft_is_theirs_and_its_contact_is_listed_as_being_scored(
    client, world, card
):
    contact = make_contact(world.agent_a1)
    draft = evaluations.start(world.sup_a, contact, card.current_version)
    evaluations.save(
        world.sup_a,
        draft,
        {f"c-{questions(card)['Greeting']}": "PRIVATE-NOTE"},
        expected_version=draft.version,
        submit=False,
    )
    as_user(client, world.qa)
    queue = client.get("/qa/evaluate").get_data(as_text=True)
    assert "Being scored by colleagues" in queue and world.sup_a.name in queue
    assert "My drafts to finish" not in queue
    assert f"/qa/evaluations/{draft.id}/edit" not in queue
    assert f"/qa/contacts/{contact.id}/evaluate" not in queue  # not in the queue itself
    assert client.get(f"/qa/evaluations/{draft.id}/edit").status_code == 404
    assert client.get(f"/qa/evaluations/{draft.id}").status_code == 404
    opened = client.get(f"/qa/contacts/{contact.id}/evaluate")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/qa/evaluate")
    told = client.get("/qa/evaluate").get_data(as_text=True)
    assert "started scoring this contact" in told and "PRIVATE-NOTE" not in told


def test_the_contact_list_filters_reviewed_and_not_reviewed(client, world, card):
    waiting = make_contact(world.agent_a1, marker="-WAIT")
    done = submitted(world, card)
    as_user(client, world.sup_a)
    reviewed = client.get("/qa/contacts?reviewed=yes").get_data(as_text=True)
    not_reviewed = client.get("/qa/contacts?reviewed=no").get_data(as_text=True)
    assert f'/qa/contacts/{done.contact_id}"' in reviewed
    assert f'/qa/contacts/{waiting.id}"' not in reviewed
    assert f'/qa/contacts/{waiting.id}"' in not_reviewed
    assert f'/qa/contacts/{done.contact_id}"' not in not_reviewed


def test_the_profile_summary_counts_submitted_evaluations_with_n(client, world, card):
    submitted(world, card)
    submitted(world, card, Identity_verified="no")
    contact = make_contact(world.agent_a1)
    evaluations.start(world.sup_a, contact, card.current_version)  # a draft never counts
    db.session.commit()
    as_user(client, world.manager_hk)
    body = client.get(
        f"/qa/people/{world.agent_a1.id}/summary", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    # (660/7 + 0) / 2 = 47.142857... -> 47.1 %, over 2 evaluations, 1 critical fail.
    assert "47.1 %" in body and "over 2 evaluations" in body
    assert re.search(r"Critical fails</dt><dd>1<", body)


def test_overturn_rates_count_resolved_disputes(client, world, card):
    kept = submitted(world, card)
    changed = submitted(world, card)
    for evaluation in (kept, changed):
        evaluations.dispute(
            world.agent_a1,
            evaluation,
            reason="x",
            question_reasons={},
            expected_version=evaluation.version,
        )
    evaluations.uphold(world.qa, kept, reason="ok", expected_version=kept.version)
    evaluations.rescore(
        world.qa, changed, full_answers(card), reason="typo", expected_version=changed.version
    )
    submitted(world, card)
    as_user(client, world.qa)
    body = client.get("/qa/evaluators").get_data(as_text=True)
    row = body[body.index(world.sup_a.name) :]
    cells = re.findall(r'<td class="num">([^<]*)', row)[:5]
    assert [c.strip() for c in cells] == ["3", "2", "2", "1", "50.0 %"]


def test_the_evaluation_page_loads_the_scorecard_in_one_query_per_level(app, client, world, card):
    evaluation = submitted(world, card)
    as_user(client, world.sup_a)
    client.get(f"/qa/evaluations/{evaluation.id}")
    with count_queries(app) as statements:
        page = client.get(f"/qa/evaluations/{evaluation.id}")
    assert page.status_code == 200
    for table in ("scorecard_section", "scorecard_question", "question_choice"):
        reads = [s for s in statements if f"FROM {table}" in s]
        assert len(reads) == 1, (table, len(reads))


def test_overturns_equal_a_plain_count_of_the_visible_evaluations(world, card):
    """The pre-grouped statement (pairs of evaluator and agent, disputes apart) gives what a
    plain count of each viewer's visible non-draft evaluations gives."""

    from portal.qa.evaluation_queries import overturns

    made = []
    for agent, evaluator in [
        (world.agent_a1, world.sup_a),
        (world.agent_a1, world.qa),
        (world.agent_b1, world.sup_b),
        (world.agent_a2, world.sup_a),
    ]:
        made += [submitted(world, card, agent=agent, evaluator=evaluator) for _ in range(2)]
    agents = {p.id: p for p in (world.agent_a1, world.agent_a2, world.agent_b1)}
    for i, evaluation in enumerate(made[:6]):
        evaluations.dispute(
            agents[evaluation.person_id],
            evaluation,
            reason="x",
            question_reasons={},
            expected_version=evaluation.version,
        )
        if i == 0:
            evaluations.uphold(
                world.qa, evaluation, reason="ok", expected_version=evaluation.version
            )
        elif i == 1:
            evaluations.rescore(
                world.qa,
                evaluation,
                full_answers(card),
                reason="typo",
                expected_version=evaluation.version,
            )
    contact = make_contact(world.agent_a1)
    evaluations.start(world.sup_a, contact, card.current_version)  # a draft: not counted
    for viewer in (world.qa, world.sup_a, world.head):
        found = overturn_counts((line.evaluator_id, line.rate) for line in overturns(viewer))
        assert found == plain_overturn_counts(viewer), viewer.email
