"""The improvement-plan routes in the authorization matrix's shape.

IMPROVEMENT_ROWS and improvement_extras are merged into tests/test_authorization_matrix.py. The
world: A1 has an active plan (started by their supervisor, not acknowledged yet) and a draft, both
carrying A1's marker. Who sees them: A1 (the active one only), their supervisor, the manager
above and HR; never a peer, another supervisor, the QA analyst granted A1's team or a trainer.
"""

from __future__ import annotations

from datetime import date, timedelta

from portal.improvement import plans as service
from tests.authz import ROLES, Row, expect
from tests.factories import World
from tests.improvement.helpers import plan_fields, qa_expectation

SEES_A1 = ("self", "record_supervisor", "manager_above", "hr_admin")
HIDDEN_A1 = ("peer_agent", "other_supervisor", "qa_analyst", "trainer")
LINE = ("record_supervisor", "manager_above", "hr_admin")


def a1(ok: int, **overrides: int) -> dict[str, int]:
    """`ok` for those who see A1's plan, 404 for the others, then the overrides."""
    table = expect(404)
    table.update({role: ok for role in SEES_A1})
    table.update(overrides)
    return table


def line(ok: int, **overrides: int) -> dict[str, int]:
    """`ok` for A1's manager line and HR; the draft is out of A1's own reach (404)."""
    table = expect(404)
    table.update({role: ok for role in LINE})
    table.update(overrides)
    return table


def u(template: str):
    return lambda w: template.format(w=w)


PLAN = "/improvement/{w.a1_pip_id}"
DRAFT = "/improvement/{w.a1_pip_draft_id}"


def plan_form(w) -> dict:
    return {
        "version": str(w.a1_pip_draft_version),
        "person_id": str(w.agent_a1.id),
        "reason": "Quality below the bar MK-A1",
        "support": "",
        "starts_on": w.pip_start,
        "length_days": "30",
        "check_in_every_days": "7",
        "token": "",
    }


def expectation_form(w) -> dict:
    return {
        "version": str(w.a1_pip_draft_version),
        "title": "Another MK-A1",
        "metric": "Average QA score",
        "unit": "%",
        "baseline": "60",
        "target": "80",
        "direction": "higher",
        "due_on": "",
    }


IMPROVEMENT_ROWS: dict[str, Row] = {
    "improvement.plan_list GET": Row("GET", u("/improvement/"), expect(200), hidden_from=HIDDEN_A1),
    "improvement.plan_list GET #filtered on A1": Row(
        "GET",
        u("/improvement/?person={w.agent_a1.id}&state=active"),
        expect(200),
        hidden_from=HIDDEN_A1,
    ),
    "improvement.plan_export GET": Row(
        "GET", u("/improvement/export.csv"), expect(200), hidden_from=HIDDEN_A1
    ),
    # Opening a plan is for people with reports and HR; the form offers only the people below.
    "improvement.plan_new GET": Row(
        "GET",
        u("/improvement/new?person={w.agent_a1.id}"),
        expect(403, record_supervisor=200, other_supervisor=200, manager_above=200, hr_admin=200),
        hidden_from=HIDDEN_A1,
    ),
    "improvement.plan_new POST": Row(
        "POST",
        u("/improvement/new"),
        expect(403, record_supervisor=303, other_supervisor=404, manager_above=303, hr_admin=303),
        data=lambda w: {**plan_form(w), "version": "0"},
        hidden_from=HIDDEN_A1,
    ),
    "improvement.plan_detail GET": Row("GET", u(PLAN), a1(200)),
    "improvement.plan_detail GET #draft": Row("GET", u(DRAFT), line(200)),
    "improvement.plan_pdf GET": Row("GET", u(PLAN + "/plan.pdf"), a1(200)),
    "improvement.plan_edit GET": Row("GET", u(DRAFT + "/edit"), line(200)),
    "improvement.plan_edit POST": Row("POST", u(DRAFT + "/edit"), line(303), data=plan_form),
    # Once started, a plan is no longer a draft: the line gets 409 (not in this state), A1 403.
    "improvement.plan_edit POST #active": Row(
        "POST",
        u(PLAN + "/edit"),
        a1(409, self=403),
        data=lambda w: {**plan_form(w), "version": str(w.a1_pip_version)},
    ),
    "improvement.expectation_create POST": Row(
        "POST", u(DRAFT + "/expectations"), line(303), data=expectation_form
    ),
    "improvement.expectation_delete POST": Row(
        "POST",
        u(DRAFT + "/expectations/{w.a1_pip_draft_expectation_id}/delete"),
        line(303),
        data=lambda w: {"version": str(w.a1_pip_draft_version)},
    ),
    "improvement.plan_start POST": Row(
        "POST",
        u(DRAFT + "/start"),
        line(303),
        data=lambda w: {"version": str(w.a1_pip_draft_version)},
    ),
    "improvement.plan_acknowledge POST": Row(
        "POST",
        u(PLAN + "/acknowledge"),
        a1(403, self=303),
        data=lambda w: {"version": str(w.a1_pip_version), "comment": "Read"},
    ),
    "improvement.check_in_create POST": Row(
        "POST",
        u(PLAN + "/check-ins"),
        a1(303, self=403),
        data=lambda w: {"held_on": w.pip_start, "note": "Talked", "token": "m"},
    ),
    "improvement.plan_outcome POST": Row(
        "POST",
        u(PLAN + "/outcome"),
        a1(303, self=403),
        data=lambda w: {
            "version": str(w.a1_pip_version),
            "outcome": "met",
            "extend_days": "",
            "reason": "All met",
        },
    ),
}


def improvement_extras(world: World) -> dict:
    start = date.today() - timedelta(days=10)
    active = service.create_plan(
        world.agent_a1, world.sup_a, plan_fields(starts_on=start), token=None
    )
    service.add_expectation(active, world.sup_a, qa_expectation(), expected_version=active.version)
    service.start_plan(active, world.sup_a, expected_version=active.version)
    draft = service.create_plan(
        world.agent_a1,
        world.sup_a,
        plan_fields(starts_on=start, reason="Draft reason MK-A1"),
        token=None,
    )
    expectation = service.add_expectation(
        draft, world.sup_a, qa_expectation(), expected_version=draft.version
    )
    return {
        "a1_pip_id": active.id,
        "a1_pip_version": active.version,
        "a1_pip_draft_id": draft.id,
        "a1_pip_draft_version": draft.version,
        "a1_pip_draft_expectation_id": expectation.id,
        "pip_start": start.isoformat(),
    }


def test_every_improvement_route_has_a_row_naming_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("improvement.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {name.split(" #", 1)[0] for name in IMPROVEMENT_ROWS}
    assert all(set(row.expect) == set(ROLES) for row in IMPROVEMENT_ROWS.values())


def test_the_improvement_rows_hold_for_every_role(app, world):
    from tests.authz import run_matrix

    mismatches = run_matrix(app, world, IMPROVEMENT_ROWS, improvement_extras(world))
    assert not mismatches, "\n".join(str(m) for m in mismatches)
