"""Assignments reach a person, team, position or market, including people who join later;
overdue training shows to the person, their supervisor and the trainer."""

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from portal import policy
from portal.errors import Forbidden
from portal.extensions import db
from portal.notify.models import Notification
from portal.org.models import Person, Position
from portal.training import assignments
from portal.training.assignments import Audience
from portal.training.models import Assignment
from portal.training.status import Status
from tests.conftest import as_user, in_language, post_form
from tests.factories import PersonFactory
from tests.training import helpers

TODAY = date(2026, 11, 23)


def items_for(people_ids, **kw):
    return assignments.training_items(
        select(Person.id).where(Person.id.in_(people_ids)), TODAY, **kw
    )


def people_reached(course_id, world):
    everyone = [p.id for p in db.session.scalars(select(Person))]
    return {i.person_id for i in items_for(everyone) if i.course_id == course_id}


def test_team_assignment_reaches_the_team_and_someone_who_joins_later(app, world):
    course = helpers.course(world.hr)
    helpers.assign(world.hr, course, team_id=world.team_a.id)
    assert people_reached(course.id, world) == {
        world.sup_a.id,
        world.agent_a1.id,
        world.agent_a2.id,
    }
    newcomer = PersonFactory(
        name="New MK-NEW", manager=world.sup_a, team=world.team_a, market=world.hk,
        position=world.agent_a1.position,
    )  # fmt: skip
    assert newcomer.id in people_reached(course.id, world)


def test_position_and_market_combine(app, world):
    course = helpers.course(world.hr)
    agent = db.session.execute(select(Position).where(Position.code == "agent")).scalar_one()
    helpers.assign(world.hr, course, position_id=agent.id, market_id=world.hk.id)
    assert people_reached(course.id, world) == {
        world.agent_a1.id, world.agent_a2.id, world.agent_b1.id,
    }  # fmt: skip
    # A JP agent hired later is not reached: the market does not match.
    late = PersonFactory(manager=world.sup_c, team=world.team_c, market=world.jp, position=agent)
    assert late.id not in people_reached(course.id, world)
    # An HK agent who joins later is.
    joiner = PersonFactory(manager=world.sup_b, team=world.team_b, market=world.hk, position=agent)
    assert joiner.id in people_reached(course.id, world)


def test_market_assignment_and_a_person_leaving_the_market(app, world):
    course = helpers.course(world.hr)
    helpers.assign(world.hr, course, market_id=world.jp.id)
    assert people_reached(course.id, world) == {
        world.manager_jp.id,
        world.sup_c.id,
        world.agent_c1.id,
    }
    world.agent_c1.market_id = world.hk.id
    db.session.commit()
    assert world.agent_c1.id not in people_reached(course.id, world)


def test_single_person_assignment_and_deactivated_people_drop_out(app, world):
    course = helpers.course(world.hr)
    helpers.assign(world.hr, course, person_id=world.agent_b1.id)
    assert people_reached(course.id, world) == {world.agent_b1.id}
    world.agent_b1.is_active = False
    db.session.commit()
    assert people_reached(course.id, world) == set()


def test_the_earliest_due_date_applies_and_cancelled_assignments_do_not(app, world):
    course = helpers.course(world.hr)
    helpers.assign(world.hr, course, due_on=date(2026, 12, 31), team_id=world.team_a.id)
    early = helpers.assign(world.hr, course, due_on=date(2026, 11, 1), person_id=world.agent_a1.id)
    [item] = items_for([world.agent_a1.id])
    assert item.due_on == date(2026, 11, 1) and item.standing.status == Status.OVERDUE
    assignments.cancel_assignment(early, world.hr)
    [item] = items_for([world.agent_a1.id])
    assert item.due_on == date(2026, 12, 31) and item.standing.status == Status.DUE


def test_assigned_people_are_notified(app, world):
    course = helpers.course(world.hr)
    assignment = helpers.assign(world.hr, course, team_id=world.team_b.id)
    notified = set(
        db.session.scalars(
            select(Notification.person_id).where(
                Notification.kind == "training.assigned", Notification.record_id == assignment.id
            )
        )
    )
    assert notified == {world.sup_b.id, world.agent_b1.id}


def test_a_double_submitted_assignment_is_one_record(app, world):
    course = helpers.course(world.hr)
    audience = Audience(team_id=world.team_a.id)
    first = assignments.create_assignment(world.hr, course, audience, TODAY, "tok-1", url="/")
    second = assignments.create_assignment(world.hr, course, audience, TODAY, "tok-1", url="/")
    assert first.id == second.id
    assert db.session.scalar(select(db.func.count()).select_from(Assignment)) == 1


def test_a_trainer_assigns_only_inside_their_grants(app, world):
    course = helpers.course(world.trainer)
    helpers.assign(world.trainer, course, team_id=world.team_c.id)  # team C is in JP
    helpers.assign(world.trainer, course, market_id=world.jp.id)
    helpers.assign(world.trainer, course, person_id=world.agent_c1.id)
    for audience in (
        dict(team_id=world.team_a.id),
        dict(market_id=world.hk.id),
        dict(person_id=world.agent_a1.id),
        dict(position_id=world.agent_a1.position_id),
    ):
        with pytest.raises(Forbidden):
            helpers.assign(world.trainer, course, **audience)


def test_assign_page_creates_an_assignment_and_rejects_bad_input_keeping_it(app, client, world):
    course = helpers.course(world.trainer)
    as_user(client, world.trainer)
    page = client.get(f"/training/courses/{course.id}/assign").get_data(as_text=True)
    assert 'name="token"' in page
    bad = post_form(
        client,
        f"/training/courses/{course.id}/assign",
        {"employee_id": "W-A1", "due_on": "2026-12-01", "token": "t1"},
    )
    assert bad.status_code == 422
    assert 'value="W-A1"' in bad.get_data(as_text=True)  # kept, and refused: A1 is out of reach
    ok = post_form(
        client,
        f"/training/courses/{course.id}/assign",
        {"team": str(world.team_c.id), "due_on": "2026-12-01", "token": "t2"},
    )
    assert ok.status_code == 303
    again = post_form(
        client,
        f"/training/courses/{course.id}/assign",
        {"team": str(world.team_c.id), "due_on": "2026-12-01", "token": "t2"},
    )
    assert again.headers["Location"] == ok.headers["Location"]


@pytest.fixture
def overdue_a1(world):
    course = helpers.course(world.hr, title="Compliance MK-COMPLIANCE")
    helpers.assign(world.hr, course, due_on=date(2020, 1, 1), person_id=world.agent_a1.id)
    return course


def test_overdue_shows_to_the_person(app, client, world, overdue_a1):
    as_user(client, world.agent_a1)
    body = client.get("/training/").get_data(as_text=True)
    assert "Compliance MK-COMPLIANCE" in body and "Overdue" in body
    assert "1 course is overdue" in body


def test_overdue_shows_to_the_supervisor_and_manager_in_the_team_view(
    app, client, world, overdue_a1
):
    for person in (world.sup_a, world.manager_hk, world.hr):
        as_user(client, person)
        body = client.get("/training/team").get_data(as_text=True)
        assert "MK-A1" in body and "Compliance MK-COMPLIANCE" in body, person.name


def test_other_supervisors_peers_and_other_trainers_do_not_see_it(app, client, world, overdue_a1):
    as_user(client, world.sup_b)
    assert "MK-A1" not in client.get("/training/team").get_data(as_text=True)
    as_user(client, world.trainer)  # granted JP only
    assert "MK-A1" not in client.get("/training/team").get_data(as_text=True)
    assert client.get(f"/training/people/{world.agent_a1.id}").status_code == 404
    as_user(client, world.agent_a2)
    assert client.get(f"/training/people/{world.agent_a1.id}").status_code == 404
    assert client.get("/training/team").status_code == 403


def test_the_trainer_sees_overdue_in_their_market(app, client, world):
    course = helpers.course(world.trainer, title="JP onboarding")
    helpers.assign(world.trainer, course, due_on=date(2020, 1, 1), team_id=world.team_c.id)
    as_user(client, world.trainer)
    body = client.get("/training/team").get_data(as_text=True)
    assert "MK-C1" in body and "Overdue" in body
    detail = client.get("/training/assignments").get_data(as_text=True)
    assert "2 overdue" in detail  # sup C and agent C1


def test_the_matrix_totals_count_everyone_followed_not_only_the_page(
    app, client, world, monkeypatch
):
    course = helpers.course(world.hr, title="Paged MK-PAGED")
    helpers.assign(world.hr, course, due_on=date(2020, 1, 1), team_id=world.team_a.id)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    as_user(client, world.manager_hk)
    body = client.get(f"/training/team?team={world.team_a.id}").get_data(as_text=True)
    assert "0 completed, 0 due, 1 overdue (n = 1)" in body  # the page: one person
    assert "0 completed, 0 due, 3 overdue (n = 3)" in body  # sup A, A1 and A2


def test_agents_see_only_their_own_record(app, client, world):
    assert policy.can(world.agent_a1, "training.team_view") is False
    as_user(client, world.agent_a1)
    assert client.get(f"/training/people/{world.agent_a1.id}").status_code == 200
    assert client.get(f"/training/people/{world.agent_a2.id}").status_code == 404


def test_self_reported_and_trainer_confirmed_completion(app, client, world):
    elearning = helpers.course(world.trainer, title="E")
    classroom = helpers.course(world.trainer, title="C", kind="classroom")
    for c in (elearning, classroom):
        helpers.assign(world.trainer, c, due_on=date(2020, 1, 1), person_id=world.agent_c1.id)
    as_user(client, world.agent_c1)
    assert post_form(client, f"/training/courses/{elearning.id}/complete").status_code == 303
    assert post_form(client, f"/training/courses/{classroom.id}/complete").status_code == 409
    as_user(client, world.trainer)
    r = post_form(client, f"/training/courses/{classroom.id}/people/{world.agent_c1.id}/confirm")
    assert r.status_code == 303
    statuses = {i.course_title: i.standing.status for i in items_for([world.agent_c1.id])}
    assert statuses == {"E": Status.COMPLETED, "C": Status.COMPLETED}


def test_team_matrix_export_lists_mandatory_courses(app, client, world, overdue_a1):
    as_user(client, world.sup_a)
    r = client.get("/training/team/export.csv")
    text = r.get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff").startswith("Person,")
    assert "Compliance MK-COMPLIANCE" in text.splitlines()[0]
    assert any("MK-A1" in line and "overdue" in line for line in text.splitlines())
    in_language(client, "ja")  # the header follows the reader's language
    header = client.get("/training/team/export.csv").get_data(as_text=True).splitlines()[0]
    assert (
        not header.lstrip("\ufeff").startswith("Person,") and "Compliance MK-COMPLIANCE" in header
    )
    in_language(client, "en")
    xlsx = client.get("/training/team/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "Compliance MK-COMPLIANCE" in strings and "MK-A1" in strings
    assert client.get("/training/team/export.pdf").status_code == 404


def test_overdue_notices_reach_the_person_their_supervisor_and_the_trainer_once(app, world):
    course = helpers.course(world.trainer, title="Late course")
    helpers.assign(world.trainer, course, due_on=date(2026, 11, 1), person_id=world.agent_c1.id)
    helpers.assign(world.trainer, course, due_on=date(2026, 12, 31), person_id=world.sup_c.id)
    assert assignments.send_overdue_notices(TODAY) == 3
    assert assignments.send_overdue_notices(TODAY) == 0
    rows = db.session.execute(
        select(Notification.person_id, Notification.kind).where(
            Notification.kind.in_(["training.overdue", "training.overdue_report"])
        )
    ).all()
    assert sorted(rows) == sorted(
        [
            (world.agent_c1.id, "training.overdue"),
            (world.sup_c.id, "training.overdue_report"),
            (world.trainer.id, "training.overdue_report"),
        ]
    )


def test_the_reminders_command_runs(app, world):
    result = app.test_cli_runner().invoke(args=["training", "reminders"])
    assert result.exit_code == 0 and "overdue notice" in result.output
