"""1:1 talking points from improvement plans, registered with the coaching registry (the
improvement service imports this module): for the report's active plans, a check-in due by the
week after the meeting, the plan's end coming within a week (its outcome is due), and each
check-in held since the last 1:1. A 1:1 is seen by the report, everyone above them and HR:
the same people who see the plan. Drafts never show."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import time_format
from portal.coaching.talking_points import MeetingContext, TalkingPoint, register_provider
from portal.extensions import db
from portal.improvement import rules
from portal.improvement.models import ImprovementPlan, PlanCheckIn, PlanState
from portal.web import path_for

DUE_WITHIN = timedelta(days=6)  # a check-in due before the next weekly 1:1 is raised in this one
ENDS_WITHIN = timedelta(days=7)
RECENT_WITHOUT_MEETING = timedelta(days=14)  # "recent" when no 1:1 was held before


def improvement_points(context: MeetingContext) -> list[TalkingPoint]:
    meeting = context.meeting
    day = meeting.scheduled_at.date()
    last = (
        select(PlanCheckIn.plan_id, func.max(PlanCheckIn.held_on).label("held_on"))
        .where(PlanCheckIn.held_on <= day)
        .group_by(PlanCheckIn.plan_id)
        .subquery()
    )
    plans = db.session.execute(
        select(ImprovementPlan, last.c.held_on)
        .outerjoin(last, last.c.plan_id == ImprovementPlan.id)
        .where(
            ImprovementPlan.person_id == meeting.person_id,
            ImprovementPlan.state == PlanState.ACTIVE,
            ImprovementPlan.starts_on <= day,
        )
        .order_by(ImprovementPlan.id)
    ).all()
    points: list[TalkingPoint] = []
    for plan, last_held in plans:
        link = path_for("improvement.plan_detail", plan_id=plan.id)
        due = rules.next_check_in_due(
            plan.starts_on, plan.check_in_every_days, last_held, plan.ends_on
        )
        if due <= day + DUE_WITHIN:
            points.append(
                TalkingPoint(
                    f"improvement.check_in_due:{plan.id}:{due.isoformat()}",
                    "improvement_check_ins_due",
                    _("Improvement plan check-in due %(day)s", day=time_format.fmt_date(due)),
                    link,
                    plan,
                )
            )
        if plan.ends_on <= day + ENDS_WITHIN:
            points.append(
                TalkingPoint(
                    f"improvement.ends:{plan.id}:{plan.ends_on.isoformat()}",
                    "improvement_ends",
                    _(
                        "Improvement plan ends %(day)s: its outcome is due",
                        day=time_format.fmt_date(plan.ends_on),
                    ),
                    link,
                    plan,
                )
            )
    if not plans:
        return points
    since = context.since.date() if context.since else day - RECENT_WITHOUT_MEETING
    recent = db.session.scalars(
        select(PlanCheckIn)
        .where(
            PlanCheckIn.plan_id.in_([plan.id for plan, _last in plans]),
            PlanCheckIn.held_on > since,
            PlanCheckIn.held_on <= day,
        )
        .order_by(PlanCheckIn.held_on, PlanCheckIn.id)
    ).all()
    for check_in in recent:
        points.append(
            TalkingPoint(
                f"improvement.check_in:{check_in.id}",
                "improvement_check_ins",
                _(
                    "Improvement plan check-in of %(day)s: %(note)s",
                    day=time_format.fmt_date(check_in.held_on),
                    note=check_in.note[:80],
                ),
                path_for("improvement.plan_detail", plan_id=check_in.plan_id),
                check_in,
            )
        )
    return points


register_provider("improvement", improvement_points)
