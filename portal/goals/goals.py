"""Goals and their check-ins and comments: reading them through the Area.GOALS scope, setting
them (managers with the employee), recording check-ins and comments. Each public function that
changes something checks the policy and the review's state, audits and commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit, policy
from portal.db import create_once, fresh_token, usable_token, utcnow
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals import figures
from portal.goals import progress as maths
from portal.goals.cycles import ensure_open
from portal.goals.models import (
    CheckIn,
    Confidence,
    CycleState,
    Goal,
    GoalComment,
    Review,
    ReviewCycle,
)
from portal.goals.transitions import CHECK_INS_OPEN, GOALS_EDITABLE
from portal.org.models import Person
from portal.params import split_cursor

Area = policy.Area


@dataclass(frozen=True)
class GoalFields:
    title: str
    metric: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str
    weight: int
    due_on: date
    parent_id: int | None


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    figures: figures.GoalFigures


def view(goal: Goal) -> GoalView:
    return GoalView(
        goal, figures.goal_figures(goal.direction, goal.baseline, goal.target, goal.latest_value)
    )


# ---- reading --------------------------------------------------------------------------------


def get_plan(viewer: Person, review_id: int) -> Review:
    """A person's enrolment in a cycle, with their goals (404 when out of reach)."""
    return policy.get_visible_or_404(Review, review_id, viewer, Area.GOALS)


def get_goal(viewer: Person, goal_id: int) -> Goal:
    return policy.get_visible_or_404(Goal, goal_id, viewer, Area.GOALS)


def my_plans(viewer: Person) -> list[Review]:
    """The viewer's own enrolments, newest cycle first, with their goals."""
    stmt = (
        select(Review)
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .where(Review.person_id == viewer.id)
        .options(selectinload(Review.goals), selectinload(Review.cycle))
        .order_by(ReviewCycle.starts_on.desc(), Review.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


def plan_summary(review: Review) -> tuple[list[GoalView], Fraction, Fraction | None]:
    """A plan's goals with their figures, the weights' total, and the weighted achievement."""
    views = [view(goal) for goal in review.goals]
    total = figures.weights_total([goal.weight for goal in review.goals])
    achieved = figures.achievement([(v.goal.weight, v.figures.progress) for v in views])
    return views, total, achieved


@dataclass(frozen=True)
class TeamPlanRow:
    review: Review
    person: Person
    goals: int
    weights: Fraction
    achievement: Fraction | None


@dataclass(frozen=True)
class TeamPage:
    rows: list[TeamPlanRow]
    next_cursor: str | None
    has_previous: bool


def current_cycles() -> list[ReviewCycle]:
    """Cycles that are not completed, newest first, then the completed ones."""
    return list(
        db.session.execute(
            select(ReviewCycle).order_by(
                (ReviewCycle.state == CycleState.COMPLETED), ReviewCycle.starts_on.desc()
            )
        ).scalars()
    )


def team_plans(
    viewer: Person, cycle_id: int, *, after: str | None = None, limit: int = 25
) -> TeamPage:
    """The plans of the people below the viewer (everyone for HR) in one cycle, by name; keyset
    paged; two statements whatever the number of rows (plans, then their goals)."""
    stmt = (
        select(Review, Person)
        .join(Person, Person.id == Review.person_id)
        .where(Review.cycle_id == cycle_id, Review.person_id != viewer.id)
    )
    stmt = policy.scoped(stmt, Review, viewer, Area.GOALS)
    cursor = _parse_cursor(after)
    if cursor:
        name, last_id = cursor
        stmt = stmt.where(or_(Person.name > name, and_(Person.name == name, Review.id > last_id)))
    rows = db.session.execute(stmt.order_by(Person.name, Review.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    review_ids = [review.id for review, _person in rows]
    goals_by_review: dict[int, list[Goal]] = {rid: [] for rid in review_ids}
    if review_ids:
        for goal in db.session.execute(
            select(Goal).where(Goal.review_id.in_(review_ids)).order_by(Goal.id)
        ).scalars():
            goals_by_review[goal.review_id].append(goal)
    result = []
    for review, person in rows:
        goals = goals_by_review[review.id]
        views = [view(goal) for goal in goals]
        result.append(
            TeamPlanRow(
                review=review,
                person=person,
                goals=len(goals),
                weights=figures.weights_total([g.weight for g in goals]),
                achievement=figures.achievement(
                    [(v.goal.weight, v.figures.progress) for v in views]
                ),
            )
        )
    next_cursor = None
    if more and rows:
        last_review, last_person = rows[-1]
        next_cursor = f"{last_review.id}:{last_person.name}"
    return TeamPage(result, next_cursor, cursor is not None)


def _parse_cursor(value: str | None) -> tuple[str, int] | None:
    return split_cursor(value, ":", str, id_first=True)


def parent_choices(review: Review) -> list[Goal]:
    """Goals a person's goal may align to: their managers' goals in the same cycle."""
    ancestor_ids = [int(part) for part in review.person.path.strip("/").split("/")[:-1] if part]
    if not ancestor_ids:
        return []
    return list(
        db.session.execute(
            select(Goal)
            .where(Goal.cycle_id == review.cycle_id, Goal.person_id.in_(ancestor_ids))
            .options(selectinload(Goal.person))
            .order_by(Goal.person_id, Goal.id)
        ).scalars()
    )


def visible_parent(viewer: Person, goal: Goal) -> Goal | None:
    """The team goal this one is aligned to, when the viewer may see it (an employee may not
    see their manager's goals)."""
    if goal.parent_id is None:
        return None
    stmt = policy.scoped(select(Goal).where(Goal.id == goal.parent_id), Goal, viewer, Area.GOALS)
    return db.session.execute(stmt).scalar_one_or_none()


def aligned_children(viewer: Person, goal: Goal) -> tuple[list[GoalView], Fraction | None]:
    """The goals aligned to this one that the viewer may see, and the parent's roll-up progress
    (the weighted mean of the visible children's progress)."""
    stmt = policy.scoped(
        select(Goal).where(Goal.parent_id == goal.id).options(selectinload(Goal.person)),
        Goal,
        viewer,
        Area.GOALS,
    )
    views = [view(child) for child in db.session.execute(stmt.order_by(Goal.id)).scalars()]
    rollup = maths.parent_progress([(v.goal.weight, v.figures.progress) for v in views])
    return views, rollup


# ---- changing -------------------------------------------------------------------------------


def _check_fields(review: Review, fields: GoalFields, goal_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        maths.validate_goal(fields.direction, fields.baseline, fields.target)
    except maths.GoalRefused as refused:
        if refused.field == "direction":
            errors["direction"] = [_("Choose higher or lower is better.")]
        elif fields.direction == maths.Direction.HIGHER:
            errors["target"] = [_("Higher is better: the target must be at or above the baseline.")]
        else:
            errors["target"] = [_("Lower is better: the target must be at or below the baseline.")]
    if not 1 <= fields.weight <= 100:
        errors["weight"] = [_("A weight is a whole number from 1 to 100.")]
    else:
        others = sum(g.weight for g in review.goals if g.id != goal_id)
        total = others + fields.weight
        if total > 100:
            errors["weight"] = [
                _(
                    "The weights of this person's goals would total %(total)d %%; they must "
                    "sum to 100 %% (%(left)d %% is left for this goal).",
                    total=total,
                    left=100 - others,
                )
            ]
    cycle = review.cycle
    if not cycle.starts_on <= fields.due_on <= cycle.ends_on:
        errors["due_on"] = [_("The due date must be inside the cycle's period.")]
    if fields.parent_id is not None and fields.parent_id not in {
        g.id for g in parent_choices(review)
    }:
        errors["parent_id"] = [_("Align the goal to one of the team goals listed.")]
    if any(
        g.title.lower() == fields.title.strip().lower() and g.id != goal_id for g in review.goals
    ):
        errors["title"] = [_("This person already has a goal with this title in the cycle.")]
    if errors:
        raise ValidationFailed(field_errors=errors)


def _ensure_goals_editable(review: Review) -> None:
    ensure_open(review.cycle)
    if review.state not in GOALS_EDITABLE:
        raise InvalidTransition(
            _("Goals are set while the review is a draft; HR can reopen a review to change them.")
        )


def _apply(goal: Goal, fields: GoalFields) -> None:
    goal.title, goal.metric, goal.unit = fields.title.strip(), fields.metric.strip(), fields.unit
    goal.baseline, goal.target = fields.baseline, fields.target
    goal.direction, goal.weight = fields.direction, fields.weight
    goal.due_on, goal.parent_id = fields.due_on, fields.parent_id


def create_goal(review: Review, by: Person, fields: GoalFields) -> Goal:
    """A new goal in the person's plan, set by one of their managers (or HR)."""
    policy.require(by, "goal.set", review)
    _ensure_goals_editable(review)
    _check_fields(review, fields, None)
    goal = Goal(
        review_id=review.id,
        cycle_id=review.cycle_id,
        person_id=review.person_id,
        created_by_id=by.id,
    )
    _apply(goal, fields)
    db.session.add(goal)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form sent twice: the unique title refuses it
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"title": [_("This person already has a goal with this title.")]}
        ) from error
    audit.record(by, "goal.create", "goal", goal.id, None, goal.snapshot())
    db.session.commit()
    return goal


def edit_goal(goal: Goal, by: Person, fields: GoalFields, *, expected_version: int) -> None:
    policy.require(by, "goal.set", goal.review)
    _ensure_goals_editable(goal.review)
    if goal.version != expected_version:
        raise Conflict()
    _check_fields(goal.review, fields, goal.id)
    before = goal.snapshot()
    _apply(goal, fields)
    audit.record(by, "goal.edit", "goal", goal.id, before, goal.snapshot())
    _commit()


def _commit() -> None:
    try:
        db.session.commit()  # a stale version: Conflict (db.ConflictSession)
    except IntegrityError as error:
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"title": [_("This person already has a goal with this title.")]}
        ) from error


def add_check_in(
    goal: Goal, by: Person, *, value: Decimal, confidence: str, comment: str, token: str
) -> CheckIn | None:
    """Record a measured value. The form's token makes a double submit record it once (the
    second answers None)."""
    policy.require(by, "goal.check_in", goal.review)
    ensure_open(goal.review.cycle)
    if goal.review.state not in CHECK_INS_OPEN:
        raise InvalidTransition(_("Check-ins close once the manager has assessed the review."))
    if confidence not in {c.value for c in Confidence}:
        raise ValidationFailed(field_errors={"confidence": [_("Choose a confidence.")]})
    token = usable_token(token) or fresh_token()

    def make() -> CheckIn:
        return CheckIn(
            goal_id=goal.id,
            by_id=by.id,
            value=value,
            confidence=confidence,
            comment=comment.strip(),
            token=token,
            created_at=utcnow(),
        )

    check_in, created = create_once(CheckIn, make, token=token, by_id=by.id)
    if not created:
        return None
    before = {"latest_value": str(goal.latest_value) if goal.latest_value is not None else None}
    # A check-in on the same goal saved a moment ago moves its version: Conflict (409).
    goal.latest_value, goal.latest_confidence = value, confidence
    db.session.flush()
    audit.record(
        by,
        "goal.check_in",
        "goal",
        goal.id,
        before,
        {"latest_value": str(value), "confidence": confidence, "check_in_id": check_in.id},
    )
    db.session.commit()
    return check_in


def add_comment(goal: Goal, by: Person, *, body: str, token: str) -> GoalComment | None:
    policy.require(by, "goal.comment", goal.review)
    ensure_open(goal.review.cycle)
    body = body.strip()
    if not body:
        raise ValidationFailed(field_errors={"body": [_("Write a comment first.")]})
    token = usable_token(token) or fresh_token()
    comment, created = create_once(
        GoalComment,
        lambda: GoalComment(goal_id=goal.id, author_id=by.id, body=body, token=token),
        token=token,
        author_id=by.id,
    )
    if not created:
        return None
    audit.record(by, "goal.comment", "goal", goal.id, None, {"comment_id": comment.id})
    db.session.commit()
    return comment
