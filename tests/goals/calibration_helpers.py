"""Reviews in calibration over the test world: A1 and A2 (reviewer sup_a), B1 (reviewer sup_b);
manager_hk and HR calibrate them, the supervisors (their reviewers) do not."""

from __future__ import annotations

from portal.goals import cycles, reviews
from portal.goals import goals as service
from tests.goals.helpers import all_ratings, cycle_fields, goal_fields, review_of


def to_calibration(review, reviewer, *, proposed: int = 3) -> None:
    """Through the services: one goal of weight 100, the self- and manager assessments."""
    if not review.goals:
        service.create_goal(review, reviewer, goal_fields(weight=100))
    reviews.take_step(review, reviewer, "start", expected_version=review.version)
    reviews.save_self(
        review,
        review.person,
        given=all_ratings(review, 4),
        overall_comment="",
        submit=True,
        expected_version=review.version,
    )
    reviews.save_manager(
        review,
        reviewer,
        given=all_ratings(review, proposed),
        overall_comment="",
        proposed_rating=proposed,
        submit=True,
        expected_version=review.version,
    )


def calibration_cycle(world, people=None, name: str = "2026 H2", proposed=None, root=None):
    """A started cycle over manager_hk's subtree (or root's) with the given people's reviews in
    calibration (proposed 3 unless `proposed` names another per person)."""
    cycle = cycles.create_cycle(world.hr, cycle_fields(name))
    cycles.enrol(cycle, world.hr, cycles.Eligibility((root or world.manager_hk).id, None, ()))
    cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    people = people if people is not None else [world.agent_a1, world.agent_a2, world.agent_b1]
    for person in people:
        review = review_of(cycle, person)
        to_calibration(review, review.reviewer, proposed=(proposed or {}).get(person.id, 3))
    return cycle
