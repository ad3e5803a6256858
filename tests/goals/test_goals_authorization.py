"""The goals and reviews routes in the authorization matrix's shape.

GOALS_ROWS and goals_extras are merged into tests/test_authorization_matrix.py. The world: a
cycle in progress over the whole organisation; A1's plan is a draft (goal setting) with one
goal of weight 100 carrying A1's marker, so every review step has a known answer.
"""

from __future__ import annotations

from datetime import date

from portal.goals import calibration, cycles, reviews, sharing
from portal.goals import goals as service
from tests.authz import ROLES, Row, expect, route_key
from tests.factories import World
from tests.goals.helpers import all_ratings, cycle_fields, goal_fields, review_of
from tests.goals.test_calibration_authorization import CALIBRATION_ROWS, calibration_extras

# Who sees A1's goals and review: A1, their supervisor, the manager above, HR. QA analysts and
# trainers have no grant on goals or reviews.
SEES_A1 = ("self", "record_supervisor", "manager_above", "hr_admin")
HIDDEN_A1 = ("peer_agent", "other_supervisor", "qa_analyst", "trainer")
MANAGES = ("record_supervisor", "other_supervisor", "manager_above", "hr_admin")


def a1(ok: int, **overrides: int) -> dict[str, int]:
    """`ok` for those who see A1's goals, 404 for the others, then the overrides."""
    table = expect(404)
    table.update({role: ok for role in SEES_A1})
    table.update(overrides)
    return table


def managers(ok: int) -> dict[str, int]:
    table = expect(403)
    table.update({role: ok for role in MANAGES})
    return table


def hr(ok: int) -> dict[str, int]:
    return expect(403, hr_admin=ok)


def u(template: str):
    return lambda w: template.format(w=w)


PLAN = "/goals/plans/{w.a1_plan_id}"
GOAL = "/goals/{w.a1_goal_id}"
REVIEW = "/goals/reviews/{w.a1_plan_id}"
CYCLE = "/goals/cycles/{w.cycle_id}"
# A1's review in a second cycle: calibrated (the reason carries CAL_MARKER), calibration closed,
# shared. A1 reads it, its print view and its PDF without the calibration's reason.
SHARED = "/goals/reviews/{w.a1_shared_id}"
CAL_MARKER = "MK-CAL-A1"
# Who must not see the calibration: A1 above all, and whoever does not see the review.
NO_CALIBRATION = ("self", *HIDDEN_A1)


def goal_form(w) -> dict:
    return {
        "version": str(w.a1_goal_version),
        "title": "Response time MK-A1",
        "metric": "First response time",
        "unit": "hours",
        "baseline": "24",
        "target": "12",
        "direction": "lower",
        "weight": "100",
        "due_on": "2026-12-31",
        "parent_id": "",
    }


def version(prefix: str = ""):
    return lambda w: {f"{prefix}version": str(w.a1_plan_version)}


def typed(prefix: str):
    """An assessment as typed: the version and one rating with a comment."""
    return lambda w: {
        f"{prefix}version": str(w.a1_plan_version),
        "rating-competency:knowledge": "4",
        "comment-competency:knowledge": "Typed",
    }


GOALS_ROWS: dict[str, Row] = {
    "goals.person_readiness GET": Row("GET", u("/goals/people/{w.agent_a1.id}/readiness"), a1(200)),
    # goals
    "goals.my_goals GET": Row("GET", u("/goals/"), expect(200), hidden_from=HIDDEN_A1),
    "goals.team_goals GET": Row(
        "GET", u("/goals/team?cycle={w.cycle_id}"), managers(200), hidden_from=HIDDEN_A1
    ),
    "goals.completion GET": Row(
        "GET", u("/goals/completion?cycle={w.cycle_id}"), managers(200), hidden_from=HIDDEN_A1
    ),
    "goals.plan_detail GET": Row("GET", u(PLAN), a1(200)),
    "goals.goal_create POST": Row(
        "POST",
        u(PLAN + "/goals"),
        a1(422, self=403),
        # A second goal would push the weights past 100: those allowed get as far as 422.
        data=lambda w: {**goal_form(w), "title": "Another", "version": "0"},
    ),
    "goals.goal_detail GET": Row("GET", u(GOAL), a1(200)),
    "goals.goal_edit POST": Row("POST", u(GOAL + "/edit"), a1(303, self=403), data=goal_form),
    "goals.check_in_create POST": Row(
        "POST",
        u(GOAL + "/check-ins"),
        a1(303, hr_admin=403),
        data=lambda w: {"value": "18", "confidence": "on_track", "comment": "", "token": "m"},
    ),
    "goals.comment_create POST": Row(
        "POST", u(GOAL + "/comments"), a1(303), data=lambda w: {"body": "Hi", "token": "m"}
    ),
    # cycle administration
    "goals.cycle_list GET": Row("GET", u("/goals/cycles"), hr(200)),
    "goals.cycle_new GET": Row("GET", u("/goals/cycles/new"), hr(200)),
    "goals.cycle_new POST": Row("POST", u("/goals/cycles/new"), hr(422)),
    "goals.cycle_detail GET": Row("GET", u(CYCLE), hr(200)),
    "goals.cycle_edit POST": Row("POST", u(CYCLE + "/edit"), hr(422)),
    "goals.cycle_enrol POST": Row("POST", u(CYCLE + "/enrol"), hr(200)),
    # In progress: starting again is not a possible step; completing waits for the reviews.
    "goals.cycle_start POST": Row(
        "POST", u(CYCLE + "/start"), hr(409), data=lambda w: {"version": str(w.cycle_version)}
    ),
    "goals.cycle_complete POST": Row(
        "POST", u(CYCLE + "/complete"), hr(409), data=lambda w: {"version": str(w.cycle_version)}
    ),
    # reviews
    "goals.review_list GET": Row("GET", u("/goals/reviews"), expect(200), hidden_from=HIDDEN_A1),
    "goals.review_detail GET": Row("GET", u(REVIEW), a1(200)),
    "goals.review_print GET": Row("GET", u(REVIEW + "/print"), a1(200)),
    # A draft is not finished: no PDF yet (409) for those who see it.
    "goals.review_pdf GET": Row("GET", u(REVIEW + "/review.pdf"), a1(409)),
    # A1's review is a draft: the self and manager assessments are not open yet (409) for the
    # one person who may write each.
    "goals.review_self_save POST": Row(
        "POST", u(REVIEW + "/self"), a1(403, self=409), data=version("self-")
    ),
    "goals.review_manager_save POST": Row(
        "POST", u(REVIEW + "/manager"), a1(403, record_supervisor=409), data=version("manager-")
    ),
    # The live overall: computed from the typed ratings for the one person writing each
    # assessment (whatever the state; nothing is saved); other readers 403, the rest 404.
    "goals.review_self_overall POST": Row(
        "POST", u(REVIEW + "/self/overall"), a1(403, self=200), data=typed("self-")
    ),
    "goals.review_manager_overall POST": Row(
        "POST",
        u(REVIEW + "/manager/overall"),
        a1(403, record_supervisor=200),
        data=typed("manager-"),
    ),
    # The autosave: a draft review's assessments are not open yet (409) for their writer.
    "goals.review_self_autosave POST": Row(
        "POST", u(REVIEW + "/self/autosave"), a1(403, self=409), data=typed("self-")
    ),
    "goals.review_manager_autosave POST": Row(
        "POST",
        u(REVIEW + "/manager/autosave"),
        a1(403, record_supervisor=409),
        data=typed("manager-"),
    ),
    "goals.review_step POST": Row(
        "POST",
        u(REVIEW + "/steps/start"),
        a1(403, record_supervisor=303, hr_admin=303),
        data=version(),
    ),
    "goals.review_reopen POST": Row(
        "POST",
        u(REVIEW + "/reopen"),
        a1(403, hr_admin=409),
        data=lambda w: {"version": str(w.a1_plan_version), "to": "self_review", "reason": "x"},
    ),
    "goals.review_detail GET #shared": Row(
        "GET", u(SHARED), a1(200), hidden_from=NO_CALIBRATION, marker=CAL_MARKER
    ),
    "goals.review_print GET #shared": Row(
        "GET", u(SHARED + "/print"), a1(200), hidden_from=NO_CALIBRATION, marker=CAL_MARKER
    ),
    # The shared review's PDF is checked apart (tests/goals/test_confidential_calibration.py):
    # its text is compressed, so a marker search of the bytes would pass vacuously.
    "goals.review_list GET #shared": Row(
        "GET", u("/goals/reviews"), expect(200), hidden_from=NO_CALIBRATION, marker=CAL_MARKER
    ),
    "home.index GET #calibration": Row(
        "GET", u("/"), expect(200), hidden_from=NO_CALIBRATION, marker=CAL_MARKER
    ),
    "notify.notification_list GET #calibration": Row(
        "GET", u("/notifications/"), expect(200), hidden_from=NO_CALIBRATION, marker=CAL_MARKER
    ),
    # HR lets a review through before calibration closes: the shared one is past that (409).
    "goals.review_share_override POST": Row(
        "POST",
        u(SHARED + "/share-early"),
        a1(403, hr_admin=409),
        data=lambda w: {"version": str(w.a1_shared_version), "reason": "x"},
    ),
    # calibration
    "goals.calibration GET": Row("GET", u("/goals/calibration?cycle={w.cycle_id}"), managers(200)),
    "goals.calibration_closing GET": Row(
        "GET", u("/goals/calibration/closing?cycle={w.cycle_id}"), hr(200)
    ),
    "goals.calibration_close POST": Row(
        "POST", u("/goals/calibration/closing"), hr(303), data=lambda w: {"cycle": str(w.cycle_id)}
    ),
    "goals.calibration_change POST": Row(
        "POST",
        u("/goals/calibration/{w.a1_plan_id}"),
        a1(403, manager_above=409, hr_admin=409),
        data=lambda w: {
            f"r{w.a1_plan_id}-version": str(w.a1_plan_version),
            f"r{w.a1_plan_id}-rating": "4",
            f"r{w.a1_plan_id}-reason": "x",
        },
    ),
}
GOALS_ROWS.update(CALIBRATION_ROWS)


def goals_extras(world: World) -> dict:
    cycle = cycles.create_cycle(world.hr, cycle_fields("Matrix cycle"))
    cycles.enrol(cycle, world.hr, cycles.Eligibility(None, None, ()))
    cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    plan = review_of(cycle, world.agent_a1)
    goal = service.create_goal(plan, world.sup_a, goal_fields("Response time MK-A1", weight=100))
    shared = _shared_review(world)
    return {
        "a1_shared_id": shared.id,
        "a1_shared_version": shared.version,
        "cycle_id": cycle.id,
        "cycle_version": cycle.version,
        "a1_plan_id": plan.id,
        "a1_plan_version": plan.version,
        "a1_goal_id": goal.id,
        "a1_goal_version": goal.version,
        **calibration_extras(world),
    }


def _shared_review(world: World):
    """A1's review of a second cycle: proposed 3, calibrated to 4 by the manager above with a
    reason carrying CAL_MARKER (the reviewer is told it), calibration closed, shared."""
    cycle = cycles.create_cycle(
        world.hr, cycle_fields("Matrix shared cycle", starts_on=date(2026, 1, 1))
    )
    cycles.enrol(cycle, world.hr, cycles.Eligibility(world.sup_a.id, None, ()))
    cycles.start_cycle(cycle, world.hr, expected_version=cycle.version)
    review = review_of(cycle, world.agent_a1)
    service.create_goal(review, world.sup_a, goal_fields("Shared goal", weight=100))
    reviews.take_step(review, world.sup_a, "start", expected_version=review.version)
    reviews.save_self(
        review,
        world.agent_a1,
        given=all_ratings(review, 4),
        overall_comment="",
        submit=True,
        expected_version=review.version,
    )
    reviews.save_manager(
        review,
        world.sup_a,
        given=all_ratings(review, 3),
        overall_comment="",
        proposed_rating=3,
        submit=True,
        expected_version=review.version,
    )
    calibration.change_rating(
        review,
        world.manager_hk,
        new_rating=4,
        reason=f"Peers with the same results are rated 4 {CAL_MARKER}",
        expected_version=review.version,
    )
    sharing.close_calibration(cycle, world.hr)
    reviews.take_step(review, world.sup_a, "share", expected_version=review.version)
    return review


def test_every_goals_route_has_a_row_naming_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("goals.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {route_key(name) for name in GOALS_ROWS if name.startswith("goals.")}
    assert all(set(row.expect) == set(ROLES) for row in GOALS_ROWS.values())
