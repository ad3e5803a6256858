"""Reminders for improvement plans, run by `portal.reminders.run_all`: when an active plan's
next check-in falls due (within a day, or overdue and never reminded), and when its end comes
within three days (the outcome is due), the person's manager (else whoever opened the plan) is
told once per due date."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.improvement import rules
from portal.improvement.models import ImprovementPlan, PlanCheckIn, PlanState
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.reminders import OCCASION, sent_before
from portal.web import path_for

CHECK_IN_KIND = "improvement.check_in_due"
OUTCOME_KIND = "improvement.outcome_due"
register_kind(
    CHECK_IN_KIND,
    _l("An improvement plan check-in with %(person)s is due on %(due)s"),
    label=_l("A check-in on an improvement plan I run is due"),
)
register_kind(
    OUTCOME_KIND,
    _l("The improvement plan of %(person)s ends on %(due)s: record its outcome"),
    label=_l("An improvement plan I run is ending"),
    urgent=True,
)

CHECK_IN_SOON = timedelta(days=1)
OUTCOME_SOON = timedelta(days=3)


def _active_plans(today) -> list:
    """(plan, the person's name, their manager, the last check-in day) of every active plan
    that has started: one query."""
    last = (
        select(PlanCheckIn.plan_id, func.max(PlanCheckIn.held_on).label("held_on"))
        .group_by(PlanCheckIn.plan_id)
        .subquery()
    )
    return db.session.execute(
        select(ImprovementPlan, Person.name, Person.manager_id, last.c.held_on)
        .join(Person, Person.id == ImprovementPlan.person_id)
        .outerjoin(last, last.c.plan_id == ImprovementPlan.id)
        .where(ImprovementPlan.state == PlanState.ACTIVE, ImprovementPlan.starts_on <= today)
        .order_by(ImprovementPlan.id)
    ).all()


def send_reminders(now: datetime) -> int:
    """Record the check-in and outcome reminders due at `now`; how many. Commits."""
    today = now.date()
    rows = _active_plans(today)
    ids = [row[0].id for row in rows]
    sent_check_in = sent_before(CHECK_IN_KIND, ids)
    sent_outcome = sent_before(OUTCOME_KIND, ids)
    count = 0
    for plan, name, manager_id, last_held in rows:
        recipient = manager_id or plan.opened_by_id
        link = path_for("improvement.plan_detail", plan_id=plan.id)
        due = rules.next_check_in_due(
            plan.starts_on, plan.check_in_every_days, last_held, plan.ends_on
        )
        occasion = due.isoformat()
        if due <= today + CHECK_IN_SOON and (recipient, plan.id, occasion) not in sent_check_in:
            notify(
                recipient,
                None,
                CHECK_IN_KIND,
                "improvement_plan",
                plan.id,
                link,
                person=name,
                due=occasion,
                **{OCCASION: occasion},
            )
            count += 1
        ends = plan.ends_on.isoformat()
        if plan.ends_on <= today + OUTCOME_SOON and (recipient, plan.id, ends) not in sent_outcome:
            notify(
                recipient,
                None,
                OUTCOME_KIND,
                "improvement_plan",
                plan.id,
                link,
                person=name,
                due=ends,
                **{OCCASION: ends},
            )
            count += 1
    db.session.commit()
    return count
