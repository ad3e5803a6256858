"""Reviews: the lifecycle by role and state, private drafts, ratings hidden until shared,
calibration with reasons, acknowledgment, HR reopening."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import audit
from portal.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals import calibration, reviews
from portal.goals import goals as service
from portal.goals.models import ReviewState
from portal.goals.transitions import TRANSITIONS, available_steps, next_state, reopen_state
from tests.conftest import login, post_form
from tests.goals.helpers import (
    all_ratings,
    close_calibration,
    make_cycle,
    ready_review,
    review_of,
)

S = ReviewState


def submit_self(review, person, rating=4, comment="SELFNOTE"):
    reviews.save_self(
        review,
        person,
        given=all_ratings(review, rating, comment),
        overall_comment="mine",
        submit=True,
        expected_version=review.version,
    )


def submit_manager(review, reviewer, rating=3, proposed=3, comment="MGRNOTE"):
    reviews.save_manager(
        review,
        reviewer,
        given=all_ratings(review, rating, comment),
        overall_comment="",
        proposed_rating=proposed,
        submit=True,
        expected_version=review.version,
    )


def to_calibration(world):
    ready = ready_review(world)
    submit_self(ready.review, world.agent_a1)
    submit_manager(ready.review, world.sup_a)
    return ready


# ---- the state machine as data -------------------------------------------------------------


def test_the_lifecycle_runs_in_one_line():
    state, path = S.DRAFT, []
    while available_steps(state):
        step = available_steps(state)[0]
        state = next_state(state, step)
        path.append(state)
    assert path == [
        S.SELF_REVIEW,
        S.MANAGER_REVIEW,
        S.CALIBRATION,
        S.SHARED,
        S.ACKNOWLEDGED,
        S.LOCKED,
    ]
    assert len(TRANSITIONS) == 6


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize(
    "step", ["start", "submit_self", "submit_manager", "share", "acknowledge", "lock"]
)
def test_a_step_is_possible_only_from_its_state(state, step):
    if (state, step) in TRANSITIONS:
        assert next_state(state, step) == TRANSITIONS[(state, step)]
    else:
        with pytest.raises(InvalidTransition):
            next_state(state, step)


def test_reopening_goes_back_to_self_or_manager_assessment_only():
    assert reopen_state(S.LOCKED, "self_review") == S.SELF_REVIEW
    assert reopen_state(S.SHARED, "manager_review") == S.MANAGER_REVIEW
    for bad in [
        (S.DRAFT, "self_review"),
        (S.SELF_REVIEW, "self_review"),
        (S.LOCKED, "shared"),
        (S.MANAGER_REVIEW, "manager_review"),
    ]:
        with pytest.raises(InvalidTransition):
            reopen_state(*bad)


# ---- steps by role ---------------------------------------------------------------------------


def test_the_self_assessment_opens_only_when_weights_sum_to_100(world):
    cycle = make_cycle(world)
    review = review_of(cycle, world.agent_a1)
    from tests.goals.helpers import goal_fields

    service.create_goal(review, world.sup_a, goal_fields(weight=60))
    with pytest.raises(ValidationFailed) as caught:
        reviews.take_step(review, world.sup_a, "start", expected_version=review.version)
    assert "total 60 %" in caught.value.message and "exactly 100 %" in caught.value.message


def test_steps_are_refused_to_the_wrong_person(world):
    ready = ready_review(world)
    review = ready.review
    with pytest.raises(Forbidden):  # only the employee submits their self-assessment
        submit_self(review, world.sup_a)
    submit_self(review, world.agent_a1)
    with pytest.raises(Forbidden):  # only the reviewer writes the manager assessment
        submit_manager(review, world.manager_hk)
    with pytest.raises(Forbidden):
        submit_manager(review, world.agent_a1)
    submit_manager(review, world.sup_a)
    close_calibration(ready.cycle, world)
    with pytest.raises(Forbidden):  # the employee cannot share their own review
        reviews.take_step(review, world.agent_a1, "share", expected_version=review.version)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    with pytest.raises(Forbidden):  # the manager cannot acknowledge for the employee
        reviews.take_step(review, world.sup_a, "acknowledge", expected_version=review.version)
    with pytest.raises(InvalidTransition):  # not acknowledged yet
        reviews.take_step(review, world.sup_a, "lock", expected_version=review.version)
    reviews.take_step(
        review,
        world.agent_a1,
        "acknowledge",
        expected_version=review.version,
        comment="I read it; I disagree on NPS",
    )
    reviews.take_step(review, world.hr, "lock", expected_version=review.version)
    assert review.state == S.LOCKED
    actions = [
        e.action
        for e in db.session.execute(
            select(audit.AuditEntry).where(
                audit.AuditEntry.record_type == "review", audit.AuditEntry.record_id == review.id
            )
        ).scalars()
    ]
    assert actions == [
        "review.start",
        "review.submit_self",
        "review.submit_manager",
        "review.share",
        "review.acknowledge",
        "review.lock",
    ]


def test_the_manager_cannot_submit_before_the_self_assessment(world):
    ready = ready_review(world)
    with pytest.raises(ValidationFailed) as caught:
        submit_manager(ready.review, world.sup_a)
    assert "proposed_rating" in caught.value.field_errors


def test_submitting_needs_every_item_rated(world):
    ready = ready_review(world)
    given = all_ratings(ready.review)
    first = next(iter(given))
    given[first] = reviews.Entry(None, "")
    with pytest.raises(ValidationFailed) as caught:
        reviews.save_self(
            ready.review,
            world.agent_a1,
            given=given,
            overall_comment="",
            submit=True,
            expected_version=ready.review.version,
        )
    assert f"rating-{first}" in caught.value.field_errors


def test_a_stale_review_form_is_refused(world):
    ready = ready_review(world)
    with pytest.raises(Conflict):
        reviews.save_self(
            ready.review,
            world.agent_a1,
            given=all_ratings(ready.review),
            overall_comment="",
            submit=False,
            expected_version=ready.review.version - 1,
        )


# ---- privacy -------------------------------------------------------------------------------


def test_self_drafts_are_private_until_submitted(app, world):
    ready = ready_review(world)
    review = ready.review
    reviews.save_self(
        review,
        world.agent_a1,
        given=all_ratings(review, 5, "DRAFT-SELF-XYZ"),
        overall_comment="",
        submit=False,
        expected_version=review.version,
    )
    for person in (world.sup_a, world.manager_hk, world.hr):
        client = app.test_client()
        login(client, person)
        body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
        assert "DRAFT-SELF-XYZ" not in body, person.name
    client = app.test_client()
    login(client, world.agent_a1)
    assert "DRAFT-SELF-XYZ" in client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)


def test_manager_drafts_are_private_to_the_reviewer(app, world):
    ready = ready_review(world)
    review = ready.review
    submit_self(review, world.agent_a1)
    reviews.save_manager(
        review,
        world.sup_a,
        given=all_ratings(review, 2, "DRAFT-MGR-XYZ"),
        overall_comment="",
        proposed_rating=2,
        submit=False,
        expected_version=review.version,
    )
    for person in (world.agent_a1, world.manager_hk, world.hr):
        client = app.test_client()
        login(client, person)
        body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
        assert "DRAFT-MGR-XYZ" not in body, person.name
    client = app.test_client()
    login(client, world.sup_a)
    assert "DRAFT-MGR-XYZ" in client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)


def test_ratings_stay_hidden_from_the_employee_until_shared(app, world):
    ready = to_calibration(world)
    review = ready.review
    calibration.change_rating(
        review, world.manager_hk, new_rating=2, reason="Spread MK", expected_version=review.version
    )
    client = app.test_client()
    login(client, world.agent_a1)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "MGRNOTE" not in body and "Rating after calibration" not in body
    assert "Spread MK" not in body
    assert "MGRNOTE" not in client.get(f"/goals/reviews/{review.id}/print").get_data(as_text=True)
    close_calibration(ready.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "MGRNOTE" in body and "Overall rating" in body and "2 · " in body
    # Calibration stays confidential once shared: the final rating, never the change.
    assert "Rating after calibration" not in body and "Spread MK" not in body
    assert "does not mean you agree" in body


def test_a_peer_and_a_qa_analyst_cannot_open_the_review(app, world):
    ready = ready_review(world)
    for person in (world.agent_a2, world.sup_b, world.qa, world.trainer):
        client = app.test_client()
        login(client, person)
        assert client.get(f"/goals/reviews/{ready.review.id}").status_code == 404


# ---- the computed overall beside the proposal ----------------------------------------------


def test_the_manager_sees_the_computed_overall_beside_the_proposal(client, world):
    ready = ready_review(world)
    review = ready.review
    submit_self(review, world.agent_a1)
    given = all_ratings(review, 3)
    first_goal, second_goal = review.goals
    given[reviews.goal_subject(first_goal.id)] = reviews.Entry(5, "")  # weight 60
    given[reviews.goal_subject(second_goal.id)] = reviews.Entry(None, "")  # unrated: drops out
    reviews.save_manager(
        review,
        world.sup_a,
        given=given,
        overall_comment="",
        proposed_rating=4,
        submit=False,
        expected_version=review.version,
    )
    overall = reviews.sheet(world.sup_a, review).computed
    # goals part 5 (only the rated goal), competencies 3: (70*5 + 30*3) / 100 = 4.4
    assert overall.goals_part == 5 and overall.competencies_part == 3
    assert overall.shown == Decimal("4.40")
    login(client, world.sup_a)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "Computed overall from the cycle" in body and "4.4" in body


def test_the_suggested_rating_follows_the_bands(world):
    ready = ready_review(world)
    review = ready.review
    first, second = review.goals
    service_check = service.add_check_in
    service_check(
        first, world.agent_a1, value=Decimal("12"), confidence="on_track", comment="", token="s1"
    )
    service_check(
        second, world.agent_a1, value=Decimal("50"), confidence="on_track", comment="", token="s2"
    )
    submit_self(review, world.agent_a1)
    sheet = reviews.sheet(world.sup_a, review)
    assert sheet.achievement == 1 and sheet.suggested.rating == 4  # 100 % starts band 4


# ---- calibration ---------------------------------------------------------------------------


def test_calibration_needs_a_reason_and_is_audited(world):
    ready = to_calibration(world)
    review = ready.review
    with pytest.raises(ValidationFailed) as caught:
        calibration.change_rating(
            review, world.manager_hk, new_rating=4, reason="  ", expected_version=review.version
        )
    assert "reason" in caught.value.field_errors
    calibration.change_rating(
        review,
        world.manager_hk,
        new_rating=4,
        reason="Carried the team",
        expected_version=review.version,
    )
    assert review.final_rating == 4 and review.proposed_rating == 3
    entry = db.session.execute(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "review.calibrate")
    ).scalar_one()
    assert entry.before["final_rating"] == 3
    assert entry.after["final_rating"] == 4 and entry.after["reason"] == "Carried the team"


def test_the_reviewer_alone_cannot_calibrate_their_own_proposal(world):
    ready = to_calibration(world)
    with pytest.raises(Forbidden):
        calibration.change_rating(
            ready.review,
            world.sup_a,
            new_rating=5,
            reason="x",
            expected_version=ready.review.version,
        )


def test_the_calibration_page_warns_above_the_guideline_and_never_blocks(client, world):
    ready = to_calibration(world)
    review = ready.review
    login(client, world.manager_hk)
    page = client.get(f"/goals/calibration?cycle={ready.cycle.id}").get_data(as_text=True)
    assert f"/goals/calibration/{review.id}/edit" in page
    prefix = f"r{review.id}"
    response = post_form(
        client,
        f"/goals/calibration/{review.id}",
        {f"{prefix}-version": str(review.version), f"{prefix}-rating": "5", f"{prefix}-reason": ""},
    )
    assert response.status_code == 422 and "Reason" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"/goals/calibration/{review.id}",
        {
            f"{prefix}-version": str(review.version),
            f"{prefix}-rating": "5",
            f"{prefix}-reason": "Top of the market",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/goals/calibration?cycle={ready.cycle.id}").get_data(as_text=True)
    assert "above the guideline" in page  # 1 of 1 rated 5 > 15 %
    assert "3 → 5</td>" in page and "Top of the market" in page  # the log


# ---- reopen --------------------------------------------------------------------------------


def test_hr_reopens_a_locked_review_with_a_reason(world):
    ready = to_calibration(world)
    review = ready.review
    close_calibration(ready.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    reviews.take_step(review, world.agent_a1, "acknowledge", expected_version=review.version)
    with pytest.raises(Forbidden):
        reviews.reopen(
            review, world.sup_a, to="manager_review", reason="x", expected_version=review.version
        )
    with pytest.raises(ValidationFailed):
        reviews.reopen(
            review, world.hr, to="manager_review", reason="", expected_version=review.version
        )
    reviews.reopen(
        review,
        world.hr,
        to="manager_review",
        reason="Wrong goal data",
        expected_version=review.version,
    )
    assert review.state == S.MANAGER_REVIEW and review.final_rating is None
    assert review.self_submitted_at is not None
    entry = db.session.execute(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "review.reopen")
    ).scalar_one()
    assert entry.after["reason"] == "Wrong goal data"


def test_review_steps_through_the_pages(app, world):
    ready = ready_review(world)
    review = ready.review
    employee = app.test_client()
    login(employee, world.agent_a1)
    data = {"self-version": str(review.version), "self-overall_comment": "Good half", "submit": "1"}
    for subject in [reviews.goal_subject(g.id) for g in review.goals] + [
        reviews.competency_subject(c["key"]) for c in review.cycle.competencies
    ]:
        data[f"rating-{subject}"] = "4"
        data[f"comment-{subject}"] = "ok"
    missing = {k: v for k, v in data.items() if not k.startswith("rating-competency:skill")}
    response = post_form(employee, f"/goals/reviews/{review.id}/self", missing)
    assert response.status_code == 422
    assert "Give a rating before submitting." in response.get_data(as_text=True)
    assert post_form(employee, f"/goals/reviews/{review.id}/self", data).status_code == 303
    db.session.refresh(review)
    assert review.state == S.MANAGER_REVIEW
    response = post_form(
        employee, f"/goals/reviews/{review.id}/steps/share", {"version": str(review.version)}
    )
    assert response.status_code == 403
