"""Reminders for overdue review phases, recorded as notifications (shown in the portal's
notification list): for each review of a running cycle, each phase whose deadline has passed
and that the review has not done yet, the person who has to act (the employee or the reviewer)
is told once. Run daily by `flask goals reminders`."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from portal.extensions import db
from portal.goals.completion import is_overdue, phase_done, who_owes
from portal.goals.models import CycleState, Goal, PhaseKind, Review, ReviewCycle
from portal.notify.models import Notification
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.web import path_for

KIND = "goals.phase_overdue"
register_kind(
    KIND,
    _l("Overdue in %(cycle)s: %(phase)s for %(person)s (due %(due)s)"),
    label=_l("A review phase I owe is overdue"),
    urgent=True,
)

PHASE_NAMES = {
    PhaseKind.GOAL_SETTING: _l("goal setting"),
    PhaseKind.MID_CYCLE: _l("mid-cycle check-in"),
    PhaseKind.SELF_ASSESSMENT: _l("self-assessment"),
    PhaseKind.MANAGER_ASSESSMENT: _l("manager assessment"),
    PhaseKind.CALIBRATION: _l("calibration"),
    PhaseKind.SIGN_OFF: _l("sign-off"),
}


def send_reminders(today: date) -> int:
    """Record one notification per (review, overdue phase) not reminded before; returns how
    many were recorded. Commits."""
    goals = (
        select(
            Goal.review_id,
            func.count(Goal.id).label("goals"),
            func.sum(case((Goal.latest_value.is_not(None), 1), else_=0)).label("checked"),
        )
        .group_by(Goal.review_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Review.id,
            Review.state,
            Review.person_id,
            Review.reviewer_id,
            Person.name,
            ReviewCycle,
            func.coalesce(goals.c.goals, 0),
            func.coalesce(goals.c.checked, 0),
        )
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .join(Person, Person.id == Review.person_id)
        .outerjoin(goals, goals.c.review_id == Review.id)
        .where(ReviewCycle.state == CycleState.IN_PROGRESS)
    ).all()
    sent = db.session.execute(
        select(Notification.record_id, Notification.params).where(Notification.kind == KIND)
    ).all()
    already = {(rid, params.get("phase_kind")) for rid, params in sent}
    count = 0
    for review_id, state, person_id, reviewer_id, name, cycle, n_goals, checked in rows:
        due = {phase.kind: phase.due_on for phase in cycle.phases}
        for kind in PhaseKind:
            done = phase_done(kind, state, int(n_goals), int(checked))
            if not is_overdue(done, due.get(kind), today) or (review_id, kind.value) in already:
                continue
            owner = person_id if who_owes(kind, state) == "employee" else reviewer_id
            if owner is None:
                continue
            notify(
                owner,
                None,
                KIND,
                "review",
                review_id,
                path_for("goals.review_detail", review_id=review_id),
                cycle=cycle.name,
                phase=str(PHASE_NAMES[kind]),
                phase_kind=kind.value,
                person=name,
                due=due[kind].isoformat(),
            )
            count += 1
    db.session.commit()
    return count
