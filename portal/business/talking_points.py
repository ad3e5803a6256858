"""A 1:1 talking point per open business-review action item owned by the report, registered
with the coaching talking-point registry (the business blueprint imports this module)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from portal import time_format
from portal.business.models import BusinessActionItem
from portal.coaching.talking_points import MeetingContext, TalkingPoint, register_provider
from portal.extensions import db
from portal.web import path_for


def open_business_actions(context: MeetingContext) -> list[TalkingPoint]:
    """The report's open action items from business reviews, soonest due first."""
    items = db.session.scalars(
        select(BusinessActionItem)
        .options(joinedload(BusinessActionItem.review))
        .where(
            BusinessActionItem.owner_id == context.meeting.person_id,
            BusinessActionItem.is_done.is_(False),
        )
        .order_by(
            case((BusinessActionItem.due_on.is_(None), 1), else_=0),
            BusinessActionItem.due_on,
            BusinessActionItem.id,
        )
        .limit(20)
    ).unique()
    points = []
    for item in items:
        label = (
            _(
                "Business review action: %(body)s (due %(day)s)",
                body=item.body,
                day=time_format.fmt_date(item.due_on),
            )
            if item.due_on
            else _("Business review action: %(body)s", body=item.body)
        )
        points.append(
            TalkingPoint(
                f"business.action:{item.id}",
                "business_actions",
                label,
                path_for("business.review_detail", review_id=item.review_id),
                item,
            )
        )
    return points


register_provider("business_actions", open_business_actions)
