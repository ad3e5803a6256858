"""Calibration's blind scoring uses the evaluation form: the same questions component, a live
score for the answers so far, and one's own earlier answers filled in (never another's)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from portal.qa import calibration_service as service
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
