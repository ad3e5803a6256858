"""Sign-in throttling: failed attempts per account and per address; successes do not count."""

from __future__ import annotations

from limits import parse

from tests import factories
from tests.conftest import login
from tests.factories import PersonFactory

WRONG = "Wrong-Password-1"


def allowed(app, setting: str) -> int:
    return parse(app.config[setting]).amount


def test_after_the_allowed_failures_the_account_is_refused_even_with_the_right_password(
    app, client, world
):
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")):
        assert login(client, world.agent_a1, password=WRONG).status_code == 422
    response = login(client, world.agent_a1)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302, "not signed in"


def test_the_account_limit_ignores_the_e_mails_case(app, client, world):
    limit = allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")
    for _ in range(limit):
        login(client, world.agent_a1, password=WRONG)
    world.agent_a1.email = world.agent_a1.email.upper()
    assert login(client, world.agent_a1).status_code == 429


def test_another_account_from_the_same_address_still_signs_in(app, world):
    attacker, colleague = app.test_client(), app.test_client()
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")):
        login(attacker, world.agent_a1, password=WRONG)
    assert login(attacker, world.agent_a1).status_code == 429
    assert login(colleague, world.agent_a2).status_code == 303


def test_the_address_is_refused_after_its_limit_across_accounts(app, world):
    per_account = allowed(app, "LOGIN_LIMIT_PER_ACCOUNT")
    per_address = allowed(app, "LOGIN_LIMIT_PER_ADDRESS")
    # Spread the failures so that no single account reaches its own limit.
    victims = [PersonFactory() for _ in range(per_address // (per_account - 1) + 1)]
    failures = 0
    for victim in victims:
        for _ in range(per_account - 1):
            if failures < per_address:
                assert login(app.test_client(), victim, password=WRONG).status_code == 422
                failures += 1
    fresh = PersonFactory()
    assert login(app.test_client(), fresh).status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert login(elsewhere, fresh).status_code == 303, "another address is not affected"


def test_successful_sign_ins_do_not_count(app, world):
    limit = max(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT"), allowed(app, "LOGIN_LIMIT_PER_ADDRESS"))
    for _ in range(limit + 2):
        assert login(app.test_client(), world.agent_a1).status_code == 303
    # The failures allowed are all still there.
    client = app.test_client()
    for _ in range(allowed(app, "LOGIN_LIMIT_PER_ACCOUNT") - 1):
        assert login(client, world.agent_a1, password=WRONG).status_code == 422
    assert login(client, world.agent_a1, password=factories.PASSWORD).status_code == 303
