"""The goals and reviews panel of the team view, for the review cycle of the period.

The cycle: the newest one that had started by the period's last day (so the current period
shows the running cycle and an old period the cycle of its time).

- Goal progress: each goal's progress from baseline to target (portal.goals.progress, in SQL
  as the same formula), unclamped, averaged over the goals with a check-in; each goal counts
  once; n = goals with a check-in, beside all goals. People: at or below the node whose goals
  the viewer may see (Area.GOALS), narrowed by market and segment.
- Review phases: how many reviews have done each phase (portal.goals.completion.phase_done on
  each review's state; the mid-cycle check-in is done when every goal has a check-in) and how
  many are overdue (not done, the phase's deadline passed). People: Area.REVIEWS.

Statements: the cycle, its phases, the goal figures, the goal figures per direct report, the
direct reports, the reviews by state. Six, whatever the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.extensions import db
from portal.goals import completion as phases
from portal.goals.models import Goal, PhaseKind, Review, ReviewCycle
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area


@dataclass(frozen=True)
class ProgressSums:
    """What SQL returns for a group of goals."""

    goals: int = 0
    checked_in: int = 0  # goals with a check-in: the mean's n
    progress_sum: Fraction = Fraction(0)

    @property
    def mean(self) -> Fraction | None:
        return self.progress_sum / self.checked_in if self.checked_in else None


@dataclass(frozen=True)
class PhaseLine:
    kind: str
    due_on: date | None
    done: int
    overdue: int
    total: int

    @property
    def done_share(self) -> Fraction | None:
        return Fraction(self.done, self.total) if self.total else None


@dataclass(frozen=True)
class GoalsChild:
    person: Person
    progress: ProgressSums


@dataclass(frozen=True)
class TeamGoals:
    cycle: ReviewCycle | None
    progress: ProgressSums
    reviews: int
    by_state: dict[str, int]
    phases: list[PhaseLine] = field(default_factory=list)
    children: list[GoalsChild] = field(default_factory=list)
    shows_goals: bool = True
    shows_reviews: bool = True
    on_track: int = 0  # reviews whose every phase due by today is done (reviews_on_track)


def _exact(value: Any) -> Fraction:
    if value is None:
        return Fraction(0)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value))) if not isinstance(value, int) else Fraction(value)


def phase_lines(
    counts: Iterable[tuple[str, int, int]], due: dict[str, date], today: date
) -> list[PhaseLine]:
    """Per phase, reviews done and overdue, from (state, reviews, reviews whose every goal has
    a check-in) rows. Pure: the rules are goals.completion's."""
    counts = list(counts)
    total = sum(n for _state, n, _checked in counts)
    lines = []
    for kind in PhaseKind:
        if kind == PhaseKind.MID_CYCLE:
            done = sum(checked for _state, _n, checked in counts)
        else:
            done = sum(n for state, n, _c in counts if phases.phase_done(kind, state, 0, 0))
        due_on = due.get(kind)
        late = phases.is_overdue(False, due_on, today)
        lines.append(PhaseLine(kind, due_on, done, total - done if late else 0, total))
    return lines


def reviews_on_track(
    counts: Iterable[tuple[str, int, int]], due: dict[str, date], today: date
) -> tuple[int, int]:
    """(reviews on track, reviews) from reviews_by_state's (state, reviews, reviews whose
    every goal has a check-in) rows: a review is on track when every phase whose deadline has
    passed by today (goals.completion.is_overdue) is done (goals.completion.phase_done). Pure."""
    late = [kind for kind in PhaseKind if phases.is_overdue(False, due.get(kind), today)]
    on_track = total = 0
    for state, n, checked in counts:
        total += n
        if all(phases.phase_done(k, state, 0, 0) for k in late if k != PhaseKind.MID_CYCLE):
            on_track += checked if PhaseKind.MID_CYCLE in late else n
    return on_track, total


def goal_progress_expression() -> Any:
    """progress = (latest - baseline) / (target - baseline), as goals.progress.progress; a
    target equal to the baseline is 1 when the latest value is at or better than it, else 0.
    NULL before the first check-in. (×1.0 keeps SQLite from dividing integers.)"""
    at_or_better = or_(
        and_(Goal.direction == "higher", Goal.latest_value >= Goal.target),
        and_(Goal.direction == "lower", Goal.latest_value <= Goal.target),
    )
    return case(
        (Goal.latest_value.is_(None), None),
        (Goal.target == Goal.baseline, case((at_or_better, 1.0), else_=0.0)),
        else_=(Goal.latest_value - Goal.baseline) * literal(1.0) / (Goal.target - Goal.baseline),
    )


def _progress_columns() -> list[Any]:
    progress = goal_progress_expression()
    return [func.count(Goal.id), func.count(Goal.latest_value), func.sum(progress)]


def _sums(row: Any) -> ProgressSums:
    return ProgressSums(int(row[0] or 0), int(row[1] or 0), _exact(row[2]))


def cycle_for(period: Period) -> ReviewCycle | None:
    """The newest cycle started by the period's end, with its phases (two statements)."""
    return db.session.execute(
        select(ReviewCycle)
        .where(ReviewCycle.starts_on <= period.end)
        .order_by(ReviewCycle.starts_on.desc(), ReviewCycle.id.desc())
        .options(selectinload(ReviewCycle.phases))
        .limit(1)
    ).scalar_one_or_none()


def progress_total(cycle_id: int, people: Select) -> ProgressSums:
    stmt = select(*_progress_columns()).where(Goal.cycle_id == cycle_id, Goal.person_id.in_(people))
    return _sums(db.session.execute(stmt).one())


def progress_by_child(cycle_id: int, people: Select, node: Person) -> dict[int, ProgressSums]:
    member = aliased(Person)
    child = aliased(Person)
    stmt = (
        select(child.id, *_progress_columns())
        .select_from(Goal)
        .join(member, member.id == Goal.person_id)
        .join(child, member.path.startswith(child.path))
        .where(Goal.cycle_id == cycle_id, Goal.person_id.in_(people), child.manager_id == node.id)
        .group_by(child.id)
    )
    return {int(row[0]): _sums(row[1:]) for row in db.session.execute(stmt)}


def reviews_by_state(cycle_id: int, people: Select) -> list[tuple[str, int, int]]:
    """(state, reviews, reviews with goals all checked in) of the cycle's reviews of people."""
    goals = (
        select(
            Goal.review_id,
            func.count(Goal.id).label("goals"),
            func.count(Goal.latest_value).label("checked"),
        )
        .where(Goal.cycle_id == cycle_id)
        .group_by(Goal.review_id)
        .subquery()
    )
    all_checked = and_(goals.c.goals > 0, goals.c.checked == goals.c.goals)
    stmt = (
        select(Review.state, func.count(Review.id), func.sum(case((all_checked, 1), else_=0)))
        .outerjoin(goals, goals.c.review_id == Review.id)
        .where(Review.cycle_id == cycle_id, Review.person_id.in_(people))
        .group_by(Review.state)
    )
    return [(str(s), int(n), int(c or 0)) for s, n, c in db.session.execute(stmt)]


def team_goals(
    viewer: Person,
    node: Person,
    period: Period,
    filters: ViewFilters,
    today: date,
    *,
    shows_goals: bool = True,
    shows_reviews: bool = True,
) -> TeamGoals:
    """Everything the goals and reviews panel shows, in a fixed number of statements."""
    cycle = cycle_for(period)
    if cycle is None:
        return TeamGoals(None, ProgressSums(), 0, {}, shows_goals=shows_goals,
                         shows_reviews=shows_reviews)  # fmt: skip
    progress, rows = ProgressSums(), []
    if shows_goals:
        people = kpi_queries.population(viewer, node, filters, Area.GOALS)
        progress = progress_total(cycle.id, people)
        children = kpi_queries.children_of(viewer, node, Area.GOALS)
        sums = progress_by_child(cycle.id, people, node) if children else {}
        rows = [GoalsChild(c, sums.get(c.id, ProgressSums())) for c in children]
        if filters.narrows_people:
            rows = [row for row in rows if row.progress.goals]
    counts: list[tuple[str, int, int]] = []
    if shows_reviews:
        counts = reviews_by_state(
            cycle.id, kpi_queries.population(viewer, node, filters, Area.REVIEWS)
        )
    due = {phase.kind: phase.due_on for phase in cycle.phases}
    return TeamGoals(
        cycle=cycle,
        progress=progress,
        reviews=sum(n for _s, n, _c in counts),
        by_state={state: n for state, n, _c in counts},
        phases=phase_lines(counts, due, today) if shows_reviews else [],
        children=rows,
        on_track=reviews_on_track(counts, due, today)[0],
        shows_goals=shows_goals,
        shows_reviews=shows_reviews,
    )
