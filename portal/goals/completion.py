"""Completion of a cycle's phases by team, with what is overdue and who owes it.

The rules (when a phase is done for one review, who owes it) are pure functions; the query
reads every visible review of the cycle in one statement, whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.goals.models import Goal, PhaseKind, Review, ReviewCycle, ReviewState
from portal.org.models import Person, Team

P, S = PhaseKind, ReviewState
ORDER = list(ReviewState)

# A phase is done for a review once the review reached this state.
DONE_FROM = {
    P.GOAL_SETTING: S.SELF_REVIEW,
    P.SELF_ASSESSMENT: S.MANAGER_REVIEW,
    P.MANAGER_ASSESSMENT: S.CALIBRATION,
    P.CALIBRATION: S.SHARED,
    P.SIGN_OFF: S.ACKNOWLEDGED,
}


def phase_done(kind: str, state: str, goals: int, goals_checked_in: int) -> bool:
    """Whether one review has done the phase. The mid-cycle check-in is done when the person
    has goals and every one of them has at least one check-in."""
    if kind == P.MID_CYCLE:
        return goals > 0 and goals_checked_in == goals
    return ORDER.index(S(state)) >= ORDER.index(DONE_FROM[P(kind)])


def who_owes(kind: str, state: str) -> str:
    """ "employee" or "reviewer": who has to act for the phase to be done."""
    if kind in (P.MID_CYCLE, P.SELF_ASSESSMENT):
        return "employee"
    if kind == P.SIGN_OFF and state == S.SHARED:
        return "employee"  # shared: the employee acknowledges
    return "reviewer"


def is_overdue(done: bool, due_on: date | None, today: date) -> bool:
    return not done and due_on is not None and today > due_on


@dataclass
class Overdue:
    phase: str
    due_on: date
    review_id: int
    person: str
    owes: str  # the name of whoever has to act


@dataclass
class TeamCompletion:
    team: str
    total: int = 0
    done: dict[str, int] = field(default_factory=dict)  # phase -> reviews done
    overdue: dict[str, int] = field(default_factory=dict)  # phase -> reviews overdue


@dataclass(frozen=True)
class Completion:
    teams: list[TeamCompletion]
    overdue: list[Overdue]


def completion_for(viewer: Person, cycle: ReviewCycle, today: date) -> Completion:
    """Per team (as frozen at enrolment), how many reviews have done each phase, and the
    overdue ones with who owes them; over the reviews the viewer may see (not their own)."""
    policy.require(viewer, "goals.team")
    reviewer = aliased(Person)
    goals = (
        select(
            Goal.review_id,
            func.count(Goal.id).label("goals"),
            func.sum(case((Goal.latest_value.is_not(None), 1), else_=0)).label("checked"),
        )
        .group_by(Goal.review_id)
        .subquery()
    )
    stmt = (
        select(
            Review.id,
            Review.state,
            Person.name,
            reviewer.name,
            Team.name,
            func.coalesce(goals.c.goals, 0),
            func.coalesce(goals.c.checked, 0),
        )
        .join(Person, Person.id == Review.person_id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .outerjoin(Team, Team.id == Review.team_id)
        .outerjoin(goals, goals.c.review_id == Review.id)
        .where(Review.cycle_id == cycle.id, Review.person_id != viewer.id)
        .order_by(Team.name, Person.name, Review.id)
    )
    stmt = policy.scoped(stmt, Review, viewer, policy.Area.REVIEWS)
    due = {phase.kind: phase.due_on for phase in cycle.phases}
    teams: dict[str, TeamCompletion] = {}
    overdue: list[Overdue] = []
    for review_id, state, person, reviewer_name, team, n_goals, checked in db.session.execute(stmt):
        row = teams.setdefault(team or "—", TeamCompletion(team or "—"))
        row.total += 1
        for kind in PhaseKind:
            done = phase_done(kind, state, int(n_goals), int(checked))
            row.done[kind] = row.done.get(kind, 0) + int(done)
            if is_overdue(done, due.get(kind), today):
                row.overdue[kind] = row.overdue.get(kind, 0) + 1
                owes = person if who_owes(kind, state) == "employee" else (reviewer_name or "—")
                overdue.append(Overdue(kind, due[kind], review_id, person, owes))
    return Completion(list(teams.values()), overdue)
