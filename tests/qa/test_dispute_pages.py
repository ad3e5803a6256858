"""Resolving a dispute with the dispute in view: the evaluation page and the re-score page
show the agent's overall reason and each disputed question with its answer and the agent's
words; uphold and re-score are separate actions, each with its own reason, stored (the
re-score's with the new revision), shown in the history, and sent to the agent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notify import service
from portal.notify.models import Notification
from portal.qa import evaluations
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, post_form
from tests.notify.helpers import told
from tests.qa.evaluation_helpers import card_for, full_answers, questions, submitted

OVERALL = "MK-OVERALL I solved it on the call"
ON_NEED = "MK-NEED I asked twice what she needed"


@pytest.fixture
def card(world):
    return card_for(world)


@pytest.fixture
def disputed(world, card) -> Evaluation:
    evaluation = submitted(world, card)
    need = questions(card)["Need understood"]
    evaluations.dispute(
        world.agent_a1,
        evaluation,
        reason=OVERALL,
        question_reasons={need: ON_NEED},
        expected_version=evaluation.version,
    )
    return evaluation


def note_of(kind: str) -> str:
    note = db.session.scalars(select(Notification).where(Notification.kind == kind)).one()
    return service.message(note)


def test_the_resolve_page_shows_the_dispute_beside_the_answers(client, world, disputed):
    as_user(client, world.sup_a)
    page = client.get(f"/qa/evaluations/{disputed.id}").get_data(as_text=True)
    panel = page.split('id="dispute"')[1].split("</section>")[0]
    assert OVERALL in panel and ON_NEED in panel
    assert "Need understood" in panel and "answered: 3 of 4" in panel
    resolve = page.split('id="resolve-heading"')[1].split("</section>")[0]
    assert "Why the score stands" in resolve and "Re-score the answers" in resolve
    # the re-score is its own action, not a button of the uphold form
    uphold_form = resolve.split("<form")[1].split("</form>")[0]
    assert "/rescore" not in uphold_form


def test_the_rescore_page_shows_what_the_agent_disputed_at_the_question(
    client, world, card, disputed
):
    as_user(client, world.sup_a)
    page = client.get(f"/qa/evaluations/{disputed.id}/rescore").get_data(as_text=True)
    assert OVERALL in page and ON_NEED in page
    need = questions(card)["Need understood"]
    question = page.split(f'id="question-{need}"')[1].split("</fieldset>")[0]
    assert "The agent disputed this answer:" in question and ON_NEED in question
    assert "What changed and why" in page and "Why the score stands" not in page


def test_uphold_keeps_its_reason_shows_it_and_tells_the_agent(client, world, disputed):
    as_user(client, world.sup_a)
    refused = post_form(
        client, f"/qa/evaluations/{disputed.id}/uphold", {"version": disputed.version}
    )
    assert refused.status_code == 422
    assert "Give the reason for your decision." in refused.get_data(as_text=True)
    answer = post_form(
        client,
        f"/qa/evaluations/{disputed.id}/uphold",
        {"version": disputed.version, "reason": "MK-STANDS The need was never confirmed"},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, disputed.id)
    assert (evaluation.resolution, evaluation.resolution_reason) == (
        "upheld",
        "MK-STANDS The need was never confirmed",
    )
    assert evaluation.revision_number == 1  # no new answers
    as_user(client, world.agent_a1)
    page = client.get(f"/qa/evaluations/{disputed.id}").get_data(as_text=True)
    assert "Why the score stands:" in page and "MK-STANDS" in page and OVERALL in page
    url = f"/qa/evaluations/{disputed.id}"
    assert told("evaluation.upheld") == [(world.agent_a1.id, disputed.id, url)]
    assert "MK-STANDS The need was never confirmed" in note_of("evaluation.upheld")


def test_rescore_needs_what_changed_and_keeps_it_with_the_revision(client, world, card, disputed):
    as_user(client, world.sup_a)
    form = {**full_answers(card, Need_understood="4"), "version": disputed.version}
    refused = post_form(client, f"/qa/evaluations/{disputed.id}/rescore", form)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Give the reason for your decision." in text and ON_NEED in text
    answer = post_form(
        client,
        f"/qa/evaluations/{disputed.id}/rescore",
        {**form, "reason": "MK-CHANGED Need confirmed at 2:10"},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, disputed.id)
    assert evaluation.resolution == "rescored"
    assert evaluation.current_revision.reason == "MK-CHANGED Need confirmed at 2:10"
    detail = client.get(f"/qa/evaluations/{disputed.id}").get_data(as_text=True)
    history = detail.split('id="revisions-heading"')[1]
    assert "MK-CHANGED Need confirmed at 2:10" in history
    assert "What changed and why:" in detail
    panel = detail.split('id="dispute"')[1].split("</section>")[0]
    assert "answered: 3 of 4" in panel  # the answer the agent disputed, not the new one
    revision = client.get(f"/qa/evaluations/{disputed.id}/revisions/2").get_data(as_text=True)
    assert "MK-CHANGED" in revision
    message = note_of("evaluation.rescored")
    assert "100.0 %" in message and "MK-CHANGED Need confirmed at 2:10" in message


def test_a_long_reason_reaches_the_agent_cut_at_a_word(world, card, disputed):
    reason = "word " * 200
    evaluations.uphold(world.sup_a, disputed, reason=reason, expected_version=disputed.version)
    message = note_of("evaluation.upheld")
    assert message.endswith("…") and len(message) < 500


def test_a_notification_stored_before_its_message_named_the_reason_still_reads(world, disputed):
    evaluations.uphold(world.sup_a, disputed, reason="ok", expected_version=disputed.version)
    note = db.session.scalars(
        select(Notification).where(Notification.kind == "evaluation.upheld")
    ).one()
    note.params = {k: v for k, v in note.params.items() if k != "reason"}
    message = service.message(note)
    assert "%(" not in message and world.sup_a.display_name in message
    # The message as it was then, not the new one with nothing after "Why the score stands:".
    assert "Why the score stands" not in message
    contact = note.params["contact"]
    assert message == f"{world.sup_a.display_name} upheld the evaluation of {contact}"


def test_a_rescore_notification_stored_without_a_reason_reads_as_it_did(world, disputed):
    note = Notification(
        person_id=world.agent_a1.id,
        actor_id=world.sup_a.id,
        kind="evaluation.rescored",
        record_type="evaluation",
        record_id=disputed.id,
        url="/",
        params={"actor": "Sam Sup", "contact": "C-1", "score": "80.0 %"},
    )
    assert service.message(note) == "Sam Sup re-scored the evaluation of C-1: 80.0 %"
    note.params = {**note.params, "reason": "Need confirmed"}
    assert service.message(note) == (
        "Sam Sup re-scored the evaluation of C-1: 80.0 %. What changed and why: Need confirmed"
    )
