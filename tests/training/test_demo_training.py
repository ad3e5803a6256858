"""The demo shows training and recognition: the general knowledge assessment with attempts,
overdue mandatory training, classroom sessions, kudos; its pages open for the demo sign-ins."""

from sqlalchemy import func, select

from portal.demo import load
from portal.extensions import db
from portal.org.models import Person
from portal.training.models import AssessmentAttempt, Course, Kudos, RecognitionProgramme
from tests.conftest import as_user, in_language


def by_local(local):
    return db.session.execute(
        select(Person).where(Person.email == load.login_email(local))
    ).scalar_one()


def test_demo_training_section(app, client):
    assert load.load_demo(if_empty=True)
    gk = db.session.execute(
        select(Course).where(Course.title == "General knowledge assessment")
    ).scalar_one()
    assert len(gk.questions) == 8 and gk.pass_mark == 75
    failed_then_passed = db.session.scalar(
        select(func.count()).where(AssessmentAttempt.number == 2, AssessmentAttempt.is_passed)
    )
    assert failed_then_passed > 0
    assert db.session.scalar(select(func.count()).select_from(Kudos)) > 20

    as_user(client, by_local("supervisor.hk"))
    in_language(client, "en")
    team = client.get("/training/team").get_data(as_text=True)
    assert "Overdue" in team and "General knowledge assessment" in team
    as_user(client, by_local("trainer"))
    in_language(client, "en")
    for url in ("/training/team", "/training/assignments", f"/training/courses/{gk.id}",
                "/training/skill-gaps", "/training/courses"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    as_user(client, by_local("agent.hk"))
    in_language(client, "en")
    mine = client.get("/training/").get_data(as_text=True)
    assert "General knowledge assessment" in mine
    assert client.get("/recognition/").status_code == 200
    assert "Payments compliance" in mine  # an expiring certification
    as_user(client, by_local("manager.hk"))
    in_language(client, "en")
    body = client.get("/recognition/programmes").get_data(as_text=True)
    assert "star of the month" in body
    programme_id = db.session.scalar(
        select(RecognitionProgramme.id).order_by(RecognitionProgramme.id)
    )
    detail = client.get(f"/recognition/programmes/{programme_id}").get_data(as_text=True)
    assert "Past winners" in detail and "Pick as winner" in detail
