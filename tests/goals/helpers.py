"""A review cycle over the test world, built through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.goals import cycle_config as config
from portal.goals import cycles, reviews
from portal.goals import goals as service
from portal.goals.models import PhaseKind, Review, ReviewCycle

PHASES = {
    PhaseKind.GOAL_SETTING.value: date(2026, 7, 31),
    PhaseKind.MID_CYCLE.value: date(2026, 9, 30),
    PhaseKind.SELF_ASSESSMENT.value: date(2026, 12, 15),
    PhaseKind.MANAGER_ASSESSMENT.value: date(2026, 12, 31),
    PhaseKind.CALIBRATION.value: date(2027, 1, 15),
    PhaseKind.SIGN_OFF.value: date(2027, 1, 31),
}


def cycle_fields(name: str = "2026 H2", **overrides) -> cycles.CycleFields:
    values = dict(
        name=name,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        scale=config.DEFAULT_SCALE,
        bands=config.DEFAULT_BANDS,
        guideline=config.DEFAULT_GUIDELINE,
        competencies=config.DEFAULT_COMPETENCIES,
        goals_weight=70,
        competencies_weight=30,
        promotion_min_months=6,
        phases=dict(PHASES),
    )
    values.update(overrides)
    return cycles.CycleFields(**values)


def make_cycle(world, *, start: bool = True, root=None) -> ReviewCycle:
    cycle = cycles.create_cycle(world.hr, cycle_fields())
    cycles.enrol(
        cycle,
        world.hr,
        cycles.Eligibility(
            root_id=(root or world.manager_hk).id, hired_before=None, position_ids=()
        ),
    )
    if start:
        cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    return cycle


def review_of(cycle, person) -> Review:
    return db.session.execute(
        select(Review).where(Review.cycle_id == cycle.id, Review.person_id == person.id)
    ).scalar_one()


def goal_fields(title: str = "First response time", weight: int = 60, **overrides):
    values = dict(
        title=title,
        metric="First response time",
        unit="hours",
        baseline=Decimal("24"),
        target=Decimal("12"),
        direction="lower",
        weight=weight,
        due_on=date(2026, 12, 31),
        parent_id=None,
    )
    values.update(overrides)
    return service.GoalFields(**values)


@dataclass
class Ready:
    cycle: ReviewCycle
    review: Review
    goals: list


def ready_review(world, *, state_to: str = "self_review") -> Ready:
    """A1's review with two goals (60 + 40) and the self-assessment open."""
    cycle = make_cycle(world)
    review = review_of(cycle, world.agent_a1)
    first = service.create_goal(review, world.sup_a, goal_fields())
    second = service.create_goal(
        review,
        world.sup_a,
        goal_fields(
            "NPS MK-A1",
            40,
            metric="NPS",
            unit="points",
            baseline=Decimal("30"),
            target=Decimal("50"),
            direction="higher",
        ),
    )
    if state_to != "draft":
        reviews.take_step(review, world.sup_a, "start", expected_version=review.version)
    return Ready(cycle, review, [first, second])


def all_ratings(review, rating: int = 4, comment: str = "") -> dict:
    subjects = [reviews.goal_subject(g.id) for g in review.goals] + [
        reviews.competency_subject(c["key"]) for c in review.cycle.competencies
    ]
    return {s: reviews.Entry(rating, comment) for s in subjects}


def close_calibration(cycle, world, team_id=None):
    """HR closes calibration (for the cycle, or one team): the reviewers may share."""
    from portal.goals import sharing

    return sharing.close_calibration(cycle, world.hr, team_id=team_id)
