"""The training and recognition routes in the authorization matrix's shape.

TRAINING_ROWS and training_extras are merged into tests/test_authorization_matrix.py; this
file also runs them on their own, every role against every training and recognition route.
"""

from __future__ import annotations

from datetime import date, timedelta

from portal.db import utcnow
from portal.training import attempts, courses, kudos, programmes
from tests.authz import ROLES, Row, expect, route_key
from tests.factories import World
from tests.training import helpers

# Who sees A1's training: A1, their reporting line, HR. Not the QA analyst (no training
# grant), not the JP trainer, not peers or other supervisors.
SEES_A1 = ("self", "record_supervisor", "manager_above", "hr_admin")
HIDDEN_A1 = ("peer_agent", "other_supervisor", "qa_analyst", "trainer")
OVERSEERS = ("record_supervisor", "other_supervisor", "manager_above", "trainer", "hr_admin")


def a1_training(ok: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in SEES_A1})
    return table


def trainers(ok: int, others: int = 403) -> dict[str, int]:
    return expect(others, trainer=ok, hr_admin=ok)


def overseers(ok: int) -> dict[str, int]:
    table = expect(403)
    table.update({role: ok for role in OVERSEERS})
    return table


def managers(ok: int) -> dict[str, int]:
    """Those with reports (supervisors, managers) and HR."""
    return expect(403, record_supervisor=ok, other_supervisor=ok, manager_above=ok, hr_admin=ok)


def u(template: str):
    return lambda w: template.format(w=w)


def version(w) -> dict:
    return {"version": str(w.tr_course_version)}


COURSE = "/training/courses/{w.tr_course_id}"

TRAINING_ROWS: dict[str, Row] = {
    "training.my_training GET": Row(
        "GET", u("/training/"), expect(200), hidden_from=HIDDEN_A1 + ("record_supervisor",)
    ),
    "training.course_list GET": Row("GET", u("/training/courses"), expect(200)),
    "training.course_detail GET": Row("GET", u(COURSE), expect(200)),
    "training.course_new GET": Row("GET", u("/training/courses/new"), trainers(200)),
    "training.course_new POST": Row("POST", u("/training/courses/new"), trainers(422)),
    "training.course_edit GET": Row("GET", u(COURSE + "/edit"), trainers(200)),
    "training.course_edit POST": Row("POST", u(COURSE + "/edit"), trainers(422)),
    "training.course_archive POST": Row(
        "POST", u(COURSE + "/archive"), trainers(303), data=version
    ),
    # Not archived: bringing it back is not a possible step (409) for those who may try.
    "training.course_unarchive POST": Row(
        "POST", u(COURSE + "/unarchive"), trainers(409), data=version
    ),
    "training.question_add POST": Row("POST", u(COURSE + "/questions"), trainers(422)),
    "training.question_remove POST": Row(
        "POST", u(COURSE + "/questions/{w.tr_question_id}/remove"), trainers(303)
    ),
    "training.session_add POST": Row(
        "POST", u("/training/courses/{w.tr_classroom_id}/sessions"), trainers(422)
    ),
    "training.session_detail GET": Row(
        "GET", u("/training/sessions/{w.tr_session_id}"), expect(200), hidden_from=HIDDEN_A1
    ),
    "training.session_book POST": Row(
        "POST", u("/training/sessions/{w.tr_session_id}/book"), expect(303)
    ),
    "training.session_attendance POST": Row(
        "POST",
        u("/training/sessions/{w.tr_session_id}/attendance"),
        trainers(303),
        data=lambda w: {"attended": str(w.tr_seat_id)},
    ),
    "training.course_complete POST": Row(
        "POST", u("/training/courses/{w.tr_plain_id}/complete"), expect(303)
    ),
    "training.assignment_new GET": Row("GET", u(COURSE + "/assign"), trainers(200)),
    "training.assignment_new POST": Row("POST", u(COURSE + "/assign"), trainers(422)),
    "training.assignment_list GET": Row(
        "GET", u("/training/assignments"), trainers(200), hidden_from=HIDDEN_A1
    ),
    "training.assignment_detail GET": Row(
        "GET",
        u("/training/assignments/{w.tr_assignment_id}"),
        trainers(200, others=403) | {"trainer": 404},
    ),
    "training.assignment_cancel POST": Row(
        "POST",
        u("/training/assignments/{w.tr_assignment_id}/cancel"),
        trainers(303) | {"trainer": 404},
    ),
    "training.completion_confirm POST": Row(
        "POST",
        u("/training/courses/{w.tr_classroom_id}/people/{w.agent_a1.id}/confirm"),
        a1_training(403) | {"hr_admin": 303},
    ),
    "training.certification_grant POST": Row(
        "POST",
        u("/training/people/{w.agent_a1.id}/certifications"),
        a1_training(403) | {"hr_admin": 422},
    ),
    "training.attempt_start POST": Row("POST", u(COURSE + "/attempts"), expect(303)),
    "training.attempt_detail GET": Row(
        "GET", u("/training/attempts/{w.tr_attempt_id}"), expect(404, self=200)
    ),
    "training.attempt_submit POST": Row(
        "POST", u("/training/attempts/{w.tr_attempt_id}/submit"), expect(404, self=303)
    ),
    "training.team_matrix GET": Row(
        "GET", u("/training/team"), overseers(200), hidden_from=HIDDEN_A1
    ),
    "training.team_export GET": Row(
        "GET", u("/training/team/export.xlsx"), overseers(200), hidden_from=HIDDEN_A1
    ),
    "training.person_record GET": Row(
        "GET", u("/training/people/{w.agent_a1.id}"), a1_training(200)
    ),
    "training.skill_gap_list GET": Row("GET", u("/training/skill-gaps"), overseers(200)),
    "recognition.kudos_list GET": Row(
        "GET", u("/recognition/"), expect(200), hidden_from=HIDDEN_A1
    ),
    "recognition.kudos_give POST": Row("POST", u("/recognition/kudos"), expect(422)),
    "recognition.programme_list GET": Row("GET", u("/recognition/programmes"), expect(200)),
    "recognition.programme_create POST": Row("POST", u("/recognition/programmes"), managers(422)),
    # A1's pending nomination: seen by the owner (manager above), HR and the nominator (A1's
    # supervisor) only.
    "recognition.programme_detail GET": Row(
        "GET", u("/recognition/programmes/{w.tr_programme_id}"), expect(200), hidden_from=HIDDEN_A1
    ),
    "recognition.nomination_create POST": Row(
        "POST", u("/recognition/programmes/{w.tr_programme_id}/nominations"), expect(422)
    ),
    # A1's pending nomination: decided by the owner (manager above) and HR; the nominator (A1's
    # supervisor) sees it but may not decide it (403); to everyone else it is out of reach,
    # a 404 like a missing nomination (no existence oracle).
    "recognition.nomination_decide POST": Row(
        "POST",
        u("/recognition/nominations/{w.tr_nomination_id}/decide"),
        expect(404, record_supervisor=403, manager_above=303, hr_admin=303),
        data=lambda w: {"action": "approve"},
    ),
    # An approved nomination is public recognition: seen by all, decided by the owner and HR.
    "recognition.nomination_decide POST #approved": Row(
        "POST",
        u("/recognition/nominations/{w.tr_approved_nomination_id}/decide"),
        expect(403, manager_above=303, hr_admin=303),
        data=lambda w: {"action": "win"},
    ),
    "recognition.nomination_decide POST #missing": Row(
        "POST",
        u("/recognition/nominations/{w.tr_missing_nomination_id}/decide"),
        expect(404),
        data=lambda w: {"action": "approve"},
    ),
}


def training_extras(world: World) -> dict:
    """A course with an assessment assigned to A1 (with an open attempt of A1's), a classroom
    course with a future session where A1 has a seat, a plain e-learning course, and a private
    kudos to A1 from agent B1."""
    course = helpers.with_assessment(helpers.course(world.hr, title="Matrix course"), world.hr)
    assignment = helpers.assign(
        world.hr, course, due_on=date(2020, 1, 1), person_id=world.agent_a1.id
    )
    attempt = attempts.start_attempt(world.agent_a1, course, utcnow())
    classroom = helpers.course(world.hr, title="Matrix classroom", kind="classroom")
    session = courses.add_session(
        classroom, world.hr, starts_at=utcnow() + timedelta(days=7), place="Room 1", seats=20
    )
    seat = courses.book_seat(session, world.agent_a1, utcnow())
    plain = helpers.course(world.hr, title="Matrix plain")
    kudos.give_kudos(world.agent_b1, world.agent_a1.id, "Teamwork", "Well done", False, "mx", "/")
    course = courses.get_course(course.id)
    programme = programmes.create_programme(
        world.manager_hk, name="Star", cadence="monthly", team_id=world.team_a.id,
        market_id=None, winners_per_period=1,
    )  # fmt: skip
    nomination = programmes.nominate(
        world.sup_a, programme, world.agent_a1, "Always helpful", utcnow().date()
    )
    approved = programmes.nominate(
        world.sup_a, programme, world.agent_a2, "Calm on busy days", utcnow().date()
    )
    programmes.decide(world.manager_hk, approved, "approve", utcnow())
    return {
        "tr_approved_nomination_id": approved.id,
        "tr_missing_nomination_id": approved.id + 1000,
        "tr_programme_id": programme.id,
        "tr_nomination_id": nomination.id,
        "tr_course_id": course.id,
        "tr_course_version": course.version,
        "tr_question_id": course.questions[0].id,
        "tr_assignment_id": assignment.id,
        "tr_attempt_id": attempt.id,
        "tr_classroom_id": classroom.id,
        "tr_session_id": session.id,
        "tr_seat_id": seat.id,
        "tr_plain_id": plain.id,
    }


def test_every_training_route_has_a_row_naming_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("training.", "recognition."))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {route_key(name) for name in TRAINING_ROWS}
    assert all(set(row.expect) == set(ROLES) for row in TRAINING_ROWS.values())
