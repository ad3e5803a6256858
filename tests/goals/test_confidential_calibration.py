"""Calibration is confidential: the employee sees the final rating and the shared comments of
their review, never the proposed rating, a calibration change, its reason or who made it — on
the page, the print view, the PDF, in notifications or on the home page. The reviewer line
(reviewer and managers above), the calibrators and HR see them (policy "review.see_calibration")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import policy
from portal.extensions import db
from portal.goals import calibration, pdf, reviews
from portal.notify import service as notifications
from portal.notify.models import Notification
from portal.org.models import Grant
from tests.authz import run_matrix
from tests.conftest import login
from tests.goals.helpers import close_calibration
from tests.goals.test_goals_authorization import CAL_MARKER, GOALS_ROWS, goals_extras
from tests.goals.test_reviews import to_calibration

REASON = "Peers with the same results are rated 2 MK-REASON"


def shared_and_calibrated(world):
    """A1's review: manager proposed 3, the manager above calibrated it to 2 with REASON,
    HR closed calibration, the supervisor shared it."""
    ready = to_calibration(world)
    review = ready.review
    calibration.change_rating(
        review, world.manager_hk, new_rating=2, reason=REASON, expected_version=review.version
    )
    close_calibration(ready.cycle, world)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    return review


@pytest.mark.parametrize(
    "who, sees",
    [
        ("agent_a1", False),  # the employee
        ("agent_a2", False),  # a peer
        ("sup_a", True),  # the reviewer
        ("manager_hk", True),  # the manager above (a calibrator)
        ("head", True),  # further up the line
        ("sup_b", False),  # another supervisor
        ("qa", False),
        ("trainer", False),
        ("hr", True),
    ],
)
def test_who_sees_a_reviews_calibration(world, who, sees):
    review = to_calibration(world).review
    assert policy.can(getattr(world, who), "review.see_calibration", review) is sees


def test_an_employee_who_is_hr_still_never_sees_their_own_calibration(world):
    review = to_calibration(world).review
    db.session.add(Grant(person_id=world.agent_a1.id, role="hr_admin"))
    db.session.flush()
    assert policy.is_hr(world.agent_a1)
    assert not policy.can(world.agent_a1, "review.see_calibration", review)
    assert not policy.can(world.agent_a1, "review.share_override", review)
    # Nor does the HR employee calibrate it: not on their board, no change allowed.
    assert not policy.can(world.agent_a1, "review.calibrate", review)
    board = calibration.calibration_for(world.agent_a1, review.cycle, None)
    assert review.id not in [r.id for r in board.reviews]
    assert policy.can(world.hr, "review.calibrate", review)


def test_the_employee_sees_the_final_rating_and_no_calibration(app, world):
    review = shared_and_calibrated(world)
    sheet = reviews.sheet(world.agent_a1, review)
    assert sheet.final_rating == 2 and sheet.proposed_rating is None
    assert not sheet.show_calibration
    assert reviews.calibration_changes(world.agent_a1, review) == []
    client = app.test_client()
    login(client, world.agent_a1)
    for url in (f"/goals/reviews/{review.id}", f"/goals/reviews/{review.id}/print"):
        body = client.get(url).get_data(as_text=True)
        assert "2 · " in body and "MGRNOTE" in body  # the final rating, the shared comments
        assert "MK-REASON" not in body  # the reason
        assert "MK-MGRHK" not in body  # who changed it
        assert "MK-HR" not in body  # who closed calibration
        assert "Proposed" not in body and "after calibration" not in body
        assert "Calibration changes" not in body and "Computed overall" not in body


def test_the_reviewer_line_and_hr_see_the_proposal_the_change_and_its_reason(app, world):
    review = shared_and_calibrated(world)
    for who in (world.sup_a, world.manager_hk, world.hr):
        client = app.test_client()
        login(client, who)
        body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
        assert "Proposed overall rating" in body and "MK-REASON" in body, who.name
        assert "3 → 2" in body and "MK-MGRHK" in body
        assert "closed calibration for the cycle" in body


def test_the_employees_pdf_holds_no_calibration(app, world, monkeypatch):
    # The document's HTML, not the compressed PDF, so a search for the reason cannot miss.
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: html.encode())
    review = shared_and_calibrated(world)
    client = app.test_client()
    login(client, world.agent_a1)
    response = client.get(f"/goals/reviews/{review.id}/review.pdf")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Overall rating" in body and "2 · " in body
    assert "MK-REASON" not in body and "MK-MGRHK" not in body and "computed" not in body


def test_no_notification_to_the_employee_carries_the_calibration(world):
    review = shared_and_calibrated(world)
    mine = list(
        db.session.execute(
            select(Notification).where(Notification.person_id == world.agent_a1.id)
        ).scalars()
    )
    assert {n.kind for n in mine} >= {"review.started", "review.shared"}
    for note in mine:
        text = notifications.message(note)
        assert "MK-REASON" not in text and "MK-MGRHK" not in text and "MK-HR" not in text
        assert "MK-REASON" not in str(note.params)
    # The reviewer is told of the change, with its reason.
    told = db.session.execute(
        select(Notification).where(
            Notification.kind == "review.rating_calibrated",
            Notification.record_id == review.id,
        )
    ).scalar_one()
    assert told.person_id == world.sup_a.id and "MK-REASON" in notifications.message(told)


def test_the_matrix_would_catch_a_calibration_leak(app, world, monkeypatch):
    """The marker rows are not vacuous: with the rule opened to everyone, the employee's own
    shared review shows the reason and the matrix fails on it."""
    extras = goals_extras(world)
    monkeypatch.setitem(policy.RULES, "review.see_calibration", lambda viewer, record: True)
    rows = {name: row for name, row in GOALS_ROWS.items() if row.marker == CAL_MARKER}
    mismatches = run_matrix(app, world, rows, extras)
    assert any(m.role == "self" and m.leaked for m in mismatches)
