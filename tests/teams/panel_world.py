"""A small, hand-built world for the team-view panels, on top of tests.factories.World.

The period under test is October 2026 (`OCTOBER`); the previous one is September. Every figure
the tests expect is computed by hand in their comments from the records made here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.goals import cycles
from portal.goals.models import Goal, Review, ReviewCycle
from portal.training.models import Assignment, Completion, Course, Kudos
from tests.goals.helpers import cycle_fields
from tests.qa.programme_helpers import Card, answers_for, make_card, make_contact, make_evaluation

OCTOBER = "period=month&on=2026-10-15"
_tokens = itertools.count(1)


def at(day: date, hour: int = 4) -> datetime:
    """A moment of that day (04:00 UTC is noon in Hong Kong: the same day there)."""
    return datetime.combine(day, time(hour), UTC)


# ---- QA --------------------------------------------------------------------------------------
# Card: one section; yes/no (10 points, critical for the evaluation), scale 0..4, choice 2/1/0.
# Possible 16 points. E1 yes/4/Full = 100; E2 yes/2/Partly = 13/16 = 81.25; E3 no → critical → 0.


@dataclass
class QaData:
    card: Card


def evaluate(card, agent, evaluator, day, answers, channel="phone", status="submitted"):
    contact = make_contact(agent, at(day), channel=channel)
    return make_evaluation(card, contact, evaluator, answers, submitted_at=at(day), status=status)


def build_qa(world) -> QaData:
    card = make_card(world.qa)
    full = answers_for(card, "yes", 4, "Full")  # 100
    partly = answers_for(card, "yes", 2, "Partly")  # 81.25, Resolved answered "Partly"
    critical = answers_for(card, "no", 4, "Full")  # 0, critical fail
    none = answers_for(card, "yes", 0, "None")  # 10/16 = 62.5; Empathy 0 and Resolved failed
    evaluate(card, world.agent_a1, world.sup_a, date(2026, 10, 6), full)
    evaluate(card, world.agent_a1, world.sup_a, date(2026, 10, 20), partly, channel="email")
    evaluate(card, world.agent_a2, world.sup_a, date(2026, 10, 7), critical)
    evaluate(card, world.agent_a2, world.sup_a, date(2026, 10, 8), none, status="draft")
    evaluate(card, world.agent_b1, world.sup_b, date(2026, 10, 13), none)
    evaluate(card, world.agent_c1, world.sup_c, date(2026, 10, 14), critical)
    evaluate(card, world.agent_a1, world.sup_a, date(2026, 9, 15), none)  # previous period
    return QaData(card)


# ---- 1:1s ------------------------------------------------------------------------------------


def series(person, supervisor, starts_on=date(2026, 9, 1)) -> OneOnOneSeries:
    s = OneOnOneSeries(
        person_id=person.id,
        supervisor_id=supervisor.id,
        cadence="weekly",
        weekday=0,
        start_time=time(10, 0),
        time_zone="Asia/Hong_Kong",
        starts_on=starts_on,
    )
    db.session.add(s)
    db.session.flush()
    return s


def meeting(s: OneOnOneSeries, day: date, status: str) -> None:
    db.session.add(
        OneOnOne(
            series_id=s.id,
            person_id=s.person_id,
            supervisor_id=s.supervisor_id,
            scheduled_at=at(day, 2),  # Monday 10:00 in Hong Kong
            status=status,
            cancel_reason="ill" if status == "cancelled" else None,
        )
    )


def build_one_on_ones(world) -> None:
    """October's weeks (Mondays 5, 12, 19, 26):
    A1: held, missed, cancelled, nothing (not recorded)  → 1 held of 4 due
    A2: held ×4                                           → 4 of 4
    B1: nothing                                           → 0 of 4
    SUP_A with MGRHK: held on the 5th only                → 1 of 4
    C1: held ×4 (outside HK)
    September (Mondays 7, 14, 21, 28): A1 held on the 7th, the rest nothing."""
    a1 = series(world.agent_a1, world.sup_a)
    for day, status in [(5, "held"), (12, "missed"), (19, "cancelled")]:
        meeting(a1, date(2026, 10, day), status)
    meeting(a1, date(2026, 9, 7), "held")
    a2 = series(world.agent_a2, world.sup_a)
    for day in (5, 12, 19, 26):
        meeting(a2, date(2026, 10, day), "held")
    series(world.agent_b1, world.sup_b)
    sa = series(world.sup_a, world.manager_hk)
    meeting(sa, date(2026, 10, 5), "held")
    c1 = series(world.agent_c1, world.sup_c)
    for day in (5, 12, 19, 26):
        meeting(c1, date(2026, 10, day), "held")
    db.session.commit()


# ---- goals and reviews -----------------------------------------------------------------------


def _goal(review: Review, title: str, direction: str, baseline, target, latest) -> None:
    db.session.add(
        Goal(
            review_id=review.id,
            cycle_id=review.cycle_id,
            person_id=review.person_id,
            title=title,
            metric=title,
            baseline=Decimal(baseline),
            target=Decimal(target),
            direction=direction,
            weight=50,
            due_on=date(2026, 12, 31),
            created_by_id=review.reviewer_id or review.person_id,
            latest_value=None if latest is None else Decimal(latest),
        )
    )


def _review(cycle: ReviewCycle, person, state: str) -> Review:
    review = Review(
        cycle_id=cycle.id, person_id=person.id, reviewer_id=person.manager_id, state=state
    )
    db.session.add(review)
    db.session.flush()
    return review


def build_goals(world) -> ReviewCycle:
    """Cycle "2026 H2" (from 1 July; goal setting due 31 July, mid-cycle 30 September, the rest
    from 15 December on). Goals and progress:
    A1 (self_review): 0→10 at 5 = 0.5; lower 100→50 at 40 = 1.2      (both checked in)
    A2 (manager_review): keep 10 at 12 = 1; another with no check-in
    B1 (locked): 0→4 at 1 = 0.25
    C1 (draft, JP): 0→10 at 10 = 1
    SUP_A (draft): no goals."""
    cycle = cycles.create_cycle(world.hr, cycle_fields())
    a1 = _review(cycle, world.agent_a1, "self_review")
    _goal(a1, "CSAT", "higher", 0, 10, 5)
    _goal(a1, "Handle time", "lower", 100, 50, 40)
    a2 = _review(cycle, world.agent_a2, "manager_review")
    _goal(a2, "Keep NPS", "higher", 10, 10, 12)
    _goal(a2, "Accounts", "higher", 0, 10, None)
    b1 = _review(cycle, world.agent_b1, "locked")
    _goal(b1, "Returning", "higher", 0, 4, 1)
    c1 = _review(cycle, world.agent_c1, "draft")
    _goal(c1, "CSAT", "higher", 0, 10, 10)
    _review(cycle, world.sup_a, "draft")
    db.session.commit()
    return cycle


# ---- training --------------------------------------------------------------------------------


def _course(world, title: str) -> Course:
    course = Course(title=title, kind="elearning", is_mandatory=True, created_by_id=world.hr.id)
    db.session.add(course)
    db.session.flush()
    return course


def _assign(world, course: Course, person, due_on: date) -> None:
    db.session.add(
        Assignment(
            course_id=course.id,
            person_id=person.id,
            due_on=due_on,
            assigned_by_id=world.hr.id,
            token=f"panel-{next(_tokens)}",
        )
    )


def _complete(course: Course, person, on: date) -> None:
    db.session.add(
        Completion(
            person_id=person.id, course_id=course.id, completed_on=on, source="self_reported"
        )
    )


def build_training(world) -> None:
    """Due in October: A1 course X (due 10th, completed 8th), A2 course X (due 10th, not done:
    overdue), B1 course X (due 20th, completed 25th), C1 course X (due 10th, overdue, JP).
    Not in October: A1 course Y due 30 November."""
    x, y = _course(world, "Privacy"), _course(world, "Escalations")
    _assign(world, x, world.agent_a1, date(2026, 10, 10))
    _complete(x, world.agent_a1, date(2026, 10, 8))
    _assign(world, x, world.agent_a2, date(2026, 10, 10))
    _assign(world, x, world.agent_b1, date(2026, 10, 20))
    _complete(x, world.agent_b1, date(2026, 10, 25))
    _assign(world, x, world.agent_c1, date(2026, 10, 10))
    _assign(world, y, world.agent_a1, date(2026, 11, 30))
    db.session.commit()


# ---- recognition -----------------------------------------------------------------------------


def kudos(giver, person, value: str, day: date) -> None:
    db.session.add(
        Kudos(
            person_id=person.id,
            giver_id=giver.id,
            value=value,
            message="Thanks",
            token=f"kudos-{next(_tokens)}",
            created_at=at(day),
        )
    )


def build_kudos(world) -> None:
    """October: A1 Teamwork and Ownership, A2 Teamwork, B1 Empathy, C1 Teamwork.
    September: A1 Teamwork."""
    kudos(world.agent_a2, world.agent_a1, "Teamwork", date(2026, 10, 2))
    kudos(world.sup_a, world.agent_a1, "Ownership", date(2026, 10, 9))
    kudos(world.agent_a1, world.agent_a2, "Teamwork", date(2026, 10, 9))
    kudos(world.sup_b, world.agent_b1, "Empathy", date(2026, 10, 21))
    kudos(world.sup_c, world.agent_c1, "Teamwork", date(2026, 10, 21))
    kudos(world.agent_a2, world.agent_a1, "Teamwork", date(2026, 9, 30))
    db.session.commit()


def build_all(world) -> None:
    build_qa(world)
    build_one_on_ones(world)
    build_goals(world)
    build_training(world)
    build_kudos(world)


def build_for_live_server(app, people: dict) -> None:
    """The panel world over a browser test's live server: its people (by key, as the
    live_server fixture gives them) and Team C, then every area's records."""
    from types import SimpleNamespace

    from portal.org.models import Person, Team

    with app.app_context():
        w = SimpleNamespace(**{k: db.session.get(Person, v["id"]) for k, v in people.items()})
        w.team_c = db.session.query(Team).filter_by(name="Team C").one()
        build_all(w)
        db.session.remove()
