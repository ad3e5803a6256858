"""Reminders for review phases, recorded as notifications (shown in the portal's notification
list, e-mailed by the notify package): for each review of a running cycle, each phase not done
yet whose deadline is within three days (due soon) or has passed (overdue), the person who has
to act (the employee or the reviewer) is told once of each. Goals whose last check-in (or,
without one, their creation) is four weeks old are due a check-in: their owner is told once
per due date. Run by `portal.reminders.run_all` (and `flask goals reminders` for overdue)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from portal.extensions import db
from portal.goals.completion import is_overdue, phase_done, who_owes
from portal.goals.models import CheckIn, CycleState, Goal, PhaseKind, Review, ReviewCycle
from portal.goals.transitions import CHECK_INS_OPEN
from portal.notify.models import Notification
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.reminders import OCCASION, sent_before
from portal.web import path_for

KIND = "goals.phase_overdue"
register_kind(
    KIND,
    _l("Overdue in %(cycle)s: %(phase)s for %(person)s (due %(due)s)"),
    label=_l("A review phase I owe is overdue"),
    urgent=True,
)
DUE_SOON_KIND = "goals.phase_due_soon"
register_kind(
    DUE_SOON_KIND,
    _l("Due soon in %(cycle)s: %(phase)s for %(person)s (due %(due)s)"),
    label=_l("A review phase I owe is due soon"),
)
CHECK_IN_KIND = "goals.check_in_due"
register_kind(
    CHECK_IN_KIND,
    _l("A check-in on your goal %(goal)s is due on %(due)s"),
    label=_l("A check-in on one of my goals is due"),
)

DUE_SOON = timedelta(days=3)
CHECK_IN_EVERY = timedelta(days=28)  # as the 1:1's "goal check-in due" talking point

PHASE_NAMES = {
    PhaseKind.GOAL_SETTING: _l("goal setting"),
    PhaseKind.MID_CYCLE: _l("mid-cycle check-in"),
    PhaseKind.SELF_ASSESSMENT: _l("self-assessment"),
    PhaseKind.MANAGER_ASSESSMENT: _l("manager assessment"),
    PhaseKind.CALIBRATION: _l("calibration"),
    PhaseKind.SIGN_OFF: _l("sign-off"),
}


def _phase_names(rows: list) -> dict[int, dict[PhaseKind, str]]:
    """The phases' names in the language of each employee and reviewer of `rows` (one query):
    the name is kept in the notification, so it is put in the recipient's language here."""
    ids = {row[2] for row in rows} | {row[3] for row in rows if row[3] is not None}
    if not ids:
        return {}
    locales = dict(
        db.session.execute(select(Person.id, Person.locale).where(Person.id.in_(ids))).all()
    )
    by_locale: dict[str, dict[PhaseKind, str]] = {}
    for locale in set(locales.values()):
        with force_locale(locale or "en"):
            by_locale[locale] = {kind: str(name) for kind, name in PHASE_NAMES.items()}
    return {pid: by_locale[locale] for pid, locale in locales.items()}


def _running_reviews() -> list:
    """(review id, state, employee, reviewer, employee's name, cycle, goals, goals checked in)
    of every review of a running cycle: one query."""
    goals = (
        select(
            Goal.review_id,
            func.count(Goal.id).label("goals"),
            func.sum(case((Goal.latest_value.is_not(None), 1), else_=0)).label("checked"),
        )
        .group_by(Goal.review_id)
        .subquery()
    )
    return db.session.execute(
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


def send_reminders(today: date) -> int:
    """Record one notification per (review, overdue phase) not reminded before; returns how
    many were recorded. Commits."""
    rows = _running_reviews()
    sent = db.session.execute(
        select(Notification.record_id, Notification.params).where(Notification.kind == KIND)
    ).all()
    already = {(rid, params.get("phase_kind")) for rid, params in sent}
    names = _phase_names(rows)
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
                phase=names[owner][kind],
                phase_kind=kind.value,
                person=name,
                due=due[kind].isoformat(),
            )
            count += 1
    db.session.commit()
    return count


def send_phase_due_soon(now: datetime) -> int:
    """Record one notification per (review, phase not done, deadline) falling due within three
    days, to whoever has to act; returns how many were recorded. Commits."""
    today = now.date()
    rows = _running_reviews()
    already = sent_before(DUE_SOON_KIND, [row[0] for row in rows])
    names = _phase_names(rows)
    count = 0
    for review_id, state, person_id, reviewer_id, name, cycle, n_goals, checked in rows:
        for phase in cycle.phases:
            kind = PhaseKind(phase.kind)
            if not today <= phase.due_on <= today + DUE_SOON:
                continue
            if phase_done(kind, state, int(n_goals), int(checked)):
                continue
            owner = person_id if who_owes(kind, state) == "employee" else reviewer_id
            occasion = f"{kind.value}:{phase.due_on.isoformat()}"
            if owner is None or (owner, review_id, occasion) in already:
                continue
            notify(
                owner,
                None,
                DUE_SOON_KIND,
                "review",
                review_id,
                path_for("goals.review_detail", review_id=review_id),
                cycle=cycle.name,
                phase=names[owner][kind],
                phase_kind=kind.value,
                person=name,
                due=phase.due_on.isoformat(),
                **{OCCASION: occasion},
            )
            already.add((owner, review_id, occasion))
            count += 1
    db.session.commit()
    return count


def send_check_ins_due(now: datetime) -> int:
    """Tell each goal's owner, once per due date, that a check-in is due within three days (or
    was due and never reminded): a goal of a running cycle, while check-ins are open, is due a
    check-in four weeks after its last one (or its creation). Returns how many. Commits."""
    today = now.date()
    last = (
        select(CheckIn.goal_id, func.max(CheckIn.created_at).label("at"))
        .group_by(CheckIn.goal_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Goal.id, Goal.person_id, Goal.title, Goal.created_at, last.c.at)
        .join(Review, Review.id == Goal.review_id)
        .join(ReviewCycle, ReviewCycle.id == Goal.cycle_id)
        .outerjoin(last, last.c.goal_id == Goal.id)
        .where(
            ReviewCycle.state == CycleState.IN_PROGRESS,
            Review.state.in_([state.value for state in CHECK_INS_OPEN]),
        )
    ).all()
    already = sent_before(CHECK_IN_KIND, [row[0] for row in rows])
    count = 0
    for goal_id, person_id, title, created_at, last_at in rows:
        due = (last_at or created_at).date() + CHECK_IN_EVERY
        occasion = due.isoformat()
        if due > today + DUE_SOON or (person_id, goal_id, occasion) in already:
            continue
        notify(
            person_id,
            None,
            CHECK_IN_KIND,
            "goal",
            goal_id,
            path_for("goals.goal_detail", goal_id=goal_id),
            goal=title,
            due=due.isoformat(),
            **{OCCASION: occasion},
        )
        count += 1
    db.session.commit()
    return count
