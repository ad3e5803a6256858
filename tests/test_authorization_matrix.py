"""Every route x every role, with the status each must get and no leak of A1's marker.

A route without a row fails `test_every_route_has_a_row`. The allow-all and deny-all tests swap
in a broken policy and prove the matrix then fails, so it cannot pass vacuously.
"""

from __future__ import annotations

import pytest
from sqlalchemy import false, select

from portal import policy
from portal.auth import sessions
from portal.db import utcnow
from portal.org.models import Grant, Person
from tests.api.authz_tokens import run_token_matrix
from tests.authz import ROLES, Row, expect, route_key, run_matrix
from tests.business.test_business_authorization import BUSINESS_ROWS, business_extras
from tests.coaching.test_coaching_authorization import COACHING_ROWS, coaching_extras
from tests.conduct.test_conduct_authorization import CONDUCT_ROWS, conduct_extras
from tests.goals.test_goals_authorization import GOALS_ROWS, goals_extras
from tests.improvement.test_improvement_authorization import (
    IMPROVEMENT_ROWS,
    improvement_extras,
)
from tests.kpis.test_kpis_authorization import KPI_ROWS, kpi_extras
from tests.notify.test_notifications import NOTIFY_ROWS, notify_extras
from tests.qa.test_contacts_authorization import QA_ROWS, qa_extras
from tests.qa.test_evaluations_authorization import EVALUATION_ROWS, evaluation_extras
from tests.qa.test_programme_authorization import PROGRAMME_ROWS, programme_extras
from tests.training.test_training_authorization import TRAINING_ROWS, training_extras

# Who can see agent A1 (the record): A1, their supervisor, the manager above, the QA analyst
# granted A1's team, and HR. Not: a peer agent, another supervisor, a trainer of another market.
SEES_A1 = dict(self=200, record_supervisor=200, manager_above=200, qa_analyst=200, hr_admin=200)
HIDDEN_A1 = ("peer_agent", "other_supervisor", "trainer")


def a1_record(ok: int, **overrides: int) -> dict[str, int]:
    """`ok` for those who see A1, 404 for those who do not."""
    table = expect(404)
    for role in SEES_A1:
        table[role] = ok
    table.update(overrides)
    return table


def hr_only_on_a1(ok: int) -> dict[str, int]:
    """HR gets `ok`; others who see A1 are refused (403); those who do not get 404."""
    table = a1_record(403)
    table["hr_admin"] = ok
    return table


def hr_only(ok: int) -> dict[str, int]:
    return expect(403, hr_admin=ok)


A1 = "/org/people/{w.agent_a1.id}"


def u(template: str):
    return lambda w: template.format(w=w)


ROWS: dict[str, Row] = {
    # home
    "home.index GET": Row("GET", u("/"), expect(200)),
    "home.home_section GET": Row(
        "GET", u("/home/sections/manager"), expect(404, manager_above=200)
    ),
    "home.language_set POST": Row(
        "POST", u("/language"), expect(303, anonymous=303), data=lambda w: {"lang": "ja"}
    ),
    "home.healthz GET": Row("GET", u("/healthz"), expect(200, anonymous=200)),
    "home.readyz GET": Row("GET", u("/readyz"), expect(200, anonymous=200)),
    # sign-in and own account
    "auth.login GET": Row("GET", u("/auth/login"), expect(302, anonymous=200)),
    "auth.login POST": Row("POST", u("/auth/login"), expect(302, anonymous=422)),
    "auth.logout POST": Row("POST", u("/auth/logout"), expect(303)),
    "auth.password_change GET": Row("GET", u("/auth/password"), expect(200)),
    "auth.password_change POST": Row("POST", u("/auth/password"), expect(422)),
    "auth.session_list GET": Row("GET", u("/auth/sessions"), expect(200)),
    "auth.session_end POST": Row(
        "POST", u("/auth/sessions/{w.a1_session_id}/end"), expect(404, self=303)
    ),
    # organisation
    "org.person_list GET": Row("GET", u("/org/people"), expect(200), hidden_from=HIDDEN_A1),
    "org.person_export GET": Row(
        "GET", u("/org/people/export.csv"), expect(200), hidden_from=HIDDEN_A1
    ),
    "org.person_detail GET": Row("GET", u(A1), a1_record(200)),
    "org.tree GET": Row("GET", u("/org/tree"), expect(200), hidden_from=HIDDEN_A1),
    "org.tree_children GET": Row(
        "GET",
        u("/org/tree/{w.sup_a.id}/children"),
        a1_record(200, self=404),
        hidden_from=HIDDEN_A1,
    ),
    "org.person_new GET": Row("GET", u("/org/people/new"), hr_only(200)),
    "org.person_new POST": Row("POST", u("/org/people/new"), hr_only(422)),
    "org.person_edit GET": Row("GET", u(A1 + "/edit"), hr_only_on_a1(200)),
    "org.person_edit POST": Row(
        "POST", u(A1 + "/edit"), hr_only_on_a1(422), data=lambda w: {"name": ""}
    ),
    "org.person_move GET": Row("GET", u(A1 + "/move"), hr_only_on_a1(200)),
    "org.person_move POST": Row(
        "POST",
        u(A1 + "/move"),
        hr_only_on_a1(303),
        data=lambda w: {"manager_id": str(w.sup_b.id)},
    ),
    "org.person_deactivate POST": Row("POST", u(A1 + "/deactivate"), hr_only_on_a1(303)),
    # A1 is active: reactivating is not a possible step (409), and only HR gets that far.
    "org.person_reactivate POST": Row("POST", u(A1 + "/reactivate"), hr_only_on_a1(409)),
    "org.person_import GET": Row("GET", u("/org/people/import"), hr_only(200)),
    "org.person_import POST": Row("POST", u("/org/people/import"), hr_only(422)),
    "org.person_import_template GET": Row(
        "GET", u("/org/people/import-template.csv"), hr_only(200)
    ),
    # HR administration
    "admin.audit_list GET": Row("GET", u("/admin/audit"), hr_only(200)),
    "admin.person_sessions GET": Row(
        "GET", u("/admin/people/{w.agent_a1.id}/sessions"), hr_only_on_a1(200)
    ),
    "admin.person_session_end POST": Row(
        "POST",
        u("/admin/people/{w.agent_a1.id}/sessions/{w.a1_session_id}/end"),
        hr_only_on_a1(303),
    ),
    "admin.person_sessions_end_all POST": Row(
        "POST", u("/admin/people/{w.agent_a1.id}/sessions/end-all"), hr_only_on_a1(303)
    ),
    "admin.grant_list GET": Row("GET", u("/admin/grants"), hr_only(200)),
    "admin.grant_create POST": Row("POST", u("/admin/grants"), hr_only(422)),
    "admin.grant_delete POST": Row("POST", u("/admin/grants/{w.qa_grant_id}/delete"), hr_only(303)),
}


ROWS.update(QA_ROWS)
ROWS.update(NOTIFY_ROWS)
ROWS.update(EVALUATION_ROWS)
ROWS.update(GOALS_ROWS)
ROWS.update(COACHING_ROWS)
ROWS.update(PROGRAMME_ROWS)
ROWS.update(TRAINING_ROWS)
ROWS.update(KPI_ROWS)
ROWS.update(BUSINESS_ROWS)
ROWS.update(CONDUCT_ROWS)
ROWS.update(IMPROVEMENT_ROWS)

# /api/v1: a bearer token only. With the pages' session cookie (the matrix above signs each
# role in that way) and no token, every API route answers 401, whoever the cookie is for.
API_PATHS = {
    "api_v1.people_list GET": u("/api/v1/people"),
    "api_v1.person_detail GET": u("/api/v1/people/{w.agent_a1.id}"),
    "api_v1.markets_list GET": u("/api/v1/markets"),
    "api_v1.segments_list GET": u("/api/v1/segments"),
    "api_v1.positions_list GET": u("/api/v1/positions"),
    "api_v1.teams_list GET": u("/api/v1/teams"),
}
ROWS.update({key: Row("GET", url, expect(401, anonymous=401)) for key, url in API_PATHS.items()})
# The OpenAPI description holds no records: anyone may read it.
ROWS["api-docs.openapi_json GET"] = Row(
    "GET", u("/api/v1/openapi.json"), expect(200, anonymous=200)
)

# The same routes called with a bearer token of each role's person (every read scope);
# "anonymous" sends none. Records follow the pages' visibility (404 outside reach).
API_TOKEN_ROWS: dict[str, Row] = {
    "api_v1.people_list GET": Row(
        "GET",
        API_PATHS["api_v1.people_list GET"],
        expect(200, anonymous=401),
        hidden_from=HIDDEN_A1,
    ),
    "api_v1.people_list GET #team": Row(
        "GET",
        u("/api/v1/people?team_id={w.team_a.id}&limit=1"),
        expect(200, anonymous=401),
        hidden_from=("other_supervisor", "trainer"),
    ),
    "api_v1.person_detail GET": Row(
        "GET", API_PATHS["api_v1.person_detail GET"], a1_record(200, anonymous=401)
    ),
    "api_v1.person_detail GET #hr": Row(
        "GET",
        u("/api/v1/people/{w.hr.id}"),
        expect(404, anonymous=401, hr_admin=200),
        marker="MK-HR",
    ),
    **{
        key: Row("GET", API_PATHS[key], expect(200, anonymous=401))
        for key in (
            "api_v1.markets_list GET",
            "api_v1.segments_list GET",
            "api_v1.positions_list GET",
            "api_v1.teams_list GET",
        )
    },
}


def _extras(world) -> dict:
    token_owner = world.agent_a1
    sessions.start_session(token_owner, now=utcnow(), address=None, user_agent="matrix")
    from portal.auth.models import UserSession
    from portal.extensions import db

    session_id = db.session.execute(
        select(UserSession.id).where(UserSession.person_id == token_owner.id)
    ).scalar_one()
    grant_id = db.session.execute(
        select(Grant.id).where(Grant.person_id == world.qa.id)
    ).scalar_one()
    return {
        "a1_session_id": session_id,
        "qa_grant_id": grant_id,
        **qa_extras(world),
        **notify_extras(world),
        **evaluation_extras(world),
        **goals_extras(world),
        **coaching_extras(world),
        **programme_extras(world),
        **training_extras(world),
        **kpi_extras(world),
        **business_extras(world),
        **conduct_extras(world),
        **improvement_extras(world),
    }


def route_keys(app) -> set[str]:
    keys = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            keys.add(f"{rule.endpoint} {method}")
    return keys


def test_every_route_has_a_row(app):
    rows = {route_key(name) for name in ROWS}
    missing = route_keys(app) - rows
    assert not missing, f"routes without a row in the authorization matrix: {sorted(missing)}"
    stale = rows - route_keys(app)
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"


def test_every_api_route_has_a_token_row(app):
    api_routes = {key for key in route_keys(app) if key.startswith("api_v1.")}
    assert api_routes == {route_key(name) for name in API_TOKEN_ROWS}


def test_every_api_route_answers_every_roles_token_as_the_matrix_says(app, world):
    mismatches = run_token_matrix(app, world, API_TOKEN_ROWS)
    assert not mismatches, "\n".join(str(m) for m in mismatches)


def test_an_allow_all_policy_makes_the_token_matrix_fail(app, world, monkeypatch):
    monkeypatch.setattr(policy, "visible_person_ids", lambda viewer, area=None: select(Person.id))
    mismatches = run_token_matrix(app, world, API_TOKEN_ROWS)
    assert any(
        m.role == "peer_agent" and m.endpoint == "api_v1.person_detail GET" for m in mismatches
    )
    assert any(m.leaked for m in mismatches)


def test_every_row_names_every_role():
    for key, row in {**ROWS, **API_TOKEN_ROWS}.items():
        assert set(row.expect) == set(ROLES), key


def test_every_route_answers_every_role_as_the_matrix_says(app, world):
    mismatches = run_matrix(app, world, ROWS, _extras(world))
    assert not mismatches, "\n".join(str(m) for m in mismatches)


def test_an_allow_all_policy_makes_the_matrix_fail(app, world, monkeypatch):
    extras = _extras(world)  # built under the real policy
    monkeypatch.setattr(policy, "visible_person_ids", lambda viewer, area=None: select(Person.id))
    monkeypatch.setattr(policy, "can", lambda viewer, action, record=None: True)
    mismatches = run_matrix(app, world, ROWS, extras)
    assert any(m.role == "peer_agent" and m.endpoint == "org.person_detail GET" for m in mismatches)
    assert any(m.leaked for m in mismatches)
    # Every area's rows catch it, not just the directory's.
    assert _blueprints(mismatches) >= AREAS_GUARDED


def test_a_deny_all_policy_makes_the_matrix_fail(app, world, monkeypatch):
    extras = _extras(world)  # built under the real policy
    monkeypatch.setattr(
        policy, "visible_person_ids", lambda viewer, area=None: select(Person.id).where(false())
    )
    monkeypatch.setattr(policy, "can", lambda viewer, action, record=None: False)
    mismatches = run_matrix(app, world, ROWS, extras)
    assert any(m.role == "self" and m.endpoint == "org.person_detail GET" for m in mismatches)
    assert any(m.role == "hr_admin" for m in mismatches)
    assert _blueprints(mismatches) >= AREAS_GUARDED


# The areas whose rows must each fail under a broken policy (one shared run of every row,
# rather than a run per area).
AREAS_GUARDED = {
    "org",
    "qa",
    "qaprog",
    "goals",
    "coaching",
    "training",
    "recognition",
    "teams",
    "kpis",
    "business",
    "improvement",
    "conduct",
}


def _blueprints(mismatches) -> set[str]:
    return {m.endpoint.split(".")[0] for m in mismatches}


@pytest.mark.parametrize("role", ["peer_agent", "other_supervisor", "trainer"])
def test_roles_out_of_reach_never_see_a1_in_the_directory_or_export(app, world, role):
    rows = {k: v for k, v in ROWS.items() if k.startswith(("org.person_list", "org.person_export"))}
    assert not run_matrix(app, world, rows)
