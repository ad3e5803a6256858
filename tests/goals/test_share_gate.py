"""Phase gating: a reviewer shares a review only once HR has closed calibration for it (for the
cycle, its team, or the review itself as an override with a reason), or at once when the cycle
has no calibration phase. The page says why and until when; closing tells the reviewers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import audit
from portal.errors import Forbidden, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals import calibration, reviews, sharing
from portal.goals.models import CalibrationClose, ReviewState
from portal.goals.transitions import CloseFact, share_gate
from portal.notify.models import Notification
from tests.conftest import login, post_form
from tests.goals.helpers import (
    PHASES,
    all_ratings,
    close_calibration,
    cycle_fields,
    goal_fields,
    review_of,
)
from tests.goals.test_reviews import submit_manager, submit_self, to_calibration

T0 = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
DUE = date(2027, 1, 15)


def fact(scope: str, hours: int, reason: str = "") -> CloseFact:
    return CloseFact(scope, T0 + timedelta(hours=hours), "HR", reason)


# ---- the rule, pure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "has_calibration, closes, is_open, because, scope",
    [
        (False, [], True, "no_calibration", None),
        (False, [fact("cycle", -5)], True, "no_calibration", None),
        (True, [], False, "waiting", None),
        (True, [fact("cycle", 1)], True, "closed", "cycle"),
        (True, [fact("team", 1)], True, "closed", "team"),
        (True, [fact("review", 1, "urgent")], True, "override", "review"),
        # several cover it: the page names the widest
        (True, [fact("review", 1), fact("team", 2), fact("cycle", 3)], True, "closed", "cycle"),
        # closed before the manager submitted (late, or reopened and resubmitted): HR decides
        (True, [fact("cycle", -1)], False, "late", None),
        (True, [fact("team", -1)], False, "late", None),
        # an override of an earlier submission does not open a later one
        (True, [fact("review", -1)], False, "waiting", None),
        (True, [fact("cycle", -1), fact("review", 2)], True, "override", "review"),
        # at the same instant counts as before the close
        (True, [fact("cycle", 0)], True, "closed", "cycle"),
    ],
)
def test_the_share_gate(has_calibration, closes, is_open, because, scope):
    gate = share_gate(
        has_calibration=has_calibration, planned_on=DUE, submitted_at=T0, closes=closes
    )
    assert (gate.is_open, gate.because) == (is_open, because)
    assert (gate.close.scope if gate.close else None) == scope


def test_a_review_not_submitted_is_never_covered():
    gate = share_gate(
        has_calibration=True, planned_on=DUE, submitted_at=None, closes=[fact("cycle", 1)]
    )
    assert not gate.is_open and gate.because == "waiting"


# ---- the service ---------------------------------------------------------------------------


def test_sharing_is_refused_until_hr_closes_calibration(world):
    ready = to_calibration(world)
    review = ready.review
    with pytest.raises(InvalidTransition) as caught:
        reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    assert "once HR closes calibration" in caught.value.message and "2027" in caught.value.message
    assert review.state == ReviewState.CALIBRATION
    close_calibration(ready.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    assert review.state == ReviewState.SHARED


def test_only_hr_closes_calibration(world):
    ready = to_calibration(world)
    for who in (world.sup_a, world.manager_hk, world.head, world.agent_a1):
        with pytest.raises(Forbidden):
            sharing.close_calibration(ready.cycle, who)


def test_closing_a_team_opens_that_teams_reviews_only(world):
    ready = to_calibration(world)
    other = review_of(ready.cycle, world.agent_b1)
    from portal.goals import goals as plans

    plans.create_goal(other, world.sup_b, goal_fields(weight=100))
    reviews.take_step(other, world.sup_b, "start", expected_version=other.version)
    submit_self(other, world.agent_b1)
    submit_manager(other, world.sup_b)
    close_calibration(ready.cycle, world, team_id=world.team_a.id)
    assert sharing.gate_for(ready.review).is_open
    assert not sharing.gate_for(other).is_open
    with pytest.raises(InvalidTransition):
        reviews.take_step(other, world.sup_b, "share", expected_version=other.version)


def test_a_double_close_records_one_close_and_tells_each_reviewer_once(world):
    ready = to_calibration(world)
    first = close_calibration(ready.cycle, world)
    again = close_calibration(ready.cycle, world)
    assert first.id == again.id
    assert db.session.scalar(select(func.count(CalibrationClose.id))) == 1
    notes = list(
        db.session.execute(
            select(Notification).where(Notification.kind == "review.calibration_closed")
        ).scalars()
    )
    assert [(n.person_id, n.params["count"]) for n in notes] == [(world.sup_a.id, 1)]
    entry = db.session.execute(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "calibration.close")
    ).scalar_one()
    assert entry.after["scope"] == "cycle" and entry.actor_id == world.hr.id


def test_ratings_no_longer_change_once_calibration_is_closed(world):
    ready = to_calibration(world)
    close_calibration(ready.cycle, world)
    review = ready.review
    with pytest.raises(InvalidTransition):
        calibration.change_rating(
            review, world.manager_hk, new_rating=4, reason="late", expected_version=review.version
        )


def test_a_review_submitted_after_the_close_waits_for_hr_again(world):
    ready = to_calibration(world)
    review = ready.review
    close_calibration(ready.cycle, world)
    reviews.reopen(
        review, world.hr, to="manager_review", reason="wrong data", expected_version=review.version
    )
    submit_manager(review, world.sup_a)
    gate = sharing.gate_for(review)
    assert not gate.is_open and gate.because == "late"
    with pytest.raises(InvalidTransition) as caught:
        reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    assert "after calibration closed" in caught.value.message


def test_hr_lets_one_review_through_with_a_reason(world):
    ready = to_calibration(world)
    review = ready.review
    with pytest.raises(Forbidden):
        sharing.open_sharing(review, world.sup_a, reason="x", expected_version=review.version)
    with pytest.raises(ValidationFailed) as caught:
        sharing.open_sharing(review, world.hr, reason="  ", expected_version=review.version)
    assert "reason" in caught.value.field_errors
    sharing.open_sharing(
        review, world.hr, reason="Leaves on Friday MK-WHY", expected_version=review.version
    )
    gate = sharing.gate_for(review)
    assert gate.is_open and gate.because == "override" and gate.close.reason.endswith("MK-WHY")
    entry = db.session.execute(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "review.share_override")
    ).scalar_one()
    assert entry.after["reason"] == "Leaves on Friday MK-WHY"
    note = db.session.execute(
        select(Notification).where(Notification.kind == "review.share_opened")
    ).scalar_one()
    assert note.person_id == world.sup_a.id
    with pytest.raises(InvalidTransition):  # already open
        sharing.open_sharing(review, world.hr, reason="again", expected_version=review.version)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    assert review.state == ReviewState.SHARED


def test_without_a_calibration_phase_the_manager_shares_at_once(world):
    from portal.goals import cycles
    from portal.goals import goals as plans

    phases = {k: v for k, v in PHASES.items() if k != "calibration"}
    cycle = cycles.create_cycle(world.hr, cycle_fields("No calibration", phases=phases))
    cycles.enrol(cycle, world.hr, cycles.Eligibility(world.sup_a.id, None, ()))
    cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    review = review_of(cycle, world.agent_a1)
    plans.create_goal(review, world.sup_a, goal_fields(weight=100))
    reviews.take_step(review, world.sup_a, "start", expected_version=review.version)
    submit_self(review, world.agent_a1)
    reviews.save_manager(
        review,
        world.sup_a,
        given=all_ratings(review, 3),
        overall_comment="",
        proposed_rating=3,
        submit=True,
        expected_version=review.version,
    )
    assert sharing.gate_for(review).because == "no_calibration"
    with pytest.raises(InvalidTransition):
        sharing.close_calibration(cycle, world.hr)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    assert review.state == ReviewState.SHARED


# ---- the pages -----------------------------------------------------------------------------


def test_the_review_page_says_why_sharing_waits_and_offers_no_share_button(app, world):
    ready = to_calibration(world)
    review = ready.review
    client = app.test_client()
    login(client, world.sup_a)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "Share with the employee" not in body
    assert "once HR closes calibration (planned by" in body
    response = post_form(
        client, f"/goals/reviews/{review.id}/steps/share", {"version": str(review.version)}
    )
    assert response.status_code == 409
    assert "once HR closes calibration" in response.get_data(as_text=True)
    close_calibration(ready.cycle, world)
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "Share with the employee" in body and "closed calibration for the cycle" in body


def test_hr_overrides_from_the_review_page_and_the_reason_stays_with_the_line(app, world):
    ready = to_calibration(world)
    review = ready.review
    hr = app.test_client()
    login(hr, world.hr)
    body = hr.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "Share before calibration closes (HR)" in body
    url = f"/goals/reviews/{review.id}/share-early"
    response = post_form(hr, url, {"version": str(review.version), "reason": ""})
    assert response.status_code == 422
    response = post_form(
        hr, url, {"version": str(review.version), "reason": "Leaves on Friday MK-WHY"}
    )
    assert response.status_code == 303
    db.session.refresh(review)
    reviewer = app.test_client()
    login(reviewer, world.sup_a)
    body = reviewer.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "MK-WHY" in body and "Share with the employee" in body
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    employee = app.test_client()
    login(employee, world.agent_a1)
    body = employee.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert "MK-WHY" not in body and "calibration closes" not in body


def test_hr_closes_calibration_from_the_closing_page(app, world):
    ready = to_calibration(world)
    client = app.test_client()
    login(client, world.hr)
    page = client.get(f"/goals/calibration/closing?cycle={ready.cycle.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Close calibration for the whole cycle" in body and "Close for Team A" in body
    response = post_form(
        client,
        "/goals/calibration/closing",
        {"cycle": str(ready.cycle.id), "team": str(world.team_a.id)},
    )
    assert response.status_code == 303
    body = client.get(f"/goals/calibration/closing?cycle={ready.cycle.id}").get_data(as_text=True)
    assert "Close for Team A" not in body and "Close for Team B" in body
    assert sharing.gate_for(ready.review).is_open
    manager = app.test_client()
    login(manager, world.manager_hk)
    assert manager.get("/goals/calibration/closing").status_code == 403


def test_hr_creates_a_cycle_without_calibration_by_leaving_its_date_empty(app, world):
    from portal.goals.models import ReviewCycle

    client = app.test_client()
    login(client, world.hr)
    data = {
        "version": "0",
        "name": "Small team 2026 H2",
        "starts_on": "2026-07-01",
        "ends_on": "2026-12-31",
        "goals_weight": "70",
        "competencies_weight": "30",
        "promotion_min_months": "6",
        "achievement_cap_percent": "120",
        **{f"due_{kind}": day.isoformat() for kind, day in PHASES.items()},
        "due_calibration": "",
    }
    page = client.get("/goals/cycles/new").get_data(as_text=True)
    assert "Leave empty for a cycle without calibration." in page
    for name in ("scale", "bands", "guideline", "competencies"):
        marker = f'name="{name}"'
        start = page.index(">", page.index(marker)) + 1
        data[name] = page[start : page.index("</textarea>", start)].strip()
    response = post_form(client, "/goals/cycles/new", data)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    cycle = db.session.execute(
        select(ReviewCycle).where(ReviewCycle.name == "Small team 2026 H2")
    ).scalar_one()
    assert "calibration" not in {p.kind for p in cycle.phases} and len(cycle.phases) == 5


def test_the_counts_for_the_home_page_follow_the_gate(world):
    ready = to_calibration(world)
    assert sharing.waiting_for_close_count(ready.cycle) == 1
    assert sharing.to_share(world.sup_a) == []
    close_calibration(ready.cycle, world, team_id=world.team_a.id)
    assert sharing.waiting_for_close_count(ready.cycle) == 0
    assert sharing.to_share(world.sup_a) == [ready.review]
    review = ready.review
    reviews.reopen(
        review, world.hr, to="manager_review", reason="wrong data", expected_version=review.version
    )
    submit_manager(review, world.sup_a)  # after the close: waits for HR again
    assert sharing.waiting_for_close_count(ready.cycle) == 1
    assert sharing.to_share(world.sup_a) == []
