"""Calibration's blind scoring uses the evaluation form: the same questions component, a live
score for the answers so far, and one's own earlier answers filled in (never another's)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.qa import calibration_service as service
from portal.qa.evaluations import COMMENT_MAX
from tests.conftest import as_user, post_form
from tests.qa.programme_helpers import answers_for, make_card, make_contact


@pytest.fixture
def scoring(world):
    card = make_card(world.qa)
    contact = make_contact(world.agent_a1, datetime(2026, 11, 3, 2, tzinfo=UTC))
    session = service.create_session(
        world.hr,
        title="Form calibration",
        scorecard_version_id=card.version.id,
        contact_ids=[contact.id],
        evaluator_ids=[world.sup_a.id, world.sup_b.id],
    )
    url = f"/qa/programme/calibration/{session.id}/contacts/{contact.id}"
    return card, session, contact, url


def test_the_blind_form_is_the_evaluation_form_with_a_live_score(client, world, scoring):
    card, _session, _contact, url = scoring
    as_user(client, world.sup_a)
    page = client.get(url).get_data(as_text=True)
    assert "data-evaluate-form" in page and 'id="score-panel"' in page
    assert f'id="question-{card.yes_no.id}" data-question' in page
    assert "Keyboard" in page and "js/evaluate.js" in page
    live = post_form(
        client, url, {f"q-{card.yes_no.id}": "yes", "live": "1"}, headers={"HX-Request": "true"}
    )
    body = live.get_data(as_text=True)
    assert live.status_code == 200 and "<html" not in body
    assert 'data-testid="score">100.0 %' in body and 'id="score-bar-value"' in body


def test_my_earlier_answers_are_filled_in_and_nobody_elses(client, world, scoring):
    card, session, contact, url = scoring
    service.submit_score(world.sup_a, session, contact.id, answers_for(card, "no", 3, "Partly"))
    as_user(client, world.sup_a)
    page = client.get(url).get_data(as_text=True)
    assert re.search(rf'name="q-{card.yes_no.id}" value="no"[^>]*checked', page)
    assert re.search(rf'name="q-{card.scale.id}" value="3"[^>]*checked', page)
    assert "your answers and comments are filled in below" in page
    assert 'data-testid="score">0.0 %' in page  # the critical "no" shows in the score panel
    as_user(client, world.sup_b)
    assert "checked" not in client.get(url).get_data(as_text=True)


# ---- comments ---------------------------------------------------------------------------------


def _form(card, **extra) -> dict:
    choice = next(c for c in card.choice.choices if c.label == "Full")
    data = {
        f"q-{card.yes_no.id}": "yes",
        f"q-{card.scale.id}": "4",
        f"q-{card.choice.id}": str(choice.id),
    }
    data.update(extra)
    return data


def test_comments_are_stored_trimmed_audited_and_filled_in_again(client, world, scoring):
    card, session, contact, url = scoring
    as_user(client, world.sup_a)
    data = _form(
        card,
        **{
            f"c-{card.yes_no.id}": "  Asked for the postcode only.  ",
            f"c-{card.scale.id}": "   ",
            "overall_comment": " Good call overall. ",
        },
    )
    response = post_form(client, url, data, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers.get("HX-Redirect")
    record = service.own_scores(world.sup_a, session)[contact.id]
    comments = {a.question_id: a.comment for a in record.answers}
    assert comments == {
        card.yes_no.id: "Asked for the postcode only.",
        card.scale.id: None,
        card.choice.id: None,
    }
    assert record.overall_comment == "Good call overall."
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calibration.score")
    ).one()
    assert entry.after["comments"] == {str(card.yes_no.id): "Asked for the postcode only."}
    assert entry.after["overall_comment"] == "Good call overall."
    page = client.get(url).get_data(as_text=True)
    assert re.search(
        rf'<textarea id="c-{card.yes_no.id}"[^>]*>Asked for the postcode only.</textarea>', page
    )
    assert re.search(r'<textarea id="overall_comment"[^>]*>Good call overall.</textarea>', page)
    assert "your answers and comments are filled in below" in page
    # Scoring again replaces the comments: changed, and cleared where left empty.
    again = dict(
        data, **{f"c-{card.yes_no.id}": "Asked for the full address.", "overall_comment": ""}
    )
    assert post_form(client, url, again, headers={"HX-Request": "true"}).status_code == 204
    db.session.expire_all()
    record = service.own_scores(world.sup_a, session)[contact.id]
    assert {a.question_id: a.comment for a in record.answers}[card.yes_no.id] == (
        "Asked for the full address."
    )
    assert record.overall_comment is None


def test_a_too_long_comment_is_refused_at_its_field_and_what_was_typed_is_kept(
    client, world, scoring
):
    card, session, contact, url = scoring
    as_user(client, world.sup_a)
    long_text = "x" * (COMMENT_MAX + 1)
    data = _form(card, **{f"c-{card.scale.id}": long_text, "overall_comment": "Kept overall."})
    response = post_form(client, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    # The message sits at the comment's own field (opened), under the text as typed.
    assert re.search(
        rf'<textarea id="c-{card.scale.id}"[^>]*>{long_text}</textarea>\s*'
        rf'<ul class="errors"><li>Keep this under {COMMENT_MAX} characters.</li>',
        body,
    )
    assert body.count('<details class="comment" open>') == 1
    assert ">Kept overall.</textarea>" in body
    assert re.search(rf'name="q-{card.yes_no.id}" value="yes"[^>]*checked', body)
    assert contact.id not in service.own_scores(world.sup_a, session)
    with pytest.raises(ValidationFailed) as refused:
        service.submit_score(
            world.sup_a,
            session,
            contact.id,
            answers_for(card, "yes", 4, "Full"),
            service.Comments({}, overall=long_text),
        )
    assert "overall_comment" in refused.value.field_errors


def test_comments_stay_blind_while_open_and_show_with_their_writer_after_close(
    client, world, scoring
):
    card, session, contact, url = scoring
    comments = service.Comments({card.scale.id: "Tone was flat at the end."}, "Sup A overall.")
    service.submit_score(
        world.sup_a, session, contact.id, answers_for(card, "yes", 3, "Full"), comments
    )
    service.submit_score(world.hr, session, contact.id, answers_for(card, "yes", 4, "Full"))
    results = f"/qa/programme/calibration/{session.id}/results"
    for viewer in (world.sup_b, world.hr):
        as_user(client, viewer)
        for page_url in (url, f"/qa/programme/calibration/{session.id}", results):
            body = client.get(page_url).get_data(as_text=True)
            assert "Tone was flat" not in body and "Sup A overall." not in body, page_url
    service.close_session(world.hr, session, expected_version=session.version)
    as_user(client, world.sup_b)
    body = client.get(results).get_data(as_text=True)
    assert re.search(
        rf"<strong>{re.escape(world.sup_a.name)}</strong> — {re.escape(card.scale.text)}: "
        r'<span class="comment-text">Tone was flat at the end.</span>',
        body,
    )
    assert '— Overall comment: <span class="comment-text">Sup A overall.</span>' in body
    assert body.count('class="grid-comments"') == 1


def test_a_session_without_comments_shows_no_comments_row(client, world, scoring):
    card, session, contact, _url = scoring
    service.submit_score(world.hr, session, contact.id, answers_for(card, "yes", 4, "Full"))
    service.close_session(world.hr, session, expected_version=session.version)
    as_user(client, world.hr)
    body = client.get(f"/qa/programme/calibration/{session.id}/results").get_data(as_text=True)
    assert "grid-comments" not in body
