"""Follow-ups as reminders: the author of an action in force is told, once per follow-up, when
its date has come and it is not yet recorded as done. Run hourly by `portal.reminders.run_all`."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.conduct.models import CorrectiveAction, FollowUp
from portal.conduct.rules import FOLLOW_UPS_OPEN
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.reminders import OCCASION, sent_before
from portal.web import path_for

FOLLOW_UP_KIND = "conduct.follow_up_due"
register_kind(
    FOLLOW_UP_KIND,
    _l("A follow-up of the corrective action about %(person)s is due on %(due)s"),
    label=_l("A follow-up of a corrective action I wrote is due"),
    urgent=True,
)


def due_follow_ups(today) -> list[FollowUp]:
    """Follow-ups due by `today`, not done, of actions in force whose author is active."""
    stmt = (
        select(FollowUp)
        .join(CorrectiveAction, CorrectiveAction.id == FollowUp.action_id)
        .join(Person, Person.id == CorrectiveAction.author_id)
        .where(
            FollowUp.done_at.is_(None),
            FollowUp.due_on <= today,
            CorrectiveAction.state.in_([s.value for s in FOLLOW_UPS_OPEN]),
            Person.is_active.is_(True),
        )
        .options(joinedload(FollowUp.action).joinedload(CorrectiveAction.person))
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    return list(db.session.scalars(stmt))


def send_follow_ups_due(now: datetime) -> int:
    """Tell each author, once per follow-up, that it is due. Returns how many were recorded.
    Commits."""
    items = due_follow_ups(now.date())
    already = sent_before(FOLLOW_UP_KIND, [f.id for f in items])
    count = 0
    for follow_up in items:
        action = follow_up.action
        occasion = follow_up.due_on.isoformat()
        if (action.author_id, follow_up.id, occasion) in already:
            continue
        notify(
            action.author_id,
            None,
            FOLLOW_UP_KIND,
            "corrective_action_follow_up",
            follow_up.id,
            path_for("conduct.action_detail", action_id=action.id),
            person=action.person.display_name,
            due=occasion,
            **{OCCASION: occasion},
        )
        count += 1
    db.session.commit()
    return count
