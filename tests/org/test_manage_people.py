"""HR adds, edits, moves, deactivates and reactivates people; everyone else is refused."""

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.org.models import Person
from tests.conftest import as_user, login, post_form
from tests.factories import PASSWORD
from tests.org.helpers import audit_entries


def person_data(world, **overrides) -> dict:
    data = {
        "name": "新人 MK-NEW",
        "name_romanised": "San Jen",
        "email": "new.person@world.example.com",
        "employee_id": "W-NEW",
        "position_id": str(world.agent_a1.position_id),
        "hire_on": "2025-02-03",
        "position_since_on": "2025-02-03",
        "market_id": str(world.hk.id),
        "segment_id": str(world.small.id),
        "team_id": str(world.team_a.id),
        "locale": "zh_Hant",
        "time_zone": "Asia/Hong_Kong",
        "manager": "supa@world.example.com",
        "password": "",
    }
    data.update(overrides)
    return data


def by_email(email: str) -> Person | None:
    db.session.expire_all()
    stmt = select(Person).where(func.lower(Person.email) == email.lower())
    return db.session.execute(stmt).scalar_one_or_none()


def test_hr_adds_a_person_under_a_manager_and_it_is_audited(client, world):
    as_user(client, world.hr)
    response = post_form(client, "/org/people/new", person_data(world))
    person = by_email("new.person@world.example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/org/people/{person.id}"
    assert person.manager_id == world.sup_a.id
    assert person.path == world.sup_a.path + f"{person.id}/"
    assert person.hire_on == date(2025, 2, 3) and person.locale == "zh_Hant"
    assert person.password_hash is None
    (entry,) = audit_entries("person.create")
    assert entry.actor_id == world.hr.id and entry.record_id == person.id
    assert entry.after["email"] == "new.person@world.example.com"


def test_hr_can_set_an_initial_password_that_then_signs_in(client, app, world):
    as_user(client, world.hr)
    data = person_data(world, password="Tiger-Lily-2025!")
    assert post_form(client, "/org/people/new", data).status_code == 303
    fresh = app.test_client()
    assert login(fresh, by_email(data["email"]), password="Tiger-Lily-2025!").status_code == 303


def test_a_weak_initial_password_is_refused(client, world):
    as_user(client, world.hr)
    response = post_form(client, "/org/people/new", person_data(world, password="short"))
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert by_email("new.person@world.example.com") is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "A1@World.Example.com"}, "Someone else already has this e-mail."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"employee_id": "W-A1"}, "Someone else already has this employee ID."),
        ({"time_zone": "Mars/Olympus"}, "Use a time zone name like Asia/Hong_Kong or UTC."),
        ({"locale": "fr"}, "Not a valid choice."),
        ({"position_since_on": "2024-01-01"}, "cannot be before the hire date."),
        ({"hire_on": "1850-01-01"}, "Use a date between"),
        ({"manager": "nobody@world.example.com"}, "No one has this e-mail or employee ID."),
        ({"position_id": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_field_message_and_typed_values_kept(
    client, world, overrides, message
):
    as_user(client, world.hr)
    data = person_data(world, **overrides)
    response = post_form(client, "/org/people/new", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text
    assert 'value="新人 MK-NEW"' in text
    assert by_email("new.person@world.example.com") is None


def test_over_htmx_a_failed_save_answers_only_the_form_and_success_redirects(client, world):
    as_user(client, world.hr)
    headers = {"HX-Request": "true"}
    bad = post_form(client, "/org/people/new", person_data(world, name=""), headers=headers)
    assert bad.status_code == 422
    assert bad.get_data(as_text=True).lstrip().startswith('<form id="person-form"')
    good = post_form(client, "/org/people/new", person_data(world), headers=headers)
    assert good.status_code == 204
    assert good.headers["HX-Redirect"].startswith("/org/people/")


def edit_data(person: Person, **overrides) -> dict:
    data = {
        "name": person.name,
        "name_romanised": person.name_romanised or "",
        "email": person.email,
        "employee_id": person.employee_id,
        "position_id": str(person.position_id),
        "hire_on": person.hire_on.isoformat() if person.hire_on else "",
        "position_since_on": person.position_since_on.isoformat(),
        "market_id": str(person.market_id or ""),
        "segment_id": str(person.segment_id or ""),
        "team_id": str(person.team_id or ""),
        "locale": person.locale,
        "time_zone": person.time_zone,
        "version": str(person.version),
    }
    data.update(overrides)
    return data


def test_hr_edits_a_person_and_the_change_is_audited_before_and_after(client, world):
    as_user(client, world.hr)
    agent = world.agent_a1
    page = client.get(f"/org/people/{agent.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{agent.version}"' in page
    data = edit_data(agent, name="A1 Renamed MK-A1", segment_id=str(world.vip.id))
    response = post_form(client, f"/org/people/{agent.id}/edit", data)
    assert response.status_code == 303
    db.session.refresh(agent)
    assert agent.name == "A1 Renamed MK-A1" and agent.segment_id == world.vip.id
    (entry,) = audit_entries("person.edit")
    assert entry.before == {"name": "A1 MK-A1", "segment_id": world.small.id}
    assert entry.after == {"name": "A1 Renamed MK-A1", "segment_id": world.vip.id}


def test_a_stale_edit_is_refused_with_a_conflict_and_keeps_what_was_typed(client, world):
    as_user(client, world.hr)
    agent = world.agent_a1
    stale = edit_data(agent, name="Typed by me MK-A1")
    # Someone else saves first.
    first = post_form(client, f"/org/people/{agent.id}/edit", edit_data(agent, name="Theirs"))
    assert first.status_code == 303
    response = post_form(client, f"/org/people/{agent.id}/edit", stale)
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this record" in text
    assert 'value="Typed by me MK-A1"' in text
    assert "Theirs" in text  # what is saved now is shown beside the form
    db.session.refresh(agent)
    assert agent.name == "Theirs"
    # The form now carries the current version: saving again deliberately overwrites.
    assert f'name="version" type="hidden" value="{agent.version}"' in text
    again = post_form(client, f"/org/people/{agent.id}/edit", dict(stale, version=agent.version))
    assert again.status_code == 303
    db.session.refresh(agent)
    assert agent.name == "Typed by me MK-A1"


def test_hr_moves_a_person_with_their_subtree_and_the_move_is_audited(client, world):
    as_user(client, world.hr)
    sup_a = world.sup_a
    response = post_form(client, f"/org/people/{sup_a.id}/move", {"manager": "W-MGRJP"})
    assert response.status_code == 303
    db.session.expire_all()
    assert sup_a.manager_id == world.manager_jp.id
    assert world.agent_a1.path.startswith(world.manager_jp.path)
    (entry,) = audit_entries("person.move")
    assert entry.before == {"manager_id": world.manager_hk.id}
    assert entry.after == {"manager_id": world.manager_jp.id}


def test_a_move_under_ones_own_report_is_refused_with_a_field_error(client, world):
    as_user(client, world.hr)
    response = post_form(
        client, f"/org/people/{world.manager_hk.id}/move", {"manager": "a1@world.example.com"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot report to themselves or to anyone who reports to them" in text
    assert 'value="a1@world.example.com"' in text
    db.session.expire_all()
    assert world.manager_hk.manager_id == world.head.id
    assert audit_entries("person.move") == []


def test_deactivation_ends_sessions_blocks_sign_in_and_keeps_the_person(client, app, world):
    agent_browser = app.test_client()
    assert login(agent_browser, world.agent_a1).status_code == 303
    assert agent_browser.get("/").status_code == 200
    as_user(client, world.hr)
    page = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    assert "data-confirm=" in page
    response = post_form(client, f"/org/people/{world.agent_a1.id}/deactivate")
    assert response.status_code == 303
    db.session.expire_all()
    agent = world.agent_a1
    assert agent.is_active is False and agent.deactivated_at is not None
    # The open session cookie stops working, and signing in again fails.
    assert agent_browser.get("/").status_code == 302
    assert login(app.test_client(), agent, password=PASSWORD).status_code == 422
    (entry,) = audit_entries("person.deactivate")
    assert entry.before["is_active"] is True and entry.after["is_active"] is False
    assert entry.after["sessions_ended"] == 1
    # Still in the directory for HR, with history kept.
    listed = client.get("/org/people?status=inactive").get_data(as_text=True)
    assert "MK-A1" in listed


def test_hr_reactivates_a_person(client, app, world):
    as_user(client, world.hr)
    post_form(client, f"/org/people/{world.agent_a1.id}/deactivate")
    page = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    assert "Reactivate" in page and ">Deactivate<" not in page
    response = post_form(client, f"/org/people/{world.agent_a1.id}/reactivate")
    assert response.status_code == 303
    db.session.expire_all()
    assert world.agent_a1.is_active and world.agent_a1.deactivated_at is None
    assert len(audit_entries("person.reactivate")) == 1
    assert login(app.test_client(), world.agent_a1).status_code == 303


def test_hr_cannot_deactivate_themselves(client, world):
    as_user(client, world.hr)
    page = client.get(f"/org/people/{world.hr.id}").get_data(as_text=True)
    assert "/deactivate" not in page
    assert post_form(client, f"/org/people/{world.hr.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert world.hr.is_active


@pytest.mark.parametrize(
    ("role", "method", "url", "status"),
    [
        ("sup_a", "get", "/org/people/new", 403),
        ("sup_a", "post", "/org/people/new", 403),
        ("sup_a", "get", "/org/people/{agent_a1}/edit", 403),
        ("sup_a", "post", "/org/people/{agent_a1}/move", 403),
        ("sup_a", "post", "/org/people/{agent_a1}/deactivate", 403),
        ("sup_a", "post", "/org/people/{agent_a1}/reactivate", 403),
        ("sup_a", "get", "/org/people/{agent_b1}/edit", 404),
        ("agent_a1", "get", "/org/people/{agent_a1}/edit", 403),
        ("agent_a1", "post", "/org/people/{agent_a2}/deactivate", 404),
        ("manager_hk", "get", "/org/people/import", 403),
        ("manager_hk", "get", "/org/people/import-template.csv", 403),
        ("qa", "get", "/org/people/{agent_a1}/move", 403),
    ],
)
def test_hr_pages_refuse_everyone_else(client, world, role, method, url, status):
    as_user(client, getattr(world, role))
    target = url.format(
        agent_a1=world.agent_a1.id, agent_a2=world.agent_a2.id, agent_b1=world.agent_b1.id
    )
    if method == "get":
        response = client.get(target)
    else:
        response = post_form(client, target, person_data(world))
    assert response.status_code == status
    db.session.expire_all()
    assert world.agent_a1.is_active and by_email("new.person@world.example.com") is None


def test_profile_shows_actions_only_to_hr(client, world):
    as_user(client, world.sup_a)
    page = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    assert "/edit" not in page and "/move" not in page and "/deactivate" not in page
    as_user(client, world.hr)
    page = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    assert f"/org/people/{world.agent_a1.id}/edit" in page
    assert f"/org/people/{world.agent_a1.id}/move" in page
    assert f"/org/people/{world.agent_a1.id}/deactivate" in page
