"""The password change is throttled like sign-in: wrong current passwords count per account
and per address (one budget shared with sign-in), and over the limit the answer is 429."""

from __future__ import annotations

from limits import parse

from portal.auth import passwords
from portal.extensions import db
from tests import factories
from tests.conftest import as_user, login, post_form
from tests.factories import PersonFactory

WRONG = "Wrong-Password-1"
NEW = "Tidal-Lantern-82"


def allowed(app, setting: str) -> int:
    return parse(app.config[setting]).amount


def change(client, current: str, new: str = NEW, remote_addr: str | None = None):
    kwargs = {"environ_base": {"REMOTE_ADDR": remote_addr}} if remote_addr else {}
    return post_form(
        client,
        "/auth/password",
        {"current_password": current, "new_password": new, "confirm_password": new},
        **kwargs,
    )


def password_is(person, password: str) -> bool:
    db.session.expire_all()
    return passwords.verify_password(person.password_hash, password)


def test_after_the_allowed_wrong_guesses_even_the_right_password_is_refused(app, client, world):
    as_user(client, world.agent_a1)
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")):
        assert change(client, WRONG).status_code == 422
    response = change(client, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert password_is(world.agent_a1, factories.PASSWORD), "the password did not change"


def test_a_weak_or_mistyped_new_password_does_not_count(app, client, world):
    as_user(client, world.agent_a1)
    limit = max(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT"), allowed(app, "LOGIN_LIMIT_PER_ADDRESS"))
    for _ in range(limit + 2):
        assert change(client, factories.PASSWORD, "short").status_code == 422
    assert change(client, factories.PASSWORD).status_code == 303
    assert password_is(world.agent_a1, NEW)


def test_the_guesses_share_one_budget_with_sign_in(app, client, world):
    """Wrong passwords at sign-in and in the change count together, both ways."""
    limit = allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")
    as_user(client, world.agent_a1)
    for _ in range(limit - 1):
        assert change(client, WRONG).status_code == 422
    assert login(app.test_client(), world.agent_a1, password=WRONG).status_code == 422
    assert login(app.test_client(), world.agent_a1).status_code == 429
    assert change(client, factories.PASSWORD).status_code == 429


def test_wrong_sign_ins_count_towards_the_change(app, client, world):
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")):
        assert login(app.test_client(), world.agent_a2, password=WRONG).status_code == 422
    as_user(client, world.agent_a2)
    assert change(client, factories.PASSWORD).status_code == 429


def test_another_account_still_changes_its_password(app, world):
    attacker, colleague = app.test_client(), app.test_client()
    as_user(attacker, world.agent_a1)
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")):
        change(attacker, WRONG)
    assert change(attacker, factories.PASSWORD).status_code == 429
    as_user(colleague, world.agent_a2)
    assert change(colleague, factories.PASSWORD).status_code == 303


def test_the_address_is_refused_after_its_limit_across_accounts(app, world):
    per_account = allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")
    per_address = allowed(app, "LOGIN_LIMIT_PER_ADDRESS")
    # Spread the failures so that no single account reaches its own limit.
    victims = [PersonFactory() for _ in range(per_address // (per_account - 1) + 1)]
    failures = 0
    for victim in victims:
        client = as_user(app.test_client(), victim)
        for _ in range(per_account - 1):
            if failures < per_address:
                assert change(client, WRONG).status_code == 422
                failures += 1
    fresh = as_user(app.test_client(), PersonFactory())
    assert change(fresh, factories.PASSWORD).status_code == 429
    assert change(fresh, factories.PASSWORD, remote_addr="192.0.2.44").status_code == 303, (
        "another address is not affected"
    )


def test_the_form_still_opens_over_the_limit(app, client, world):
    as_user(client, world.agent_a1)
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")):
        change(client, WRONG)
    assert client.get("/auth/password").status_code == 200
