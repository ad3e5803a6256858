"""The calibration routes in the authorization matrix's shape (merged into GOALS_ROWS).

Calibration is for the calibrators, the managers above the reviewer, and HR: never the employee,
a peer, QA analysts or trainers, and not the reviewer either (A1's supervisor sees the page but
none of A1's review on it). The world: a second cycle with A1's review in calibration and one
change whose reason carries A1's marker.
"""

from __future__ import annotations

from datetime import date

from portal.goals import calibration, cycles
from tests.authz import Row, expect
from tests.factories import World
from tests.goals.calibration_helpers import to_calibration
from tests.goals.helpers import cycle_fields, review_of

# Supervisors and managers open the page (their own calibration may be empty); A1's review is
# on it only for the manager above A1's reviewer and for HR.
PAGE = expect(403, record_supervisor=200, other_supervisor=200, manager_above=200, hr_admin=200)
NOT_CALIBRATORS = (
    "peer_agent",
    "record_supervisor",
    "other_supervisor",
    "qa_analyst",
    "trainer",
)
# One review's row, edit row and evidence: "not yours" and "does not exist" look the same.
CALIBRATORS = expect(404, manager_above=200, hr_admin=200)
HX = {"HX-Request": "true"}
# Signed out, an htmx request is sent to the sign-in page by HX-Redirect (204).
CALIBRATORS_HX = {**CALIBRATORS, "anonymous": 204}


def u(template: str):
    return lambda w: template.format(w=w)


CALIBRATION_ROWS: dict[str, Row] = {
    "goals.calibration GET": Row(
        "GET",
        u("/goals/calibration?cycle={w.calibration_cycle_id}"),
        PAGE,
        hidden_from=NOT_CALIBRATORS,
    ),
    "goals.calibration_row GET": Row(
        "GET", u("/goals/calibration/{w.calibrating_review_id}/row"), CALIBRATORS_HX, headers=HX
    ),
    "goals.calibration_edit GET": Row(
        "GET", u("/goals/calibration/{w.calibrating_review_id}/edit"), CALIBRATORS_HX, headers=HX
    ),
    "goals.calibration_evidence GET": Row(
        "GET", u("/goals/calibration/{w.calibrating_review_id}/evidence"), CALIBRATORS
    ),
    "goals.calibration_what_if GET": Row(
        "GET",
        u("/goals/calibration/what-if?cycle={w.calibration_cycle_id}&w{w.calibrating_review_id}=5"),
        PAGE,
        hidden_from=NOT_CALIBRATORS,
    ),
    "goals.calibration_log GET": Row(
        "GET",
        u("/goals/calibration/log?cycle={w.calibration_cycle_id}"),
        PAGE,
        hidden_from=NOT_CALIBRATORS,
    ),
}


def calibration_extras(world: World) -> dict:
    cycle = cycles.create_cycle(
        world.hr,
        # A day older than the matrix's own cycle, so that one stays the newest.
        cycle_fields("Matrix calibration", starts_on=date(2026, 6, 30)),
    )
    cycles.enrol(cycle, world.hr, cycles.Eligibility(world.agent_a1.id, None, ()))
    cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    review = review_of(cycle, world.agent_a1)
    to_calibration(review, world.sup_a)
    calibration.change_rating(
        review,
        world.manager_hk,
        new_rating=4,
        reason="Carried the team MK-A1",
        expected_version=review.version,
    )
    return {"calibration_cycle_id": cycle.id, "calibrating_review_id": review.id}
