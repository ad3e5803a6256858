"""Review cycles (HR): create and change one, enrol people by org subtree, start and complete it.

Each public function checks the policy, audits and commits once. A completed cycle refuses
every change (`ensure_open`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit, policy
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.goals import rating
from portal.goals.models import CyclePhase, CycleState, PhaseKind, Review, ReviewCycle, ReviewState
from portal.goals.transitions import FINISHED
from portal.org.models import Person


@dataclass(frozen=True)
class CycleFields:
    name: str
    starts_on: date
    ends_on: date
    scale: list[dict]
    bands: list[dict]
    guideline: dict[str, str]
    competencies: list[dict]
    goals_weight: int
    competencies_weight: int
    promotion_min_months: int
    # PhaseKind value -> due date; calibration may be None (a cycle without calibration: the
    # reviewers share as soon as they submit, see transitions.share_gate).
    phases: dict[str, date | None]
    # rating.capped_achievement; checked by the form
    achievement_cap_percent: int = rating.DEFAULT_ACHIEVEMENT_CAP_PERCENT


@dataclass(frozen=True)
class Eligibility:
    root_id: int | None  # None: everyone
    hired_before: date | None
    position_ids: tuple[int, ...]  # empty: any position


def ensure_open(cycle: ReviewCycle) -> None:
    """Refuse any change inside a completed cycle."""
    if cycle.is_completed:
        raise InvalidTransition(
            _("This cycle is completed: its goals and reviews can no longer change.")
        )


def cycles_for(viewer: Person) -> list[ReviewCycle]:
    """Every cycle, newest first (HR's administration list)."""
    policy.require(viewer, "cycle.manage")
    return list(
        db.session.execute(
            select(ReviewCycle).order_by(ReviewCycle.starts_on.desc(), ReviewCycle.id.desc())
        ).scalars()
    )


def get_cycle(viewer: Person, cycle_id: int) -> ReviewCycle:
    policy.require(viewer, "cycle.manage")
    cycle = db.session.get(ReviewCycle, cycle_id)
    if cycle is None:
        raise NotFound()
    return cycle


def _check(fields: CycleFields, cycle_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not fields.name.strip():
        errors["name"] = [_("Give the cycle a name, e.g. 2026 H2.")]
    else:
        stmt = select(ReviewCycle.id).where(func.lower(ReviewCycle.name) == fields.name.lower())
        if cycle_id is not None:
            stmt = stmt.where(ReviewCycle.id != cycle_id)
        if db.session.execute(stmt.limit(1)).first():
            errors["name"] = [_("A cycle with this name exists.")]
    if fields.ends_on < fields.starts_on:
        errors["ends_on"] = [_("The period ends before it starts.")]
    if fields.goals_weight + fields.competencies_weight <= 0:
        errors["goals_weight"] = [_("Give goals or competencies a weight above 0.")]
    for kind, due in fields.phases.items():
        if due is None:
            if kind != PhaseKind.CALIBRATION:
                errors[f"due_{kind}"] = [_("Set this phase's deadline.")]
            continue
        if not fields.starts_on <= due <= fields.ends_on + _grace():
            errors[f"due_{kind}"] = [_("Set the deadline inside the cycle's period.")]
    if errors:
        raise ValidationFailed(field_errors=errors)


def _grace():
    from datetime import timedelta

    # Sign-off usually runs a few weeks after the half-year ends.
    return timedelta(days=62)


def _apply(cycle: ReviewCycle, fields: CycleFields) -> None:
    cycle.name = fields.name.strip()
    cycle.starts_on, cycle.ends_on = fields.starts_on, fields.ends_on
    cycle.scale, cycle.bands = fields.scale, fields.bands
    cycle.guideline, cycle.competencies = fields.guideline, fields.competencies
    cycle.goals_weight = fields.goals_weight
    cycle.competencies_weight = fields.competencies_weight
    cycle.promotion_min_months = fields.promotion_min_months
    cycle.achievement_cap_percent = fields.achievement_cap_percent
    existing = {phase.kind: phase for phase in cycle.phases}
    for kind in PhaseKind:
        due = fields.phases.get(kind.value)
        if due is None:
            if kind.value in existing:
                cycle.phases.remove(existing[kind.value])
            continue
        if kind.value in existing:
            existing[kind.value].due_on = due
        else:
            cycle.phases.append(CyclePhase(kind=kind.value, due_on=due))


def create_cycle(by: Person, fields: CycleFields) -> ReviewCycle:
    policy.require(by, "cycle.manage")
    _check(fields, None)
    cycle = ReviewCycle(state=CycleState.NOT_STARTED)
    _apply(cycle, fields)
    db.session.add(cycle)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"name": [_("A cycle with this name exists.")]}
        ) from error
    audit.record(by, "cycle.create", "review_cycle", cycle.id, None, cycle.snapshot())
    db.session.commit()
    return cycle


def edit_cycle(
    cycle: ReviewCycle, by: Person, fields: CycleFields, *, expected_version: int
) -> None:
    policy.require(by, "cycle.manage")
    ensure_open(cycle)
    if cycle.version != expected_version:
        raise Conflict()
    _check(fields, cycle.id)
    before = cycle.snapshot()
    _apply(cycle, fields)
    audit.record(by, "cycle.edit", "review_cycle", cycle.id, before, cycle.snapshot())
    _commit(cycle)


def _commit(cycle: ReviewCycle) -> None:
    cycle.updated_at = utcnow()
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


def eligible_people(rule: Eligibility) -> list[Person]:
    """Active people in the root's subtree (the root too) who meet the rule, by name."""
    stmt = select(Person).where(Person.is_active.is_(True))
    if rule.root_id is not None:
        root = db.session.get(Person, rule.root_id)
        if root is None:
            raise ValidationFailed(field_errors={"root": [_("Choose a person from the list.")]})
        stmt = stmt.where(policy.subtree_condition(root.path))
    if rule.hired_before is not None:
        stmt = stmt.where(Person.hire_on < rule.hired_before)
    if rule.position_ids:
        stmt = stmt.where(Person.position_id.in_(rule.position_ids))
    return list(db.session.execute(stmt.order_by(Person.name, Person.id)).scalars())


def enrol(cycle: ReviewCycle, by: Person, rule: Eligibility) -> int:
    """Enrol the eligible people not enrolled yet; team, market, segment and reviewer (their
    manager) are copied now and stay as they were. Returns how many were enrolled."""
    policy.require(by, "cycle.manage")
    ensure_open(cycle)
    enrolled = set(
        db.session.execute(select(Review.person_id).where(Review.cycle_id == cycle.id)).scalars()
    )
    added = 0
    for person in eligible_people(rule):
        if person.id in enrolled:
            continue
        db.session.add(
            Review(
                cycle_id=cycle.id,
                person_id=person.id,
                reviewer_id=person.manager_id,
                team_id=person.team_id,
                market_id=person.market_id,
                segment_id=person.segment_id,
                state=ReviewState.DRAFT,
            )
        )
        added += 1
    try:
        db.session.flush()
    except IntegrityError as error:  # the same enrolment sent twice at once
        db.session.rollback()
        raise Conflict() from error
    audit.record(
        by,
        "cycle.enrol",
        "review_cycle",
        cycle.id,
        None,
        {
            "root_id": rule.root_id,
            "hired_before": rule.hired_before.isoformat() if rule.hired_before else None,
            "position_ids": list(rule.position_ids),
            "enrolled": added,
        },
    )
    db.session.commit()
    return added


def start_cycle(cycle: ReviewCycle, by: Person, *, expected_version: int) -> None:
    policy.require(by, "cycle.manage")
    if cycle.version != expected_version:
        raise Conflict()
    if cycle.state != CycleState.NOT_STARTED:
        raise InvalidTransition()
    cycle.state = CycleState.IN_PROGRESS
    audit.record(
        by,
        "cycle.start",
        "review_cycle",
        cycle.id,
        {"state": "not_started"},
        {"state": cycle.state},
    )
    _commit(cycle)


def unfinished_count(cycle: ReviewCycle) -> int:
    return db.session.execute(
        select(func.count(Review.id)).where(
            Review.cycle_id == cycle.id, Review.state.not_in([s.value for s in FINISHED])
        )
    ).scalar_one()


def complete_cycle(cycle: ReviewCycle, by: Person, *, expected_version: int) -> None:
    """Complete the cycle: refused while a review is unfinished (not acknowledged); the
    acknowledged reviews are locked, and the cycle's goals and reviews freeze."""
    policy.require(by, "cycle.manage")
    if cycle.version != expected_version:
        raise Conflict()
    if cycle.state != CycleState.IN_PROGRESS:
        raise InvalidTransition()
    left = unfinished_count(cycle)
    if left:
        raise InvalidTransition(
            _(
                "%(n)d reviews are not acknowledged yet; the cycle can be completed once "
                "every review is acknowledged or locked.",
                n=left,
            )
        )
    now = utcnow()
    for review in db.session.execute(
        select(Review).where(Review.cycle_id == cycle.id, Review.state == ReviewState.ACKNOWLEDGED)
    ).scalars():
        review.state, review.locked_at = ReviewState.LOCKED, now
        audit.record(
            by, "review.lock", "review", review.id, {"state": "acknowledged"}, {"state": "locked"}
        )
    cycle.state = CycleState.COMPLETED
    audit.record(
        by,
        "cycle.complete",
        "review_cycle",
        cycle.id,
        {"state": "in_progress"},
        {"state": cycle.state},
    )
    _commit(cycle)


@dataclass(frozen=True)
class TeamProgress:
    team: str
    counts: dict[str, int]  # review state -> how many
    total: int


def progress_by_team(cycle: ReviewCycle) -> list[TeamProgress]:
    """How many reviews of each team (as frozen at enrolment) are in each state."""
    from portal.org.models import Team

    rows = db.session.execute(
        select(Team.name, Review.state, func.count(Review.id))
        .select_from(Review)
        .outerjoin(Team, Team.id == Review.team_id)
        .where(Review.cycle_id == cycle.id)
        .group_by(Team.name, Review.state)
        .order_by(Team.name)
    ).all()
    teams: dict[str, dict[str, int]] = {}
    for name, state, count in rows:
        teams.setdefault(name or "—", {})[state] = count
    return [TeamProgress(name, counts, sum(counts.values())) for name, counts in teams.items()]
