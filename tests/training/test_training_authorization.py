"""The training and recognition routes in the authorization matrix's shape.

TRAINING_ROWS and training_extras are merged into tests/test_authorization_matrix.py; this
file also runs them on their own, every role against every training and recognition route.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import false, select

from portal import policy
from portal.db import utcnow
from portal.org.models import Person
from portal.training import attempts, courses, kudos
from tests.authz import ROLES, Row, expect, run_matrix
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


def u(template: str):
    return lambda w: template.format(w=w)


def version(w) -> dict:
    return {"version": str(w.course_version)}


COURSE = "/training/courses/{w.course_id}"

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
        "POST", u(COURSE + "/questions/{w.question_id}/remove"), trainers(303)
    ),
    "training.session_add POST": Row(
        "POST", u("/training/courses/{w.classroom_id}/sessions"), trainers(422)
    ),
    "training.session_detail GET": Row(
        "GET", u("/training/sessions/{w.session_id}"), expect(200), hidden_from=HIDDEN_A1
    ),
    "training.session_book POST": Row(
        "POST", u("/training/sessions/{w.session_id}/book"), expect(303)
    ),
    "training.session_attendance POST": Row(
        "POST",
        u("/training/sessions/{w.session_id}/attendance"),
        trainers(303),
        data=lambda w: {"attended": str(w.seat_id)},
    ),
    "training.course_complete POST": Row(
        "POST", u("/training/courses/{w.plain_id}/complete"), expect(303)
    ),
    "training.assignment_new GET": Row("GET", u(COURSE + "/assign"), trainers(200)),
    "training.assignment_new POST": Row("POST", u(COURSE + "/assign"), trainers(422)),
    "training.assignment_list GET": Row(
        "GET", u("/training/assignments"), trainers(200), hidden_from=HIDDEN_A1
    ),
    "training.assignment_detail GET": Row(
        "GET",
        u("/training/assignments/{w.assignment_id}"),
        trainers(200, others=403) | {"trainer": 404},
    ),
    "training.assignment_cancel POST": Row(
        "POST",
        u("/training/assignments/{w.assignment_id}/cancel"),
        trainers(303) | {"trainer": 404},
    ),
    "training.completion_confirm POST": Row(
        "POST",
        u("/training/courses/{w.classroom_id}/people/{w.agent_a1.id}/confirm"),
        a1_training(403) | {"hr_admin": 303},
    ),
    "training.certification_grant POST": Row(
        "POST",
        u("/training/people/{w.agent_a1.id}/certifications"),
        a1_training(403) | {"hr_admin": 422},
    ),
    "training.attempt_start POST": Row("POST", u(COURSE + "/attempts"), expect(303)),
    "training.attempt_detail GET": Row(
        "GET", u("/training/attempts/{w.attempt_id}"), expect(404, self=200)
    ),
    "training.attempt_submit POST": Row(
        "POST", u("/training/attempts/{w.attempt_id}/submit"), expect(404, self=303)
    ),
    "training.team_matrix GET": Row(
        "GET", u("/training/team"), overseers(200), hidden_from=HIDDEN_A1
    ),
    "training.team_export GET": Row(
        "GET", u("/training/team/export.csv"), overseers(200), hidden_from=HIDDEN_A1
    ),
    "training.person_record GET": Row(
        "GET", u("/training/people/{w.agent_a1.id}"), a1_training(200)
    ),
    "training.skill_gap_list GET": Row("GET", u("/training/skill-gaps"), overseers(200)),
    "recognition.kudos_list GET": Row(
        "GET", u("/recognition/"), expect(200), hidden_from=HIDDEN_A1
    ),
    "recognition.kudos_give POST": Row("POST", u("/recognition/kudos"), expect(422)),
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
    return {
        "course_id": course.id,
        "course_version": course.version,
        "question_id": course.questions[0].id,
        "assignment_id": assignment.id,
        "attempt_id": attempt.id,
        "classroom_id": classroom.id,
        "session_id": session.id,
        "seat_id": seat.id,
        "plain_id": plain.id,
    }


def test_every_training_route_has_a_row_naming_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("training.", "recognition."))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(TRAINING_ROWS)
    assert all(set(row.expect) == set(ROLES) for row in TRAINING_ROWS.values())


def test_every_training_route_answers_every_role_as_the_rows_say(app, world):
    mismatches = run_matrix(app, world, TRAINING_ROWS, training_extras(world))
    assert not mismatches, "\n".join(str(m) for m in mismatches)


def test_an_allow_all_policy_makes_the_training_rows_fail(app, world, monkeypatch):
    extras = training_extras(world)
    monkeypatch.setattr(policy, "visible_person_ids", lambda viewer, area=None: select(Person.id))
    monkeypatch.setattr(policy, "can", lambda viewer, action, record=None: True)
    mismatches = run_matrix(app, world, TRAINING_ROWS, extras)
    assert any(
        m.endpoint == "training.person_record GET" and m.role == "peer_agent" for m in mismatches
    )
    assert any(m.endpoint == "training.course_new GET" and m.role == "self" for m in mismatches)
    assert any(m.leaked for m in mismatches)


def test_a_deny_all_policy_makes_the_training_rows_fail(app, world, monkeypatch):
    extras = training_extras(world)
    monkeypatch.setattr(
        policy, "visible_person_ids", lambda viewer, area=None: select(Person.id).where(false())
    )
    monkeypatch.setattr(policy, "can", lambda viewer, action, record=None: False)
    mismatches = run_matrix(app, world, TRAINING_ROWS, extras)
    assert any(m.endpoint == "training.person_record GET" and m.role == "self" for m in mismatches)
    assert any(m.endpoint == "training.course_new GET" and m.role == "hr_admin" for m in mismatches)
