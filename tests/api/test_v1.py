"""/api/v1: bearer only, scopes, problem+json, keyset paging, visibility, OpenAPI, rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import policy
from portal.api import tokens
from portal.api.models import ApiToken
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Market, Person, Position, Segment, Team
from tests.api.conftest import bearer, make_token
from tests.conftest import as_user

PROBLEM = "application/problem+json"
READ_PATHS = (
    "/api/v1/people",
    "/api/v1/markets",
    "/api/v1/segments",
    "/api/v1/positions",
    "/api/v1/teams",
)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def _denied() -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == "api_token.denied")
    return list(db.session.execute(stmt.order_by(AuditEntry.id)).scalars())


# ---- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("path", READ_PATHS)
def test_no_token_is_401_problem(client, world, path):
    body = assert_problem(client.get(path), 401)
    assert "Bearer" in body["detail"]


def test_a_session_cookie_without_bearer_is_401(app, world):
    client = as_user(app.test_client(), world.hr)
    assert client.get("/auth/sessions").status_code == 200  # the cookie works on pages
    response = client.get("/api/v1/people")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_cookie_does_not_widen_a_token(app, world):
    """An agent's token with HR's cookie still sees only the agent's reach."""
    client = as_user(app.test_client(), world.hr)
    secret = make_token(world.agent_a1)
    response = client.get(f"/api/v1/people/{world.agent_a2.id}", headers=bearer(secret))
    assert_problem(response, 404)


def test_the_api_is_exempt_from_csrf(app, world, csrf_client):
    # No write endpoint yet: the blueprint is exempt, and a POST with a bearer and no CSRF
    # token reaches routing (405), not a CSRF refusal (400).
    assert app.blueprints["api_v1"] in app.extensions["csrf"]._exempt_blueprints
    secret = make_token(world.hr)
    response = csrf_client.post("/api/v1/people", headers=bearer(secret), json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("header", ["Bearer pat_00000000_nope", "Bearer ", "Basic abc", "pat_x"])
def test_a_bad_token_is_401(api_get, world, header, client):
    response = client.get("/api/v1/people", headers={"Authorization": header})
    assert_problem(response, 401)


def test_an_unknown_token_is_audited(client, world):
    before = len(_denied())
    client.get("/api/v1/people", headers=bearer("pat_00000000_nope"))
    denied = _denied()
    assert len(denied) == before + 1 and denied[-1].after["reason"] == "unknown"


def test_a_revoked_token_is_refused_and_audited(api_get, world):
    secret = make_token(world.sup_a)
    assert api_get("/api/v1/people", secret).status_code == 200
    tokens.revoke(world.sup_a, tokens.lookup(secret))
    db.session.commit()
    assert_problem(api_get("/api/v1/people", secret), 401)
    assert _denied()[-1].after["reason"] == "revoked"


def test_an_expired_token_is_refused_and_audited(api_get, world):
    secret = make_token(world.sup_a)
    token = tokens.lookup(secret)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_problem(api_get("/api/v1/people", secret), 401)
    assert _denied()[-1].after["reason"] == "expired"
    assert _denied()[-1].record_id == token.id


def test_a_deactivated_persons_token_is_refused(api_get, world):
    secret = make_token(world.agent_a1)
    world.agent_a1.is_active = False
    db.session.commit()
    assert_problem(api_get("/api/v1/people", secret), 401)


def test_a_use_is_remembered(api_get, world):
    secret = make_token(world.sup_a)
    assert api_get("/api/v1/people", secret).status_code == 200
    token = db.session.execute(
        select(ApiToken).where(ApiToken.secret_hash == tokens.hash_secret(secret))
    ).scalar_one()
    db.session.refresh(token)
    assert token.last_used_at is not None and token.last_used_address == "127.0.0.1"


# ---- scopes ---------------------------------------------------------------------------------


def test_a_missing_scope_is_403_problem_and_audited(api_get, world):
    secret = make_token(world.hr, scopes=["org:read"])
    body = assert_problem(api_get("/api/v1/people", secret), 403)
    assert "people:read" in body["detail"]
    assert _denied()[-1].after == {
        "reason": "missing_scope",
        "scope": "people:read",
        "prefix": secret[:12],
    }
    assert api_get("/api/v1/teams", secret).status_code == 200


def test_a_write_scope_does_not_read(api_get, world):
    secret = make_token(world.hr, scopes=["people:write", "org:write"])
    for path in READ_PATHS:
        assert_problem(api_get(path, secret), 403)


def test_people_read_does_not_open_org_lists(api_get, world):
    secret = make_token(world.hr, scopes=["people:read"])
    assert api_get("/api/v1/people", secret).status_code == 200
    for path in READ_PATHS[1:]:
        assert_problem(api_get(path, secret), 403)


# ---- problem+json ---------------------------------------------------------------------------


def test_404_for_an_unknown_path_and_record_is_problem(api_get, world):
    secret = make_token(world.hr)
    assert_problem(api_get("/api/v1/nowhere", secret), 404)
    assert_problem(api_get("/api/v1/people/999999", secret), 404)


@pytest.mark.parametrize(
    "query,field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "!!!"}, "cursor"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-01-01T00:00:00"}, "updated_since"),
        ({"active": "maybe"}, "active"),
    ],
)
def test_422_names_the_field(api_get, world, query, field):
    secret = make_token(world.hr)
    body = assert_problem(api_get("/api/v1/people", secret, **query), 422)
    assert field in body["errors"], body


def test_422_on_a_reference_list_cursor(api_get, world):
    secret = make_token(world.hr)
    body = assert_problem(api_get("/api/v1/teams", secret, cursor="YWJj"), 422)
    assert "cursor" in body["errors"]


def test_pages_keep_their_html_errors(client):
    response = client.get("/org/nowhere")
    assert response.status_code == 404 and response.mimetype == "text/html"


# ---- reading and paging ---------------------------------------------------------------------


def _walk(api_get, path: str, secret: str, **query) -> list[dict]:
    items: list[dict] = []
    cursor = None
    for _ in range(100):
        args = dict(query, **({"cursor": cursor} if cursor else {}))
        response = api_get(path, secret, **args)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("who", ["hr", "sup_a", "manager_hk", "qa", "trainer", "agent_a1"])
def test_paging_walks_every_visible_person_exactly_once(api_get, world, who):
    viewer = getattr(world, who)
    secret = make_token(viewer)
    items = _walk(api_get, "/api/v1/people", secret, limit=2)
    ids = [item["id"] for item in items]
    visible = set(db.session.execute(policy.scoped(select(Person.id), Person, viewer)).scalars())
    assert len(ids) == len(set(ids))
    assert set(ids) == visible


def test_paging_is_stable_when_many_share_a_timestamp(api_get, world):
    same = utcnow() - timedelta(days=3)
    db.session.execute(Person.__table__.update().values(updated_at=same))
    db.session.commit()
    secret = make_token(world.hr)
    ids = [item["id"] for item in _walk(api_get, "/api/v1/people", secret, limit=3)]
    assert len(ids) == len(set(ids)) == db.session.scalar(select(func.count(Person.id)))


def test_updated_since_and_filters(api_get, world):
    old = utcnow() - timedelta(days=10)
    db.session.execute(Person.__table__.update().values(updated_at=old))
    db.session.commit()
    world.agent_a2.name = "Renamed MK-A2"
    db.session.commit()
    secret = make_token(world.hr)
    since = (utcnow() - timedelta(days=1)).isoformat()
    items = _walk(api_get, "/api/v1/people", secret, updated_since=since)
    assert [item["id"] for item in items] == [world.agent_a2.id]
    team = _walk(api_get, "/api/v1/people", secret, team_id=world.team_a.id)
    assert {item["team_id"] for item in team} == {world.team_a.id}


def test_a_person_reads_as_on_the_pages(api_get, world):
    secret = make_token(world.sup_a)
    response = api_get(f"/api/v1/people/{world.agent_a1.id}", secret)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == world.agent_a1.id and body["email"] == world.agent_a1.email
    assert "password_hash" not in body and "path" not in body
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_reads_carry_an_etag_and_answer_304_until_the_record_changes(client, world):
    secret = make_token(world.sup_a)
    path = f"/api/v1/people/{world.agent_a1.id}"
    first = client.get(path, headers=bearer(secret))
    etag = first.headers["ETag"]
    assert etag and "Authorization" in first.headers["Vary"]
    again = client.get(path, headers={**bearer(secret), "If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    world.agent_a1.name = "Renamed MK-A1"
    db.session.commit()
    changed = client.get(path, headers={**bearer(secret), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    listed = client.get("/api/v1/people", headers=bearer(secret))
    assert (
        client.get(
            "/api/v1/people", headers={**bearer(secret), "If-None-Match": listed.headers["ETag"]}
        ).status_code
        == 304
    )


def test_no_304_without_a_valid_token(client, world):
    secret = make_token(world.sup_a)
    path = f"/api/v1/people/{world.agent_a1.id}"
    etag = client.get(path, headers=bearer(secret)).headers["ETag"]
    assert_problem(client.get(path, headers={"If-None-Match": etag}), 401)
    assert client.get(path, headers={"If-None-Match": etag}).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("other", ["agent_b1", "agent_c1", "sup_b", "manager_hk"])
def test_a_supervisors_token_sees_only_their_reach(api_get, world, other):
    secret = make_token(world.sup_a)
    person = getattr(world, other)
    assert_problem(api_get(f"/api/v1/people/{person.id}", secret), 404)
    ids = {item["id"] for item in _walk(api_get, "/api/v1/people", secret)}
    assert person.id not in ids
    assert {world.sup_a.id, world.agent_a1.id, world.agent_a2.id} <= ids


@pytest.mark.parametrize(
    "path,model",
    [("markets", Market), ("segments", Segment), ("positions", Position), ("teams", Team)],
)
def test_reference_lists_page_through_every_row(api_get, world, path, model):
    secret = make_token(world.agent_a1, scopes=["org:read"])
    items = _walk(api_get, f"/api/v1/{path}", secret, limit=1)
    ids = [item["id"] for item in items]
    assert ids == sorted(db.session.execute(select(model.id)).scalars())


# ---- OpenAPI --------------------------------------------------------------------------------


def test_openapi_json_is_3_1_with_every_path_and_the_bearer_scheme(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    api_rules = {
        rule.rule.replace("<int:person_id>", "{person_id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.")
    }
    assert api_rules and api_rules == set(spec["paths"])
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]
    assert list(spec["components"]["responses"]["DEFAULT_ERROR"]["content"]) == [PROBLEM]
    for path, item in spec["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "401", "403", "429"} <= set(responses), path
        assert "application/problem+json" in responses["401"]["content"]


# ---- rate limit -----------------------------------------------------------------------------


def test_the_rate_limit_is_per_token_and_answers_429_problem(app, api_get, world):
    app.config["API_RATE_LIMIT"] = "3/minute"
    try:
        first, second = make_token(world.hr), make_token(world.hr)
        for _ in range(3):
            assert api_get("/api/v1/teams", first).status_code == 200
        response = api_get("/api/v1/teams", first)
        assert_problem(response, 429)
        assert int(response.headers["Retry-After"]) >= 1
        assert api_get("/api/v1/teams", second).status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "600/minute"


def test_refused_tokens_are_limited_per_address_and_not_audited_past_the_limit(app, client, world):
    app.config["API_REFUSED_LIMIT"] = "2/minute"
    try:
        before = len(_denied())
        for _ in range(2):
            assert_problem(client.get("/api/v1/teams", headers=bearer("pat_0_bad")), 401)
        response = client.get("/api/v1/teams", headers=bearer("pat_0_bad"))
        assert_problem(response, 429)
        assert len(_denied()) == before + 2
        # A valid token from the same address is not held back by others' guesses.
        assert client.get("/api/v1/teams", headers=bearer(make_token(world.hr))).status_code == 200
    finally:
        app.config["API_REFUSED_LIMIT"] = "30/minute"
