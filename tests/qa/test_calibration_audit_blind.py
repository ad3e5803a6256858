"""Calibration stays blind in the audit log: while a session is open, its scores' entries read
"Hidden until the session is closed" to everyone but their writer; once closed, in words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from portal.qa import calibration_service as service
from tests.conftest import as_user, count_queries
from tests.qa.programme_helpers import answers_for, make_card, make_contact

HIDDEN = "Hidden until the session is closed"


def _session(world, contacts=1):
    card = make_card(world.qa)
    made = [
        make_contact(world.agent_a1, datetime(2026, 11, 3, 2 + i, tzinfo=UTC))
        for i in range(contacts)
    ]
    session = service.create_session(
        world.hr,
        title="Blind",
        scorecard_version_id=card.version.id,
        contact_ids=[c.id for c in made],
        evaluator_ids=[world.sup_a.id],
    )
    return card, made, session


def _score(world, card, session, contact, who, secret):
    service.submit_score(
        who,
        session,
        contact.id,
        answers_for(card, "no", 3, "Partly"),
        service.Comments({card.yes_no.id: f"{secret}-Q"}, f"{secret}-ALL"),
    )


def _page(client):
    return client.get("/admin/audit?action=calibration.score").get_data(as_text=True)


def test_scores_are_withheld_while_open_except_from_their_writer_and_shown_once_closed(
    client, world
):
    card, (contact,), session = _session(world)
    _score(world, card, session, contact, world.sup_a, "SECRET")

    as_user(client, world.hr)
    html = _page(client)
    assert "SECRET" not in html and HIDDEN in html
    assert "Partly" not in html, "answers withheld too"
    assert f"{world.sup_a.name}" in html, "the entry itself is listed"

    # The writer reads their own entry (if they may open the log at all: HR here).
    _score(world, card, session, contact, world.hr, "LEAD")
    html = _page(client)
    assert "LEAD-Q" in html and "LEAD-ALL" in html
    assert "SECRET" not in html

    service.close_session(world.hr, session, expected_version=session.version)
    html = _page(client)
    assert "SECRET-Q" in html and "SECRET-ALL" in html and HIDDEN not in html


def test_withholding_costs_one_query_whatever_the_number_of_entries(app, client, world):
    card, contacts, session = _session(world, contacts=4)
    _score(world, card, session, contacts[0], world.sup_a, "S0")
    as_user(client, world.hr)
    with count_queries(app) as few:
        html = _page(client)
    assert len(re.findall(HIDDEN, html)) == 1
    for i, contact in enumerate(contacts[1:], start=1):
        _score(world, card, session, contact, world.sup_a, f"S{i}")
    with count_queries(app) as many:
        html = _page(client)
    assert len(re.findall(HIDDEN, html)) == 4
    assert len(many) == len(few)
