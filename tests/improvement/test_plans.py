"""The improvement-plan service: who may open and run a plan, its lifecycle, check-ins,
extension and outcome, the hand-offs it notifies and the audit entries it writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.improvement import plans as service
from portal.improvement.models import ImprovementPlan, PlanCheckIn, PlanEvent, PlanState
from portal.notify.models import Notification
from tests.improvement.helpers import (
    START,
    active_plan,
    check_in,
    draft_plan,
    plan_fields,
    qa_expectation,
)


def notes(person, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.person_id == person.id, Notification.kind == kind
            )
        )
    )


def actions(plan) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.record_type == "improvement_plan", AuditEntry.record_id == plan.id)
            .order_by(AuditEntry.id)
        )
    )


def events(plan) -> list[str]:
    return list(
        db.session.scalars(
            select(PlanEvent.kind).where(PlanEvent.plan_id == plan.id).order_by(PlanEvent.id)
        )
    )


# ---- who opens a plan ----------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["sup_a", "manager_hk", "head", "hr"])
def test_the_manager_line_and_hr_open_a_plan(world, opener):
    plan = service.create_plan(world.agent_a1, getattr(world, opener), plan_fields(), token=None)
    assert plan.state == PlanState.DRAFT
    assert plan.ends_on == date(2026, 4, 1)
    assert actions(plan) == ["pip.create"]


@pytest.mark.parametrize("opener", ["agent_a1", "agent_a2", "sup_b", "qa", "trainer"])
def test_nobody_else_opens_a_plan_not_even_the_person(world, opener):
    with pytest.raises(Forbidden):
        service.create_plan(world.agent_a1, getattr(world, opener), plan_fields(), token=None)


def test_hr_cannot_open_a_plan_about_themselves(world):
    with pytest.raises(Forbidden):
        service.create_plan(world.hr, world.hr, plan_fields(), token=None)


def test_the_person_for_a_new_plan_is_looked_up_in_the_improvement_scope(world):
    assert service.person_for_new_plan(world.sup_a, world.agent_a1.id) == world.agent_a1
    with pytest.raises(NotFound):
        service.person_for_new_plan(world.sup_b, world.agent_a1.id)
    with pytest.raises(NotFound):
        service.person_for_new_plan(world.qa, world.agent_a1.id)  # QA's grant opens no plans
    with pytest.raises(Forbidden):
        service.person_for_new_plan(world.sup_a, world.sup_a.id)


def test_a_double_submitted_new_plan_makes_one_plan(world):
    first = service.create_plan(world.agent_a1, world.sup_a, plan_fields(), token="tok-1")
    second = service.create_plan(world.agent_a1, world.sup_a, plan_fields(), token="tok-1")
    assert first.id == second.id
    count = db.session.scalar(
        select(db.func.count(ImprovementPlan.id)).where(
            ImprovementPlan.person_id == world.agent_a1.id
        )
    )
    assert count == 1


def test_a_plan_without_a_reason_or_with_a_wrong_length_is_refused_at_its_fields(world):
    with pytest.raises(ValidationFailed) as refused:
        service.create_plan(
            world.agent_a1, world.sup_a, plan_fields(reason=" ", length_days=45), token=None
        )
    assert set(refused.value.field_errors) == {"reason", "length_days"}


# ---- the draft ---------------------------------------------------------------------------------


def test_the_person_does_not_see_their_plan_while_it_is_a_draft(world):
    plan = draft_plan(world)
    with pytest.raises(NotFound):
        service.get_plan(world.agent_a1, plan.id)
    assert service.my_plans(world.agent_a1) == []
    service.start_plan(plan, world.sup_a, expected_version=plan.version)
    assert service.get_plan(world.agent_a1, plan.id) == plan
    assert service.my_plans(world.agent_a1) == [plan]


@pytest.mark.parametrize("viewer", ["agent_a2", "sup_b", "qa", "trainer", "manager_jp"])
def test_peers_other_managers_qa_and_trainers_never_reach_a_plan(world, viewer):
    plan = active_plan(world)
    with pytest.raises(NotFound):
        service.get_plan(getattr(world, viewer), plan.id)
    assert service.team_plans(getattr(world, viewer)).rows == []


def test_a_draft_is_edited_and_its_expectations_changed_until_it_starts(world):
    plan = draft_plan(world)
    service.edit_plan(
        plan, world.manager_hk, plan_fields(length_days=90), expected_version=plan.version
    )
    assert plan.ends_on == date(2026, 5, 31)
    first = plan.expectations[0]
    service.remove_expectation(plan, world.sup_a, first.id, expected_version=plan.version)
    assert [e.title for e in plan.expectations] == ["First response"]
    service.start_plan(plan, world.sup_a, expected_version=plan.version)
    with pytest.raises(InvalidTransition):
        service.edit_plan(plan, world.sup_a, plan_fields(), expected_version=plan.version)
    with pytest.raises(InvalidTransition):
        service.add_expectation(plan, world.sup_a, qa_expectation(), expected_version=plan.version)
    assert actions(plan) == [
        "pip.create",
        "pip.expectation_add",
        "pip.expectation_add",
        "pip.edit",
        "pip.expectation_remove",
        "pip.start",
    ]


def test_an_edit_from_a_stale_page_is_told_not_saved(world):
    plan = draft_plan(world)
    stale = plan.version
    service.edit_plan(plan, world.sup_a, plan_fields(reason="New"), expected_version=stale)
    with pytest.raises(Conflict):
        service.edit_plan(
            plan, world.manager_hk, plan_fields(reason="Other"), expected_version=stale
        )
    assert plan.reason == "New"


def test_an_expectation_needs_its_target_on_the_right_side_and_a_unique_title(world):
    plan = draft_plan(world)
    with pytest.raises(ValidationFailed) as refused:
        service.add_expectation(
            plan, world.sup_a, qa_expectation(target=Decimal(50)), expected_version=plan.version
        )
    assert set(refused.value.field_errors) == {"target", "title"}
    with pytest.raises(ValidationFailed) as refused:
        service.add_expectation(
            plan,
            world.sup_a,
            qa_expectation(title="Late", due_on=date(2027, 1, 1)),
            expected_version=plan.version,
        )
    assert set(refused.value.field_errors) == {"due_on"}


def test_a_plan_starts_only_with_an_expectation(world):
    plan = service.create_plan(world.agent_a1, world.sup_a, plan_fields(), token=None)
    with pytest.raises(ValidationFailed):
        service.start_plan(plan, world.sup_a, expected_version=plan.version)


def test_starting_tells_the_employee_and_only_the_line_may_start(world):
    plan = draft_plan(world)
    with pytest.raises(Forbidden):
        service.start_plan(plan, world.agent_a1, expected_version=plan.version)
    service.start_plan(plan, world.sup_a, expected_version=plan.version)
    assert plan.state == PlanState.ACTIVE and plan.started_at is not None
    [note] = notes(world.agent_a1, "improvement.started")
    assert note.url == f"/improvement/{plan.id}"
    assert "QA scores" not in str(note.params)  # the message names no detail of the plan


# ---- acknowledgment ------------------------------------------------------------------------


def test_the_employee_acknowledges_once_with_a_comment_and_the_line_is_told(world):
    plan = active_plan(world)
    with pytest.raises(Forbidden):
        service.acknowledge_plan(plan, world.sup_a, comment="", expected_version=plan.version)
    service.acknowledge_plan(
        plan, world.agent_a1, comment="I do not agree", expected_version=plan.version
    )
    assert plan.acknowledged_at is not None
    assert plan.acknowledgement_comment == "I do not agree"
    assert len(notes(world.sup_a, "improvement.acknowledged")) == 1
    with pytest.raises(InvalidTransition):
        service.acknowledge_plan(plan, world.agent_a1, comment="", expected_version=plan.version)
    assert "acknowledged" in events(plan)


def test_when_hr_opened_the_plan_both_hr_and_the_manager_hear_of_the_acknowledgment(world):
    plan = active_plan(world, by=world.hr)
    service.acknowledge_plan(plan, world.agent_a1, comment="", expected_version=plan.version)
    assert len(notes(world.sup_a, "improvement.acknowledged")) == 1
    assert len(notes(world.hr, "improvement.acknowledged")) == 1


# ---- check-ins ---------------------------------------------------------------------------------


def test_a_check_in_records_values_and_moves_each_expectations_latest_value(world):
    plan = active_plan(world)
    check_in(world, plan, date(2026, 3, 9), qa=70, response=20)
    check_in(world, plan, date(2026, 3, 16), qa=76)
    check_in(world, plan, date(2026, 3, 12), qa=60, response=16)  # recorded late
    view = service.plan_view(plan)
    latest = {v.expectation.title: v.expectation.latest_value for v in view.expectations}
    assert latest == {"QA score MK-A1": Decimal(76), "First response": Decimal(16)}
    percent = {v.expectation.title: v.figures.progress.percent for v in view.expectations}
    assert percent == {"QA score MK-A1": Decimal(73), "First response": Decimal(67)}
    assert [c.held_on for c in view.check_ins] == [
        date(2026, 3, 16),
        date(2026, 3, 12),
        date(2026, 3, 9),
    ]
    assert view.next_due == date(2026, 3, 23)
    assert actions(plan).count("pip.check_in") == 3


def test_a_double_submitted_check_in_is_recorded_once(world):
    plan = active_plan(world)
    assert check_in(world, plan, date(2026, 3, 9), qa=70, token="ci-1") is not None
    assert check_in(world, plan, date(2026, 3, 9), qa=70, token="ci-1") is None
    count = db.session.scalar(
        select(db.func.count(PlanCheckIn.id)).where(PlanCheckIn.plan_id == plan.id)
    )
    assert count == 1


@pytest.mark.parametrize(
    ("held_on", "field"),
    [(date(2026, 3, 1), "held_on"), (date(2026, 3, 21), "held_on")],
)
def test_a_check_in_is_dated_between_the_start_and_today(world, held_on, field):
    plan = active_plan(world)
    with pytest.raises(ValidationFailed) as refused:
        check_in(world, plan, held_on, qa=70)
    assert field in refused.value.field_errors


def test_check_ins_are_for_the_line_on_an_active_plan(world):
    plan = draft_plan(world)
    with pytest.raises(InvalidTransition):
        check_in(world, plan, START, qa=70)
    service.start_plan(plan, world.sup_a, expected_version=plan.version)
    with pytest.raises(Forbidden):
        service.add_check_in(
            plan, world.agent_a1, held_on=START, note="x", values={}, token=None, today=START
        )


def test_a_value_for_another_plans_expectation_is_refused(world):
    plan = active_plan(world)
    other = active_plan(world, person=world.agent_a2)
    with pytest.raises(NotFound):
        service.add_check_in(
            plan,
            world.sup_a,
            held_on=START,
            note="x",
            values={other.expectations[0].id: Decimal(1)},
            token=None,
            today=START,
        )


# ---- extension and outcome -----------------------------------------------------------------


def test_extending_adds_days_keeps_the_reason_in_the_history_and_tells_the_employee(world):
    plan = active_plan(world)
    service.record_outcome(
        plan,
        world.manager_hk,
        outcome="extended",
        reason="Progress, not there yet",
        extend_days=30,
        expected_version=plan.version,
    )
    assert plan.state == PlanState.ACTIVE and plan.ends_on == date(2026, 5, 1)
    service.extend_plan(plan, world.sup_a, days=60, reason="Again", expected_version=plan.version)
    assert plan.ends_on == date(2026, 6, 30)
    history = service.plan_view(plan)
    extensions = [(e.days, e.ends_on, e.note) for e in history.events if e.kind == "extended"]
    assert extensions == [
        (30, date(2026, 5, 1), "Progress, not there yet"),
        (60, date(2026, 6, 30), "Again"),
    ]
    assert history.extended_days == 90
    assert len(notes(world.agent_a1, "improvement.extended")) == 2


def test_an_extension_needs_30_60_or_90_days_and_a_reason(world):
    plan = active_plan(world)
    with pytest.raises(ValidationFailed) as refused:
        service.extend_plan(plan, world.sup_a, days=None, reason=" ", expected_version=plan.version)
    assert set(refused.value.field_errors) == {"extend_days", "reason"}


def test_closing_records_the_outcome_and_reason_and_ends_check_ins(world):
    plan = active_plan(world)
    with pytest.raises(Forbidden):
        service.close_plan(plan, world.agent_a1, outcome="met", reason="x", expected_version=1)
    service.record_outcome(
        plan,
        world.sup_a,
        outcome="not_met",
        reason="QA stayed below 70",
        extend_days=None,
        expected_version=plan.version,
    )
    assert plan.state == PlanState.CLOSED
    assert (plan.outcome, plan.outcome_reason) == ("not_met", "QA stayed below 70")
    assert len(notes(world.agent_a1, "improvement.closed")) == 1
    with pytest.raises(InvalidTransition):
        check_in(world, plan, date(2026, 3, 9), qa=70)
    with pytest.raises(InvalidTransition):
        service.close_plan(
            plan, world.sup_a, outcome="met", reason="x", expected_version=plan.version
        )
    assert events(plan) == ["opened", "started", "closed"]


def test_an_unknown_outcome_is_refused_at_its_field(world):
    plan = active_plan(world)
    with pytest.raises(ValidationFailed) as refused:
        service.close_plan(
            plan, world.sup_a, outcome="great", reason="x", expected_version=plan.version
        )
    assert set(refused.value.field_errors) == {"outcome"}


def test_reading_a_plan_is_audited(world):
    plan = active_plan(world)
    service.read_plan(world.agent_a1, plan.id)
    service.read_plan(world.hr, plan.id, action="pip.pdf")
    rows = db.session.execute(
        select(AuditEntry.actor_id, AuditEntry.action).where(
            AuditEntry.record_type == "improvement_plan", AuditEntry.record_id == plan.id
        )
    ).all()
    assert (world.agent_a1.id, "pip.view") in rows and (world.hr.id, "pip.pdf") in rows
