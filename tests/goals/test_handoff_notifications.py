"""Review hand-offs notify whoever the work goes to: shared (the employee), acknowledged (the
reviewer), reopened (whoever must act next), signed off (both), and a rating changed at
calibration (the reviewer, never the employee)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.goals import calibration, reviews, sharing
from portal.notify import service
from portal.notify.models import Notification
from tests.goals.helpers import close_calibration, ready_review
from tests.goals.test_reviews import submit_manager, submit_self
from tests.notify.helpers import told


def url(review) -> str:
    return f"/goals/reviews/{review.id}"


def shared(world):
    ready = ready_review(world)
    review = ready.review
    submit_self(review, world.agent_a1)
    submit_manager(review, world.sup_a)
    close_calibration(review.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    return review


def test_opening_and_submitting_the_self_assessment_hand_it_on(world):
    ready = ready_review(world)  # sup_a opened A1's self-assessment
    review = ready.review
    assert told("review.started") == [(world.agent_a1.id, review.id, url(review))]
    submit_self(review, world.agent_a1)
    assert told("review.self_submitted") == [(world.sup_a.id, review.id, url(review))]


def test_sharing_a_review_tells_the_employee(world):
    review = shared(world)
    assert told("review.shared") == [(world.agent_a1.id, review.id, url(review))]
    note = db.session.scalars(select(Notification).where(Notification.kind == "review.shared"))
    assert "shared your review of 2026 H2" in service.message(note.one())


def test_acknowledging_tells_the_reviewer(world):
    review = shared(world)
    reviews.take_step(
        review, world.agent_a1, "acknowledge", expected_version=review.version, comment="ok"
    )
    assert told("review.acknowledged") == [(world.sup_a.id, review.id, url(review))]


def test_signing_off_tells_the_employee_and_the_reviewer_but_not_the_actor(world):
    review = shared(world)
    reviews.take_step(review, world.agent_a1, "acknowledge", expected_version=review.version)
    reviews.take_step(review, world.hr, "lock", expected_version=review.version)
    assert told("review.signed_off") == sorted(
        [(world.agent_a1.id, review.id, url(review)), (world.sup_a.id, review.id, url(review))]
    )
    db.session.execute(Notification.__table__.delete())
    reviews.reopen(
        review, world.hr, to="manager_review", reason="fix", expected_version=review.version
    )
    submit_manager(review, world.sup_a)
    # Resubmitted after calibration closed: HR lets it through again, with a reason.
    sharing.open_sharing(review, world.hr, reason="fixed", expected_version=review.version)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    reviews.take_step(review, world.agent_a1, "acknowledge", expected_version=review.version)
    reviews.take_step(review, world.sup_a, "lock", expected_version=review.version)
    # The reviewer locked it: only the employee is told.
    assert told("review.signed_off") == [(world.agent_a1.id, review.id, url(review))]


def test_reopening_tells_whoever_must_act_next(world):
    review = shared(world)
    reviews.reopen(
        review, world.hr, to="manager_review", reason="Wrong goal MK",
        expected_version=review.version,
    )  # fmt: skip
    assert told("review.reopened") == [(world.sup_a.id, review.id, url(review))]
    reviews.reopen(
        review, world.hr, to="self_review", reason="Redo", expected_version=review.version
    )
    assert told("review.reopened") == sorted(
        [(world.sup_a.id, review.id, url(review)), (world.agent_a1.id, review.id, url(review))]
    )


def test_a_calibration_change_tells_the_reviewer_and_never_the_employee(world):
    ready = ready_review(world)
    review = ready.review
    submit_self(review, world.agent_a1)
    submit_manager(review, world.sup_a)
    calibration.change_rating(
        review, world.manager_hk, new_rating=2, reason="Spread MK", expected_version=review.version
    )
    assert told("review.rating_calibrated") == [(world.sup_a.id, review.id, url(review))]
    employee = db.session.scalars(
        select(Notification.kind).where(Notification.person_id == world.agent_a1.id)
    ).all()
    assert set(employee) == {"review.started"}  # nothing of the calibration
    note = db.session.scalars(
        select(Notification).where(Notification.kind == "review.rating_calibrated")
    ).one()
    text = service.message(note)
    assert "from 3" in text and "to 2" in text and "Spread MK" in text
