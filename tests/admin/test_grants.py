"""HR manages staff grants: scoped QA analysts and trainers, unscoped HR admins."""

from __future__ import annotations

from sqlalchemy import select

from portal import policy
from portal.audit import AuditEntry
from portal.extensions import db
from portal.org.models import Grant
from tests.conftest import as_user, post_form
from tests.factories import GrantFactory


def grants_of(person) -> list[tuple[str, int | None, int | None]]:
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(Grant.role, Grant.team_id, Grant.market_id).where(Grant.person_id == person.id)
        ).all(),
        key=str,
    )


def add(client, person: str, role: str, team_id="", market_id="", **kwargs):
    data = {"person": person, "role": role, "team_id": team_id, "market_id": market_id}
    return post_form(client, "/admin/grants", data, **kwargs)


def test_hr_sees_every_grant_with_its_scope(client, world):
    as_user(client, world.hr)
    response = client.get("/admin/grants")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "MK-QA" in html and "Team A (HK)" in html
    assert "MK-TRAINER" in html and "Japan" in html
    assert "MK-HR" in html and "Everyone" in html
    assert html.count("data-confirm=") == 3


def test_hr_grants_a_qa_analyst_a_team_and_it_takes_effect(client, world):
    as_user(client, world.hr)
    assert world.agent_b1.id not in visible_ids(world.agent_a1)
    response = add(client, world.agent_a1.email.upper(), "qa_analyst", team_id=world.team_b.id)
    assert response.status_code == 303
    assert grants_of(world.agent_a1) == [("qa_analyst", world.team_b.id, None)]
    assert world.agent_b1.id in visible_ids(world.agent_a1)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "grant.create")
    ).scalar_one()
    assert entry.actor_id == world.hr.id and entry.record_type == "staff_grant"
    assert entry.after == {
        "person_id": world.agent_a1.id,
        "role": "qa_analyst",
        "team_id": world.team_b.id,
        "market_id": None,
    }


def visible_ids(viewer) -> set[int]:
    return set(db.session.execute(policy.visible_person_ids(viewer)).scalars())


def test_a_trainer_can_be_scoped_to_a_market_by_employee_id(client, world):
    as_user(client, world.hr)
    response = add(client, "w-a2", "trainer", market_id=world.hk.id)
    assert response.status_code == 303
    assert grants_of(world.agent_a2) == [("trainer", None, world.hk.id)]


def test_an_hr_admin_grant_is_unscoped(client, world):
    as_user(client, world.hr)
    assert add(client, world.sup_c.email, "hr_admin").status_code == 303
    assert grants_of(world.sup_c) == [("hr_admin", None, None)]
    scoped = add(client, world.sup_b.email, "hr_admin", team_id=world.team_a.id)
    assert scoped.status_code == 422
    assert "leave the scope empty" in scoped.get_data(as_text=True)


def test_a_scoped_role_needs_exactly_one_scope(client, world):
    as_user(client, world.hr)
    for team_id, market_id in (("", ""), (world.team_a.id, world.hk.id)):
        response = add(client, world.agent_a1.email, "trainer", team_id, market_id)
        assert response.status_code == 422
        assert "Choose either a team or a market" in response.get_data(as_text=True)
    assert grants_of(world.agent_a1) == []


def test_a_duplicate_is_refused_with_a_clear_message_and_the_input_kept(client, world):
    as_user(client, world.hr)
    response = add(
        client,
        world.qa.email,
        "qa_analyst",
        team_id=world.team_a.id,
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Qa MK-QA already holds this grant." in html
    assert html.lstrip().startswith('<form id="grant_form"'), "htmx gets the form fragment"
    assert f'value="{world.qa.email}"' in html
    assert f'<option selected value="{world.team_a.id}">' in html
    duplicate_hr = add(client, world.hr.email, "hr_admin")
    assert duplicate_hr.status_code == 422
    assert len(grants_of(world.hr)) == 1


def test_an_unknown_or_deactivated_person_is_refused(client, world):
    as_user(client, world.hr)
    unknown = add(client, "nobody@example.com", "hr_admin")
    assert unknown.status_code == 422
    assert "No one has that e-mail address or employee id." in unknown.get_data(as_text=True)
    world.agent_c1.is_active = False
    db.session.commit()
    inactive = add(client, world.agent_c1.email, "hr_admin")
    assert inactive.status_code == 422
    assert "deactivated" in inactive.get_data(as_text=True)


def test_bad_choices_are_refused_not_crashed(client, world):
    as_user(client, world.hr)
    for data in (
        {"role": "superuser"},
        {"role": "trainer", "team_id": "999999"},
        {"role": "trainer", "team_id": "abc"},
        {"role": ""},
    ):
        response = add(client, world.agent_a1.email, **{"team_id": "", **data})
        assert response.status_code == 422, data
    assert grants_of(world.agent_a1) == []


def test_hr_removes_a_grant_and_it_is_audited(client, world):
    as_user(client, world.hr)
    (grant_id,) = db.session.execute(
        select(Grant.id).where(Grant.person_id == world.qa.id)
    ).scalars()
    response = post_form(client, f"/admin/grants/{grant_id}/delete")
    assert response.status_code == 303
    assert grants_of(world.qa) == []
    assert world.agent_a1.id not in visible_ids(world.qa)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "grant.delete")
    ).scalar_one()
    assert entry.record_id == grant_id and entry.before["role"] == "qa_analyst"
    assert post_form(client, f"/admin/grants/{grant_id}/delete").status_code == 404


def test_the_last_hr_admin_cannot_remove_their_own_grant(client, world):
    as_user(client, world.hr)
    (grant_id,) = db.session.execute(
        select(Grant.id).where(Grant.person_id == world.hr.id)
    ).scalars()
    response = post_form(client, f"/admin/grants/{grant_id}/delete")
    assert response.status_code == 409
    assert "You are the last HR admin" in response.get_data(as_text=True)
    assert grants_of(world.hr) == [("hr_admin", None, None)]


def test_an_hr_admin_can_step_down_when_another_remains(client, world):
    GrantFactory(person=world.head, role="hr_admin")
    as_user(client, world.hr)
    (grant_id,) = db.session.execute(
        select(Grant.id).where(Grant.person_id == world.hr.id)
    ).scalars()
    assert post_form(client, f"/admin/grants/{grant_id}/delete").status_code == 303
    assert grants_of(world.hr) == []
    assert client.get("/admin/grants").status_code == 403, "no longer HR"


def test_a_deactivated_hr_admin_does_not_count_as_another(client, world):
    other = GrantFactory(person=world.head, role="hr_admin")
    world.head.is_active = False
    db.session.commit()
    as_user(client, world.hr)
    (grant_id,) = db.session.execute(
        select(Grant.id).where(Grant.person_id == world.hr.id, Grant.id != other.id)
    ).scalars()
    assert post_form(client, f"/admin/grants/{grant_id}/delete").status_code == 409


def test_only_hr_may_see_or_change_grants(client, world):
    (grant_id,) = db.session.execute(
        select(Grant.id).where(Grant.person_id == world.qa.id)
    ).scalars()
    for person in (world.head, world.qa, world.trainer, world.agent_a1):
        as_user(client, person)
        assert client.get("/admin/grants").status_code == 403
        assert add(client, person.email, "hr_admin").status_code == 403
        assert post_form(client, f"/admin/grants/{grant_id}/delete").status_code == 403
    assert grants_of(world.head) == [] and len(grants_of(world.qa)) == 1
