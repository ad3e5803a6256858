"""Improvement plans over the test world, built through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.improvement import plans as service

START = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 3, 20)


def plan_fields(**overrides) -> service.PlanFields:
    values = dict(
        reason="QA scores below 70 % for three months MK-A1",
        support="Weekly coaching with the supervisor; the refresher course",
        starts_on=START,
        length_days=30,
        check_in_every_days=7,
    )
    values.update(overrides)
    return service.PlanFields(**values)


def qa_expectation(**overrides) -> service.ExpectationFields:
    values = dict(
        title="QA score MK-A1",
        metric="Average QA score",
        unit="%",
        baseline=Decimal(65),
        target=Decimal(80),
        direction="higher",
        due_on=None,
    )
    values.update(overrides)
    return service.ExpectationFields(**values)


def response_expectation(**overrides) -> service.ExpectationFields:
    values = dict(
        title="First response",
        metric="First response time",
        unit="hours",
        baseline=Decimal(24),
        target=Decimal(12),
        direction="lower",
        due_on=None,
    )
    values.update(overrides)
    return service.ExpectationFields(**values)


def draft_plan(world, *, by=None, person=None, token=None, **overrides):
    """A draft for A1 opened by their supervisor, with the QA and response expectations."""
    by = by or world.sup_a
    plan = service.create_plan(person or world.agent_a1, by, plan_fields(**overrides), token=token)
    service.add_expectation(plan, by, qa_expectation(), expected_version=plan.version)
    service.add_expectation(plan, by, response_expectation(), expected_version=plan.version)
    return plan


def active_plan(world, **overrides):
    plan = draft_plan(world, **overrides)
    service.start_plan(plan, overrides.get("by") or world.sup_a, expected_version=plan.version)
    return plan


def check_in(
    world, plan, held_on: date, qa=None, response=None, *, note="Talked it through", token=None
):
    by_title = {e.title: e.id for e in plan.expectations}
    values = {}
    if qa is not None:
        values[by_title["QA score MK-A1"]] = Decimal(qa)
    if response is not None:
        values[by_title["First response"]] = Decimal(response)
    return service.add_check_in(
        plan, world.hr, held_on=held_on, note=note, values=values, token=token, today=TODAY
    )
