"""Demo improvement plan: one active PIP for an agent of the HK supervisor's team (not the
agent.hk sign-in), opened and started by the supervisor, acknowledged by the agent with a
comment, with two weekly check-ins; the next one is due today, so it shows in the 1:1s.

Built directly (like the goals demo) but following the service's rules: the end date and the
latest values come from portal.improvement.rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from portal.demo.context import DemoContext
from portal.extensions import db
from portal.improvement import rules
from portal.improvement.models import (
    CheckInValue,
    EventKind,
    Expectation,
    ImprovementPlan,
    PlanCheckIn,
    PlanEvent,
    PlanState,
)
from portal.org.models import Person

STARTED_DAYS_AGO = 21
CHECK_INS = (  # days ago, QA score, first response time (hours), note
    (14, Decimal(71), Decimal(24), "Listened to five calls together; greeting and verification "
     "are fine, the resolution summary is often missing. Practised it on two calls."),
    (7, Decimal(75), Decimal(19), "QA up four points. Summaries present in 8 of 10 contacts. "
     "First response still slow on Mondays: agreed to clear the weekend queue first."),
)  # fmt: skip


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), UTC)


def plan_agent(ctx: DemoContext) -> Person | None:
    """An active agent reporting to the HK supervisor sign-in, other than agent.hk."""
    supervisor = ctx.logins.get("supervisor.hk")
    agent_login = ctx.logins.get("agent.hk")
    if supervisor is None:
        return None
    for person in ctx.reports.get(supervisor.id, []):
        if person.is_active and (agent_login is None or person.id != agent_login.id):
            return person
    return None


def load_improvement(ctx: DemoContext) -> None:
    """One active improvement plan with two check-ins. Flushes."""
    person = plan_agent(ctx)
    if person is None:
        return
    supervisor = ctx.logins["supervisor.hk"]
    starts_on = ctx.today - timedelta(days=STARTED_DAYS_AGO)
    plan = ImprovementPlan(
        person_id=person.id,
        opened_by_id=supervisor.id,
        state=PlanState.ACTIVE,
        reason=(
            "Average QA score of 68 % over the last three months (n = 24 evaluations), below "
            "the team's 80 % standard, and first responses taking 26 hours against a 16-hour "
            "target. Discussed in the 1:1s of the last two months without lasting change."
        ),
        support=(
            "A weekly coaching session with the supervisor on recorded contacts; the "
            "'Resolution summaries' refresher course; a senior agent as buddy for the Monday "
            "queue."
        ),
        starts_on=starts_on,
        length_days=60,
        ends_on=rules.end_date(starts_on, 60),
        check_in_every_days=7,
        created_at=_at(starts_on - timedelta(days=2)),
        started_at=_at(starts_on),
        acknowledged_at=_at(starts_on + timedelta(days=1), 15),
        acknowledgement_comment=(
            "I have read it. I think the contacts sampled in June were unusually hard, but I "
            "will work on the summaries."
        ),
    )
    db.session.add(plan)
    db.session.flush()
    qa = Expectation(
        plan_id=plan.id,
        person_id=person.id,
        title="QA score at the team standard",
        metric="Average QA score",
        unit="%",
        baseline=Decimal(68),
        target=Decimal(80),
        direction="higher",
        due_on=plan.ends_on,
    )
    response = Expectation(
        plan_id=plan.id,
        person_id=person.id,
        title="Faster first response",
        metric="First response time",
        unit="hours",
        baseline=Decimal(26),
        target=Decimal(16),
        direction="lower",
    )
    db.session.add_all([qa, response])
    db.session.flush()
    events = [
        PlanEvent(kind=EventKind.OPENED, by_id=supervisor.id, at=plan.created_at),
        PlanEvent(
            kind=EventKind.STARTED, by_id=supervisor.id, at=plan.started_at, ends_on=plan.ends_on
        ),
        PlanEvent(
            kind=EventKind.ACKNOWLEDGED,
            by_id=person.id,
            at=plan.acknowledged_at,
            note=plan.acknowledgement_comment,
        ),
    ]
    for number, (days_ago, qa_value, response_value, note) in enumerate(CHECK_INS):
        held_on = ctx.today - timedelta(days=days_ago)
        check_in = PlanCheckIn(
            plan_id=plan.id,
            person_id=person.id,
            by_id=supervisor.id,
            held_on=held_on,
            note=note,
            created_at=_at(held_on, 11),
            token=f"demo-pip-{number}",
            values=[
                CheckInValue(expectation_id=qa.id, value=qa_value),
                CheckInValue(expectation_id=response.id, value=response_value),
            ],
        )
        db.session.add(check_in)
        for expectation, value in ((qa, qa_value), (response, response_value)):
            expectation.latest_on, expectation.latest_value = rules.latest_after(
                expectation.latest_on, expectation.latest_value, held_on, value
            )
        events.append(
            PlanEvent(
                kind=EventKind.CHECKED_IN, by_id=supervisor.id, at=_at(held_on, 11), note=note
            )
        )
    for event in events:
        event.plan_id, event.person_id = plan.id, person.id
    db.session.add_all(events)
    db.session.flush()
    ctx.counts["improvement_plans"] = 1
