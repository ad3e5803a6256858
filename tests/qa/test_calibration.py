"""Calibration: a small session computed by hand, blind scoring, closing, and isolation from
agents' results."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.qa import calibration
from portal.qa import calibration_service as service
from portal.qa.agreement import AlphaVerdict, Level
from portal.qa.rollup_queries import RollupFilters, rollup_for
from tests.conftest import login, post_form
from tests.qa.programme_helpers import answers_for, make_card, make_contact

# ---- pure, by hand ----------------------------------------------------------------------------
# Questions: 1 yes/no (10 points, critical), 2 scale 0-4, 3 choice (Full "f", Partly "p").
Q = [
    calibration.QuestionInfo(1, "Verified", "yes_no"),
    calibration.QuestionInfo(2, "Empathy", "scale", 4),
    calibration.QuestionInfo(3, "Resolved", "choice"),
]
LEAD, E1, E2 = 100, 201, 202


def s(contact, who, score, yes, scale, choice):
    return calibration.Scoring(contact, who, Decimal(score), {1: yes, 2: str(scale), 3: choice})


HAND = [
    s(1, LEAD, "100", "yes", 4, "f"),
    s(1, E1, "100", "yes", 4, "f"),
    s(1, E2, "87.5", "yes", 3, "p"),
    s(2, LEAD, "0", "no", 2, "p"),
    s(2, E1, "81.25", "yes", 2, "p"),
    s(2, E2, "0", "no", 2, "p"),
]


def test_deviation_from_the_reference_by_hand():
    result = calibration.compute(Q, [1, 2], LEAD, HAND)
    e1, e2 = result.evaluators
    assert (e1.evaluator_id, e1.n_contacts, e1.mean_difference) == (E1, 2, Decimal("40.625"))
    assert e1.match_rate == pytest.approx(5 / 6)
    assert e1.per_question == {1: 0.5, 2: 1.0, 3: 1.0}
    assert e2.mean_difference == Decimal("-6.25") and e2.match_rate == pytest.approx(4 / 6)
    assert e2.per_question == {1: 1.0, 2: 0.5, 3: 0.5}


def test_agreement_per_question_by_hand():
    result = calibration.compute(Q, [1, 2], LEAD, HAND)
    verified, empathy, resolved = result.questions
    assert verified.reference_agreement == 0.75 and verified.n_compared == 4
    assert verified.is_ambiguous
    # Pairs within each contact: contact 1 all agree (3 of 3), contact 2 one of 3.
    assert verified.percent_agreement == pytest.approx(4 / 6)
    # Nominal alpha: n = 6 values (yes 4, no 2); observed o(yes,no) + o(no,yes) = 2;
    # alpha = 1 - (n - 1) * 2 / (2 * 4 * 2) = 1 - 10 / 16.
    assert verified.level == Level.NOMINAL and verified.alpha == pytest.approx(0.375)
    assert verified.verdict == AlphaVerdict.UNRELIABLE
    assert verified.prevalence == pytest.approx({"yes": 4 / 6, "no": 2 / 6})
    assert empathy.level == Level.ORDINAL
    assert resolved.prevalence == pytest.approx({"p": 4 / 6, "f": 2 / 6})


def test_levels_follow_the_answer_types_and_the_overall_score_is_interval():
    result = calibration.compute(Q, [1, 2], LEAD, HAND)
    assert [s.level for s in result.by_level] == [Level.NOMINAL, Level.ORDINAL]
    assert result.overall_score.level == Level.INTERVAL
    nominal = result.by_level[0]
    assert nominal.interval is not None and nominal.interval[0] <= nominal.interval[1]
    assert nominal.n_units == 4  # two contacts x two nominal questions


def test_na_is_a_missing_value_and_a_missing_reference_is_reported():
    rows = [
        calibration.Scoring(1, LEAD, Decimal(100), {1: "na", 2: "4", 3: "f"}),
        calibration.Scoring(1, E1, Decimal(100), {1: "yes", 2: "4", 3: "f"}),
        calibration.Scoring(2, E1, Decimal(50), {1: "yes", 2: "1", 3: "p"}),
    ]
    result = calibration.compute(Q, [1, 2], LEAD, rows)
    assert result.missing_reference == [2]
    assert result.questions[0].n_compared == 0 and result.questions[0].alpha is None
    assert result.evaluators[0].per_question[2] == 1.0


# ---- sessions ---------------------------------------------------------------------------------


@pytest.fixture
def session_setup(world):
    card = make_card(world.qa)
    when = datetime(2026, 11, 3, 2, tzinfo=UTC)
    contacts = [make_contact(world.agent_a1, when), make_contact(world.agent_b1, when)]
    session = service.create_session(
        world.hr,
        title="November calibration",
        scorecard_version_id=card.version.id,
        contact_ids=[c.id for c in contacts],
        evaluator_ids=[world.sup_a.id, world.sup_b.id],
    )
    return card, contacts, session


def test_creating_a_session_checks_version_contacts_and_evaluators(app, world, session_setup):
    card, contacts, _ = session_setup
    with pytest.raises(ValidationFailed) as error:
        service.create_session(
            world.qa,
            title="x",
            scorecard_version_id=None,
            contact_ids=[contacts[1].id],  # agent B1: outside the QA analyst's grant
            evaluator_ids=[world.agent_a1.id],
        )
    assert set(error.value.field_errors) == {"scorecard_version", "contacts", "evaluators"}


def test_blind_until_closed_then_results(app, world, session_setup):
    card, contacts, session = session_setup
    good = answers_for(card, "yes", 4, "Full")
    half = answers_for(card, "yes", 2, "Partly")
    for contact in contacts:
        service.submit_score(world.sup_a, session, contact.id, good)
    assert set(service.own_scores(world.sup_b, session)) == set()  # nothing of sup_a's
    assert service.progress(session) == {contacts[0].id: 1, contacts[1].id: 1}
    with pytest.raises(InvalidTransition):
        service.results_for(world.hr, session)
    with pytest.raises(Conflict):  # the lead has not scored: no reference yet
        service.close_session(world.hr, session, expected_version=session.version)
    for contact in contacts:
        service.submit_score(world.hr, session, contact.id, half)
    service.submit_score(world.sup_b, session, contacts[0].id, half)
    service.close_session(world.hr, session, expected_version=session.version)
    with pytest.raises(InvalidTransition):
        service.submit_score(world.sup_b, session, contacts[1].id, half)
    result = service.results_for(world.sup_a, session)
    by_id = {e.evaluator_id: e for e in result.evaluators}
    assert by_id[world.sup_a.id].mean_difference == Decimal("18.75")  # 100 - 81.25
    assert by_id[world.sup_b.id].mean_difference == 0 and by_id[world.sup_b.id].n_contacts == 1


def test_agents_and_outsiders_cannot_reach_a_session(app, world, session_setup):
    _, _, session = session_setup
    for person in (world.agent_a1, world.agent_a2, world.manager_hk, world.trainer):
        with pytest.raises(NotFound):
            service.get_session(person, session.id)
    assert service.get_session(world.sup_a, session.id) is session


def test_calibration_scores_never_count_in_roll_ups(app, world, session_setup):
    card, contacts, session = session_setup
    for who in (world.hr, world.sup_a):
        service.submit_score(who, session, contacts[0].id, answers_for(card, "yes", 4, "Full"))
    filters = RollupFilters(start_on=date(2026, 1, 1), end_on=date(2027, 12, 31))
    assert rollup_for(world.hr, filters, 1).overall.n == 0


def test_the_scoring_page_never_shows_another_evaluators_answers(app, client, world, session_setup):
    card, contacts, session = session_setup
    service.submit_score(world.sup_a, session, contacts[0].id, answers_for(card, "no", 1, "None"))
    login(client, world.sup_b)
    url = f"/qa/programme/calibration/{session.id}/contacts/{contacts[0].id}"
    page = client.get(url).get_data(as_text=True)
    assert "checked" not in page
    assert client.get(f"/qa/programme/calibration/{session.id}/results").status_code == 409
    response = post_form(client, url, {f"q-{card.yes_no.id}": "yes"})
    assert response.status_code == 422
    kept = response.get_data(as_text=True)
    assert re.search(r'value="yes"[^>]*checked', kept)  # what was typed is kept
    data = {
        f"q-{card.yes_no.id}": "yes",
        f"q-{card.scale.id}": "3",
        f"q-{card.choice.id}": str(card.choice.choices[0].id),
    }
    assert post_form(client, url, data).status_code == 303


def test_invited_evaluators_are_notified_at_creation_and_at_closing(app, world, session_setup):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.notify.models import Notification

    card, contacts, session = session_setup
    kinds = lambda: sorted(  # noqa: E731
        (n.person_id, n.kind) for n in db.session.execute(select(Notification)).scalars()
    )
    assert kinds() == sorted(
        [(world.sup_a.id, "calibration.invited"), (world.sup_b.id, "calibration.invited")]
    )
    for contact in contacts:
        service.submit_score(world.hr, session, contact.id, answers_for(card, "yes", 4, "Full"))
    service.close_session(world.hr, session, expected_version=session.version)
    assert sum(kind == "calibration.closed" for _, kind in kinds()) == 2


def test_results_page_names_choices_by_label_and_scale_answers_by_number(
    app, client, world, session_setup
):
    card, contacts, session = session_setup
    for who in (world.hr, world.sup_a):
        for contact in contacts:
            service.submit_score(who, session, contact.id, answers_for(card, "yes", 2, "Partly"))
    service.close_session(world.hr, session, expected_version=session.version)
    login(client, world.sup_a)
    body = client.get(f"/qa/programme/calibration/{session.id}/results").get_data(as_text=True)
    assert "Partly 100 %" in body and "2 100 %" in body
