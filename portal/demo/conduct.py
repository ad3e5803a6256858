"""Demo corrective actions in the HK supervisor's team: a documented conversation about one agent,
issued last month and acknowledged with a comment (one follow-up done, one ahead), and a written
warning to the demo agent (agent.hk), issued two days ago and awaiting acknowledgment, linked to
their latest evaluation and 1:1. Built directly, following the service's rules (states, expiry,
follow-up dates); the agent is notified as the service would."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from portal.coaching.models import OneOnOne
from portal.conduct import actions as _kinds  # noqa: F401  (registers the notification kinds)
from portal.conduct import rules
from portal.conduct.models import ActionLink, CorrectiveAction, FollowUp, LinkType
from portal.conduct.rules import Kind, State
from portal.demo.context import DemoContext
from portal.extensions import db
from portal.notify.service import notify
from portal.org.models import Person
from portal.qa.evaluation_models import Evaluation, EvaluationStatus
from portal.web import path_for

EXPIRY_MONTHS = rules.DEFAULT_EXPIRY_MONTHS


def _at(day, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _latest(model, person: Person, *conditions):
    column = model.submitted_at if model is Evaluation else model.scheduled_at
    return db.session.scalars(
        select(model)
        .where(model.person_id == person.id, *conditions)
        .order_by(column.desc())
        .limit(1)
    ).first()


def _links(action: CorrectiveAction, person: Person, now: datetime) -> None:
    evaluation = _latest(Evaluation, person, Evaluation.status != EvaluationStatus.DRAFT)
    meeting = _latest(OneOnOne, person, OneOnOne.scheduled_at < now)
    if evaluation is not None:
        action.links.append(ActionLink(record_type=LinkType.EVALUATION, record_id=evaluation.id))
    if meeting is not None:
        action.links.append(ActionLink(record_type=LinkType.ONE_ON_ONE, record_id=meeting.id))


def load_conduct(ctx: DemoContext) -> None:
    supervisor = ctx.logins.get("supervisor.hk")
    agent = ctx.logins.get("agent.hk")
    if supervisor is None or agent is None:
        return
    others = [p for p in ctx.reports.get(supervisor.id, []) if p.id != agent.id]
    made = 0
    if others:
        person = others[0]
        held = ctx.today - timedelta(days=35)
        issued_on = held + timedelta(days=1)
        conversation = CorrectiveAction(
            person_id=person.id,
            author_id=supervisor.id,
            kind=Kind.CONVERSATION,
            state=State.ACKNOWLEDGED,
            held_on=held,
            facts=(
                "Three merchant callbacks promised on Monday were not made by Wednesday; "
                "one merchant escalated to the market manager."
            ),
            expectations=(
                "Log every promised callback in the CRM with a due time, and make it the same "
                "working day or hand it over before leaving."
            ),
            issued_at=_at(issued_on),
            issued_on=issued_on,
            expires_on=rules.expires_on(issued_on, EXPIRY_MONTHS),
            acknowledged_at=_at(issued_on + timedelta(days=1), 11),
            acknowledgment_comment=(
                "Understood. The callback queue was not visible on the new dashboard; "
                "I now keep my own list."
            ),
        )
        conversation.follow_ups = [
            FollowUp(
                due_on=held + timedelta(days=14),
                done_at=_at(held + timedelta(days=14), 15),
                done_by_id=supervisor.id,
                note="All callbacks logged and made on time for two weeks.",
            ),
            FollowUp(due_on=ctx.today + timedelta(days=7)),
        ]
        _links(conversation, person, ctx.now)
        db.session.add(conversation)
        made += 1
    held = ctx.today - timedelta(days=2)
    warning = CorrectiveAction(
        person_id=agent.id,
        author_id=supervisor.id,
        kind=Kind.WRITTEN_WARNING,
        state=State.ISSUED,
        held_on=held,
        facts=(
            "Refunds above the approval limit were granted twice this month without a "
            "supervisor's approval, against the refund policy explained in training."
        ),
        expectations=(
            "Every refund above the limit goes to the supervisor for approval before it is "
            "promised to the merchant. We review your refunds together at each follow-up."
        ),
        issued_at=_at(held, 16),
        issued_on=held,
        expires_on=rules.expires_on(held, EXPIRY_MONTHS),
    )
    warning.follow_ups = [
        FollowUp(due_on=ctx.today + timedelta(days=12)),
        FollowUp(due_on=ctx.today + timedelta(days=40)),
    ]
    _links(warning, agent, ctx.now)
    db.session.add(warning)
    db.session.flush()
    notify(
        agent.id,
        supervisor,
        "conduct.issued",
        "corrective_action",
        warning.id,
        path_for("conduct.action_detail", action_id=warning.id),
    )
    made += 1
    ctx.counts["corrective_actions"] = made
