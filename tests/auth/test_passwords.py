"""Password strength rules and the change-password page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.auth import passwords
from portal.extensions import db
from tests import factories
from tests.conftest import login, post_form

GOOD = "Tidal-Lantern-82"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Sh0rt-pw", "at least 10 characters"),
        ("alllowercaseletters", "three of"),
        ("ALLUPPER1234", "three of"),
        ("lower-and-symbols!", "three of"),
        ("Password123", "too common"),
        ("Welcome123", "too common"),
        ("Xy7-jsmith-2026", "e-mail"),
        ("Xy7-Smithers-26", "name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    problems = passwords.strength_problems(
        password, email="jsmith@example.com", name="Joan Smithers"
    )
    assert any(problem in message for message in problems), problems


@pytest.mark.parametrize(
    "password", [GOOD, "correct horse Battery", "Ünïcode-passwörd-9", "7-Kilometres-of-Road"]
)
def test_strong_passwords_pass(password):
    assert passwords.strength_problems(password, email="jsmith@example.com", name="Joan") == []


def test_a_short_name_part_does_not_forbid_common_letters():
    assert (
        passwords.strength_problems("Tidal-Lantern-82", email="al@example.com", name="Al Li") == []
    )


def test_hashes_verify_only_the_right_password():
    hashed = passwords.hash_password(GOOD)
    assert hashed != GOOD
    assert passwords.verify_password(hashed, GOOD)
    assert not passwords.verify_password(hashed, GOOD.lower())
    assert not passwords.verify_password(None, GOOD)
    assert not passwords.verify_password("not-a-hash", GOOD)


def change(client, current: str, new: str, confirm: str | None = None):
    return post_form(
        client,
        "/auth/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_a_wrong_current_password_is_refused_with_a_clear_message(client, world):
    login(client, world.agent_a1)
    response = change(client, "not-my-password", GOOD)
    assert response.status_code == 422
    assert "That is not your password." in response.get_data(as_text=True)


def test_a_weak_new_password_is_refused_with_every_reason(client, world):
    login(client, world.agent_a1)
    response = change(client, factories.PASSWORD, "short")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use at least 10 characters." in html
    assert "Mix at least three of" in html
    assert 'aria-invalid="true"' in html


def test_a_new_password_containing_ones_name_is_refused(client, world):
    login(client, world.agent_a1)
    response = change(client, factories.PASSWORD, "Mk-A1-Supera-99")  # name is "A1 MK-A1"
    assert response.status_code == 422
    assert "Do not use your name in the password." in response.get_data(as_text=True)


def test_a_mistyped_repeat_is_refused(client, world):
    login(client, world.agent_a1)
    response = change(client, factories.PASSWORD, GOOD, confirm=GOOD + "x")
    assert response.status_code == 422
    assert "The passwords differ." in response.get_data(as_text=True)


def test_an_empty_form_is_refused_not_crashed(client, world):
    login(client, world.agent_a1)
    response = change(client, "", "", "")
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_a_refused_change_keeps_the_old_password(app, client, world):
    login(client, world.agent_a1)
    change(client, factories.PASSWORD, "short")
    assert login(app.test_client(), world.agent_a1).status_code == 303


def test_a_good_change_works_and_is_audited_without_the_password(app, client, world):
    login(client, world.agent_a1)
    response = change(client, factories.PASSWORD, GOOD)
    assert response.status_code == 303
    assert login(app.test_client(), world.agent_a1, password=GOOD).status_code == 303
    assert login(app.test_client(), world.agent_a1).status_code == 422
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "auth.password_change")
    ).scalar_one()
    assert entry.record_id == world.agent_a1.id
    assert GOOD not in repr((entry.before, entry.after))
