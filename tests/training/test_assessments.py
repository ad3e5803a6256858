"""Taking an assessment: shuffled, scored on the server, attempts kept and limited, the time
limit enforced on the server, a must-pass assessment not passed shows as overdue."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, NotFound
from portal.extensions import db
from portal.org.models import Person
from portal.training import assignments, attempts
from portal.training.models import AssessmentAttempt, Completion
from portal.training.status import Status
from tests.conftest import as_user, post_form
from tests.training import helpers


@pytest.fixture
def assessed(world):
    course = helpers.course(world.trainer, title="General knowledge MK-GK")
    course = helpers.with_assessment(course, world.trainer, pass_mark=100, attempts=2)
    helpers.assign(world.trainer, course, due_on=date(2020, 1, 1), team_id=world.team_c.id)
    return course


def status_of(person, course):
    items = assignments.training_items(
        select(Person.id).where(Person.id == person.id), date(2026, 11, 23), course_id=course.id
    )
    return items[0].standing


def form_for(attempt, answers):
    data = {}
    for qid, choices in answers.items():
        data[f"q-{qid}"] = [str(c) for c in choices]
    return data


def test_fail_then_pass_through_the_pages(app, client, world, assessed):
    as_user(client, world.agent_c1)
    start = post_form(client, f"/training/courses/{assessed.id}/attempts")
    assert start.status_code == 303
    attempt_url = start.headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert "Q1" in page and "Q2" in page
    attempt = db.session.scalars(select(AssessmentAttempt)).one()
    r = post_form(
        client, attempt_url + "/submit", form_for(attempt, helpers.wrong_answers(assessed))
    )
    assert r.status_code == 303
    result = client.get(attempt_url).get_data(as_text=True)
    assert "0 of 2 correct" in result and "Not passed" in result and "1 attempt left" in result
    assert status_of(world.agent_c1, assessed).status == Status.OVERDUE

    second = post_form(client, f"/training/courses/{assessed.id}/attempts").headers["Location"]
    assert second != attempt_url
    attempt2 = db.session.scalars(
        select(AssessmentAttempt).where(AssessmentAttempt.number == 2)
    ).one()
    post_form(client, second + "/submit", form_for(attempt2, helpers.correct_answers(assessed)))
    assert "2 of 2 correct" in client.get(second).get_data(as_text=True)
    assert status_of(world.agent_c1, assessed).status == Status.COMPLETED
    completion = db.session.scalars(select(Completion)).one()
    assert completion.source == "assessment"
    # Both attempts are kept.
    db.session.expire_all()
    assert [a.is_passed for a in attempts.attempts_of(world.agent_c1.id, assessed.id)] == [
        False,
        True,
    ]


def test_attempts_exhausted_blocks_and_stays_overdue(app, world, assessed):
    now = utcnow()
    for _ in range(2):
        attempt = attempts.start_attempt(world.agent_c1, assessed, now)
        attempts.submit_attempt(
            world.agent_c1, attempt, helpers.wrong_answers(assessed), now, now.date()
        )
    with pytest.raises(InvalidTransition):
        attempts.start_attempt(world.agent_c1, assessed, now)
    standing = status_of(world.agent_c1, assessed)
    assert standing.status == Status.OVERDUE and standing.is_blocked


def test_a_passed_assessment_cannot_be_retaken(app, world, assessed):
    now = utcnow()
    attempt = attempts.start_attempt(world.agent_c1, assessed, now)
    attempts.submit_attempt(
        world.agent_c1, attempt, helpers.correct_answers(assessed), now, now.date()
    )
    with pytest.raises(InvalidTransition):
        attempts.start_attempt(world.agent_c1, assessed, now)


def test_starting_twice_gives_the_same_open_attempt(app, world, assessed):
    now = utcnow()
    first = attempts.start_attempt(world.agent_c1, assessed, now)
    assert attempts.start_attempt(world.agent_c1, assessed, now).id == first.id


def test_the_time_limit_is_enforced_on_the_server(app, world, assessed):
    assessed.time_limit_minutes = 5
    db.session.commit()
    start = utcnow()
    attempt = attempts.start_attempt(world.agent_c1, assessed, start)
    assert attempt.deadline_at == start + timedelta(minutes=5)
    late = start + timedelta(minutes=6)
    attempts.submit_attempt(
        world.agent_c1, attempt, helpers.correct_answers(assessed), late, late.date()
    )
    assert attempt.is_late and not attempt.is_passed and attempt.correct == 0
    # The late attempt counts; an open attempt past its time is not handed back either.
    second = attempts.start_attempt(world.agent_c1, assessed, late)
    assert second.number == 2


def test_an_attempt_past_its_time_is_replaced_by_a_new_one(app, world, assessed):
    assessed.time_limit_minutes = 5
    assessed.attempts_allowed = 3
    db.session.commit()
    start = utcnow()
    first = attempts.start_attempt(world.agent_c1, assessed, start)
    later = attempts.start_attempt(world.agent_c1, assessed, start + timedelta(minutes=10))
    assert later.id != first.id and later.number == 2


def test_submitting_twice_is_refused_and_others_cannot_open_an_attempt(
    app, client, world, assessed
):
    now = utcnow()
    attempt = attempts.start_attempt(world.agent_c1, assessed, now)
    attempts.submit_attempt(world.agent_c1, attempt, {}, now, now.date())
    with pytest.raises(Conflict):
        attempts.submit_attempt(world.agent_c1, attempt, {}, now, now.date())
    with pytest.raises(NotFound):
        attempts.get_own_attempt(world.sup_c, attempt.id)
    as_user(client, world.trainer)
    assert client.get(f"/training/attempts/{attempt.id}").status_code == 404


def test_questions_are_shown_in_the_attempts_stored_order(app, world, assessed):
    attempt = attempts.start_attempt(world.agent_c1, assessed, utcnow())
    assert sorted(q for q, _ in attempt.layout) == sorted(q.id for q in assessed.questions)
    for qid, choice_ids in attempt.layout:
        question = next(q for q in assessed.questions if q.id == qid)
        assert sorted(choice_ids) == sorted(c.id for c in question.choices)


def test_a_tampered_answer_with_another_questions_choice_scores_nothing(app, world, assessed):
    q1, q2 = assessed.questions
    now = utcnow()
    attempt = attempts.start_attempt(world.agent_c1, assessed, now)
    forged = {q1.id: frozenset(c.id for c in q2.choices if c.is_correct)}
    attempts.submit_attempt(world.agent_c1, attempt, forged, now, now.date())
    assert attempt.correct == 0
