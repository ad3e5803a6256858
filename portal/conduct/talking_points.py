"""Follow-ups as talking points in the 1:1s of the person's series: each follow-up due by the
meeting's day and not yet done, of an action in force (never a draft). Only the kind and the
date are in the point; the facts stay on the action's page, which checks who may read it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal import time_format
from portal.coaching.talking_points import MeetingContext, TalkingPoint, register_provider
from portal.conduct.labels import kind_label
from portal.conduct.models import CorrectiveAction, FollowUp
from portal.conduct.rules import FOLLOW_UPS_OPEN
from portal.extensions import db
from portal.web import path_for


def conduct_follow_ups(context: MeetingContext) -> list[TalkingPoint]:
    meeting = context.meeting
    rows = db.session.execute(
        select(FollowUp, CorrectiveAction.kind)
        .join(CorrectiveAction, CorrectiveAction.id == FollowUp.action_id)
        .where(
            CorrectiveAction.person_id == meeting.person_id,
            CorrectiveAction.state.in_([s.value for s in FOLLOW_UPS_OPEN]),
            FollowUp.done_at.is_(None),
            FollowUp.due_on <= meeting.scheduled_at.date(),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    return [
        TalkingPoint(
            f"conduct.follow_up:{follow_up.id}",
            "conduct_follow_ups",
            _(
                "Corrective action follow-up due %(day)s: %(kind)s",
                day=time_format.fmt_date(follow_up.due_on),
                kind=kind_label(kind),
            ),
            path_for("conduct.action_detail", action_id=follow_up.action_id),
            follow_up,
        )
        for follow_up, kind in rows
    ]


register_provider("conduct_follow_ups", conduct_follow_ups)
