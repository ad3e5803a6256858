"""The QA analyst's, trainer's and HR admin's home sections: each count equals what the linked
page shows, each section only for the grant it is about, a bounded number of statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.extensions import db
from portal.home import queues
from portal.home.items import Urgency
from portal.qa import calibration_service, sampling_service
from portal.qa.models import ContactImport
from portal.qa.programme_models import SamplingAssignment
from tests.conftest import as_user, count_queries
from tests.goals.helpers import make_cycle
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation
from tests.training import helpers as training


def _today(person) -> date:
    return datetime.now(ZoneInfo(person.time_zone or "UTC")).date()


def _items(section) -> dict:
    return {item.key: item for item in section.items}


def _statements(app, provider, person, today) -> int:
    """Statements of one call in a request (as on the home page: the grants are read once)."""
    assert person.name  # loaded before counting
    with app.test_request_context(), count_queries(app) as statements:
        provider(person, today)
    return len(statements)


def test_each_section_is_for_its_grant_only(app, world):
    today = date(2026, 12, 7)
    assert queues.qa_section(world.qa, today).key == "qa"
    assert queues.trainer_section(world.trainer, today).key == "trainer"
    assert queues.hr_section(world.hr, today).key == "hr"
    for person in (world.head, world.manager_hk, world.sup_a, world.agent_a1):
        assert queues.qa_section(person, today) is None
        assert queues.trainer_section(person, today) is None
        assert queues.hr_section(person, today) is None
    assert queues.qa_section(world.hr, today) is None  # HR reaches QA pages; no queue there
    assert queues.hr_section(world.qa, today) is None
    assert queues.trainer_section(world.qa, today) is None


# ---- QA ------------------------------------------------------------------------------------


def _sessions(world, card, n: int):
    contact = make_contact(world.agent_a1, datetime.now(UTC) - timedelta(days=1))
    db.session.commit()
    return [
        calibration_service.create_session(
            world.qa,
            title=f"Session MK-{i}",
            scorecard_version_id=card.version.id,
            contact_ids=[contact.id],
            evaluator_ids=[world.sup_a.id],
        )
        for i in range(n)
    ], contact


def test_calibration_sessions_to_score_link_to_the_session_or_the_list(app, client, world):
    card = make_card(world.qa)
    (first, second), contact = _sessions(world, card, 2)
    calibration_service.submit_score(
        world.qa, second, contact.id, answers_for(card, "yes", 3, "Full")
    )
    item = _items(queues.qa_section(world.qa, date.today()))["qa.calibration"]
    assert item.count == 1 and item.url == f"/qa/programme/calibration/{first.id}"
    as_user(client, world.qa)
    assert client.get(item.url).status_code == 200
    _sessions(world, card, 1)
    item = _items(queues.qa_section(world.qa, date.today()))["qa.calibration"]
    assert item.count == 2 and item.url == "/qa/programme/calibration"
    body = client.get(item.url).get_data(as_text=True)
    assert body.count("Open: scoring blind") == 3  # the page lists the scored one too


def test_sampled_contacts_count_the_analysts_queue(app, client, world):
    now = datetime.now(UTC)
    for agent in (world.agent_a1, world.agent_a2):
        make_contact(agent, now - timedelta(days=2))
    db.session.commit()
    rule = sampling_service.create_rule(
        world.qa,
        sampling_service.RuleFields(
            name="Home rule",
            root_person_id=world.sup_a.id,
            per_agent=1,
            stratify="proportional",
            channel_minimums={},
            market_id=None,
            segment_id=None,
            direction=None,
            min_duration_seconds=None,
            assign_to="qa_round_robin",
            due_days=3,
        ),
    )
    today = (now - timedelta(days=2)).date()
    sampling_service.run_rule(world.qa, rule, week_on=today, seed=1, today=today)
    mine = list(
        db.session.scalars(
            select(SamplingAssignment).where(SamplingAssignment.evaluator_id == world.qa.id)
        )
    )
    item = _items(queues.qa_section(world.qa, today))["qa.sampled"]
    assert item.count == len(mine) >= 1
    assert item.due == min(a.due_on for a in mine) and item.urgency == Urgency.THIS_WEEK
    as_user(client, world.qa)
    body = client.get(item.url).get_data(as_text=True)
    assert all(a.contact.external_id in body for a in mine)


def test_disputes_count_the_evaluations_page_filtered_to_disputed(app, client, world):
    card = make_card(world.qa)
    answers = answers_for(card, "yes", 3, "Full")
    when = datetime.now(UTC) - timedelta(days=3)
    for agent, evaluator in (
        (world.agent_a1, world.sup_a),
        (world.agent_a2, world.sup_a),
        (world.agent_c1, world.sup_c),  # team C: outside the analyst's grant
    ):
        make_evaluation(card, make_contact(agent, when), evaluator, answers, status="disputed")
    make_evaluation(card, make_contact(world.agent_a1, when), world.sup_a, answers)
    item = _items(queues.qa_section(world.qa, date.today()))["qa.disputes"]
    assert item.count == 2 and item.url == "/qa/evaluations?status=disputed"
    as_user(client, world.qa)
    body = client.get(item.url).get_data(as_text=True)
    assert "MK-A1" in body and "MK-A2" in body and "MK-C1" not in body


def test_the_qa_section_statements_do_not_grow(app, world):
    card = make_card(world.qa)
    _sessions(world, card, 1)
    few = _statements(app, queues.qa_section, world.qa, date.today())
    _sessions(world, card, 5)
    when = datetime.now(UTC) - timedelta(days=3)
    for _ in range(5):
        make_evaluation(
            card,
            make_contact(world.agent_a1, when),
            world.sup_a,
            answers_for(card, "yes", 3, "Full"),
            status="disputed",
        )
    assert _statements(app, queues.qa_section, world.qa, date.today()) == few <= 6


# ---- trainer -------------------------------------------------------------------------------


def test_overdue_training_counts_the_team_matrix_rows(app, client, world):
    course = training.course(world.trainer, title="Compliance MK-COURSE")
    training.assign(world.trainer, course, due_on=date(2026, 11, 1), market_id=world.jp.id)
    today = _today(world.trainer)
    item = _items(queues.trainer_section(world.trainer, today))["trainer.overdue"]
    # Japan: manager_jp, sup_c and agent_c1 (Hong Kong's people are not the trainer's).
    assert item.count == 3 and item.urgency == Urgency.OVERDUE
    assert item.detail == "Compliance MK-COURSE: 3"
    as_user(client, world.trainer)
    body = client.get(item.url).get_data(as_text=True)
    overdue = body.split('id="overdue-title"')[1].split("</section>")[0]
    assert overdue.count("<tr><td>") == item.count
    assert "MK-C1" in overdue and "MK-A1" not in overdue


def test_the_trainer_section_statements_do_not_grow(app, world):
    course = training.course(world.trainer, title="Grow MK-COURSE")
    training.assign(world.trainer, course, due_on=date(2026, 11, 1), market_id=world.jp.id)
    today = _today(world.trainer)
    few = _statements(app, queues.trainer_section, world.trainer, today)
    for n in range(4):
        more = training.course(world.trainer, title=f"More {n} MK-COURSE")
        training.assign(world.trainer, more, due_on=date(2026, 11, 1), market_id=world.jp.id)
    assert _statements(app, queues.trainer_section, world.trainer, today) == few <= 6


# ---- HR ------------------------------------------------------------------------------------


def test_a_running_cycle_counts_the_overdue_rows_of_the_completion_page(app, client, world):
    cycle = make_cycle(world)
    today = _today(world.hr)
    item = _items(queues.hr_section(world.hr, today))["hr.cycle"]
    assert item.url == f"/goals/completion?cycle={cycle.id}"
    assert item.urgency == Urgency.OVERDUE and item.due == date(2026, 7, 31)
    as_user(client, world.hr)
    body = client.get(item.url).get_data(as_text=True)
    overdue = body.split("<h2>Overdue</h2>")[1].split("</table>")[0]
    assert item.count == overdue.count("<tr><td>") > 0


def _import(by, name: str, *, status: str = "done", errors: int = 0) -> ContactImport:
    record = ContactImport(
        imported_by_id=by.id, file_name=name, status=status, total_rows=5, error_rows=errors
    )
    db.session.add(record)
    db.session.commit()
    return record


def test_contact_imports_with_errors_link_to_the_import_or_the_list(app, client, world):
    _import(world.qa, "clean.csv")
    bad = _import(world.qa, "refused-rows.csv", errors=2)
    item = _items(queues.hr_section(world.hr, date.today()))["hr.contact_imports"]
    assert item.count == 1 and item.url == f"/qa/contacts/imports/{bad.id}"
    assert item.detail == "2 refused rows in refused-rows.csv"
    as_user(client, world.hr)
    assert "refused-rows.csv" in client.get(item.url).get_data(as_text=True)
    _import(world.qa, "broken.csv", status="failed")
    item = _items(queues.hr_section(world.hr, date.today()))["hr.contact_imports"]
    assert item.count == 2 and item.url == "/qa/contacts/import"
    body = client.get(item.url).get_data(as_text=True)
    assert "refused-rows.csv" in body and "broken.csv" in body


def test_the_hr_section_statements_do_not_grow(app, world):
    make_cycle(world)
    today = _today(world.hr)
    _import(world.qa, "one.csv", errors=1)
    few = _statements(app, queues.hr_section, world.hr, today)
    for n in range(5):
        _import(world.qa, f"more-{n}.csv", errors=1)
    assert _statements(app, queues.hr_section, world.hr, today) == few <= 8
