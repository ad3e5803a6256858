"""Talking points from goals and training, registered beside the QA and action-item ones:
goal check-ins due (a goal in a running cycle with no check-in for four weeks before the
meeting) and training due within two weeks or overdue on the meeting's day."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import time_format
from portal.coaching.talking_points import MeetingContext, TalkingPoint, register_provider
from portal.extensions import db
from portal.goals.models import CheckIn, CycleState, Goal, ReviewCycle
from portal.org.models import Person
from portal.training import assignments
from portal.training.status import Status
from portal.web import path_for

CHECK_IN_EVERY = timedelta(days=28)
TRAINING_SOON = timedelta(days=14)


def goal_check_ins_due(context: MeetingContext) -> list[TalkingPoint]:
    meeting = context.meeting
    last = (
        select(CheckIn.goal_id, func.max(CheckIn.created_at).label("at"))
        .group_by(CheckIn.goal_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Goal, last.c.at)
        .join(ReviewCycle, ReviewCycle.id == Goal.cycle_id)
        .outerjoin(last, last.c.goal_id == Goal.id)
        .where(Goal.person_id == meeting.person_id, ReviewCycle.state == CycleState.IN_PROGRESS)
        .order_by(Goal.due_on, Goal.id)
    ).all()
    cutoff = meeting.scheduled_at - CHECK_IN_EVERY
    points = []
    for goal, at in rows:
        if at is not None and (at if at.tzinfo else at.replace(tzinfo=cutoff.tzinfo)) > cutoff:
            continue
        points.append(
            TalkingPoint(
                f"goals.check_in:{goal.id}",
                "goal_check_ins",
                _("Goal check-in due: %(title)s", title=goal.title),
                path_for("goals.goal_detail", goal_id=goal.id),
                goal,
            )
        )
    return points


def training_due(context: MeetingContext) -> list[TalkingPoint]:
    meeting = context.meeting
    day = meeting.scheduled_at.date()
    person = select(Person.id).where(Person.id == meeting.person_id)
    points = []
    for item in assignments.training_items(person, day):
        status = item.standing.status
        if status == Status.COMPLETED:
            continue
        if status == Status.DUE and item.due_on > day + TRAINING_SOON:
            continue
        label = (
            _("Training overdue: %(course)s", course=item.course_title)
            if status == Status.OVERDUE
            else _(
                "Training due %(day)s: %(course)s",
                day=time_format.fmt_date(item.due_on),
                course=item.course_title,
            )
        )
        points.append(
            TalkingPoint(
                f"training.due:{item.course_id}",
                "training_due",
                label,
                path_for("training.course_detail", course_id=item.course_id),
                item,
            )
        )
    return points


register_provider("goal_check_ins", goal_check_ins_due)
register_provider("training_due", training_due)
