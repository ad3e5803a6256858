"""Personal access tokens: issue, verify, revoke, expiry, audit and the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.api import tokens
from portal.api.models import ApiToken
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db
from tests.api.conftest import make_token


def _audits(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def test_issue_stores_only_the_hash_and_shows_a_prefix(world):
    token, secret = tokens.issue(world.agent_a1, "crm", "people:read,org:read")
    assert secret.startswith(token.prefix + "_")
    assert token.prefix.startswith("pat_") and len(token.prefix) == 12
    assert token.secret_hash == tokens.hash_secret(secret)
    assert secret not in token.secret_hash
    assert token.scopes == "org:read people:read"
    assert token.expires_at - token.created_at == timedelta(days=tokens.DEFAULT_DAYS)
    created = _audits("api_token.create")
    assert created[-1].record_id == token.id
    assert created[-1].actor_id == world.agent_a1.id
    assert "secret_hash" not in (created[-1].after or {})
    assert secret not in str(created[-1].after)


def test_verify_accepts_a_valid_secret_and_remembers_its_use(world):
    token, secret = tokens.issue(world.agent_a1, "crm", ["people:read"], days=7)
    now = utcnow()
    assert tokens.verify(secret, now, "10.0.0.1") is token
    assert token.last_used_at == now and token.last_used_address == "10.0.0.1"


@pytest.mark.parametrize("secret", [None, "", "nope", "pat_00000000_wrong"])
def test_verify_refuses_an_unknown_secret_and_audits_it(world, secret):
    before = len(_audits("api_token.denied"))
    assert tokens.verify(secret, utcnow()) is None
    denied = _audits("api_token.denied")
    assert len(denied) == before + 1
    assert denied[-1].after["reason"] == "unknown"


def test_an_expired_token_is_refused_and_audited(world):
    token, secret = tokens.issue(world.agent_a1, "crm", ["people:read"], days=1)
    assert tokens.verify(secret, utcnow() + timedelta(days=1, seconds=1)) is None
    denied = _audits("api_token.denied")[-1]
    assert denied.record_id == token.id
    assert denied.after["reason"] == "expired"
    assert denied.actor_id == world.agent_a1.id


def test_a_revoked_token_is_refused_and_both_are_audited(world):
    token, secret = tokens.issue(world.agent_a1, "crm", ["people:read"])
    tokens.revoke(world.hr, token)
    assert token.revoked_at is not None and token.revoked_by_id == world.hr.id
    revoked = _audits("api_token.revoke")[-1]
    assert revoked.record_id == token.id and revoked.actor_id == world.hr.id
    tokens.revoke(world.hr, token)  # again: nothing new
    assert len(_audits("api_token.revoke")) == 1
    assert tokens.verify(secret, utcnow()) is None
    assert _audits("api_token.denied")[-1].after["reason"] == "revoked"


def test_a_deactivated_persons_token_is_refused(world):
    _token, secret = tokens.issue(world.agent_a1, "crm", ["people:read"])
    world.agent_a1.is_active = False
    db.session.flush()
    assert tokens.verify(secret, utcnow()) is None
    assert _audits("api_token.denied")[-1].after["reason"] == "person_inactive"


def test_only_an_active_person_may_hold_a_token(world):
    world.agent_a2.is_active = False
    db.session.flush()
    with pytest.raises(tokens.TokenError):
        tokens.issue(world.agent_a2, "crm", ["people:read"])
    with pytest.raises(tokens.TokenError):
        tokens.issue(world.hk, "crm", ["people:read"])


@pytest.mark.parametrize("scopes", ["", "people:admin", "people:read,nope"])
def test_unknown_or_missing_scopes_are_refused(world, scopes):
    with pytest.raises(tokens.TokenError):
        tokens.issue(world.agent_a1, "crm", scopes)


@pytest.mark.parametrize("days", [0, -1, tokens.MAX_DAYS + 1])
def test_a_lifetime_out_of_range_is_refused(world, days):
    with pytest.raises(tokens.TokenError):
        tokens.issue(world.agent_a1, "crm", ["people:read"], days)


def test_the_scopes_are_one_list_per_area_read_and_write():
    assert "people:read" in tokens.SCOPES and "kpis:write" in tokens.SCOPES
    assert len(tokens.SCOPES) == 2 * len(tokens.SCOPE_AREAS)


def test_flask_tokens_create_prints_a_working_secret(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "tokens",
            "create",
            "--person",
            world.sup_a.email.upper(),
            "--scope",
            "people:read,org:read",
            "--days",
            "30",
            "--name",
            "bi",
        ]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    token = tokens.verify(secret, utcnow())
    assert token is not None and token.person_id == world.sup_a.id
    assert token.name == "bi" and token.scope_set == {"people:read", "org:read"}
    assert (token.expires_at - token.created_at).days == 30


def test_flask_tokens_create_refuses_an_unknown_person_or_scope(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tokens", "create", "--person", "no@x.test", "--scope", "org:read"]
    )
    assert result.exit_code != 0
    result = runner.invoke(
        args=["tokens", "create", "--person", world.sup_a.email, "--scope", "org:delete"]
    )
    assert result.exit_code != 0 and "unknown scope" in result.output
    assert db.session.execute(select(ApiToken)).first() is None


def test_make_token_helper_commits(world):
    assert tokens.lookup(make_token(world.hr)) is not None
