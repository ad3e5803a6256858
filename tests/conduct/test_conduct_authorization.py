"""The corrective action routes in the authorization matrix's shape (merged into
tests/test_authorization_matrix.py as CONDUCT_ROWS and conduct_extras).

Who sees A1's corrective actions: A1, their manager line (sup_a, manager_hk) and HR. Never a peer,
another supervisor, the QA analyst granted A1's team or a trainer (Area.IMPROVEMENT opens to no
staff grant). A draft is its author's (sup_a's) alone. Every record carries A1's marker."""

from __future__ import annotations

from datetime import timedelta

from portal.conduct import actions
from portal.db import utcnow
from portal.extensions import db
from tests.authz import ROLES, Row, expect
from tests.factories import World

SEES = ("self", "record_supervisor", "manager_above", "hr_admin")
HIDDEN = ("peer_agent", "other_supervisor", "qa_analyst", "trainer")
LINE = ("record_supervisor", "manager_above", "hr_admin")  # writes, follows up, closes


def a1_action(ok: int, *, acting: tuple[str, ...] = SEES) -> dict[str, int]:
    """`ok` for `acting`; 403 for the others who see A1's actions; 404 for those who do not."""
    table = expect(404)
    for role in SEES:
        table[role] = ok if role in acting else 403
    return table


def draft_only(ok: int) -> dict[str, int]:
    """A draft: its author (sup_a) gets `ok`; for everyone else it does not exist."""
    return expect(404, record_supervisor=ok)


def u(template: str):
    return lambda w: template.format(w=w)


def v(name: str, **data: str):
    return lambda w: {"version": str(getattr(w, name)), **data}


DRAFT = "/conduct/{w.conduct_draft_id}"
ISSUED = "/conduct/{w.conduct_issued_id}"
NEW_A1 = "/conduct/new/{w.agent_a1.id}"

CONDUCT_ROWS: dict[str, Row] = {
    "conduct.action_list GET": Row("GET", u("/conduct/"), expect(200), hidden_from=HIDDEN),
    "conduct.action_list GET #person": Row(
        "GET", u("/conduct/?person={w.agent_a1.id}"), expect(200), hidden_from=HIDDEN
    ),
    "conduct.action_export GET": Row(
        "GET", u("/conduct/export.csv"), expect(200), hidden_from=HIDDEN
    ),
    "conduct.action_new GET": Row("GET", u(NEW_A1), a1_action(200, acting=LINE)),
    "conduct.action_new POST": Row(
        "POST",
        u(NEW_A1),
        a1_action(303, acting=LINE),
        data=lambda w: {
            "kind": "conversation",
            "held_on": "2026-03-02",
            "facts": "Matrix facts",
            "expectations": "Matrix expectations",
            "follow_up_1": "2026-03-16",
            "token": "matrix",
        },
    ),
    "conduct.action_detail GET": Row("GET", u(ISSUED), a1_action(200)),
    "conduct.action_detail GET #draft": Row("GET", u(DRAFT), draft_only(200)),
    "conduct.action_edit GET": Row("GET", u(DRAFT + "/edit"), draft_only(200)),
    "conduct.action_edit GET #issued": Row("GET", u(ISSUED + "/edit"), a1_action(403, acting=())),
    # An empty form: refused at the fields (422) for the author.
    "conduct.action_edit POST": Row("POST", u(DRAFT + "/edit"), draft_only(422)),
    "conduct.action_issue POST": Row(
        "POST", u(DRAFT + "/issue"), draft_only(303), data=v("conduct_draft_version")
    ),
    "conduct.action_acknowledge POST": Row(
        "POST",
        u(ISSUED + "/acknowledge"),
        a1_action(303, acting=("self",)),
        data=v("conduct_issued_version", comment="Matrix comment"),
    ),
    "conduct.follow_up_done POST": Row(
        "POST",
        u("/conduct/follow-ups/{w.conduct_follow_up_id}/done"),
        a1_action(303, acting=LINE),
        data=lambda w: {"note": "Matrix note"},
    ),
    "conduct.action_close POST": Row(
        "POST",
        u("/conduct/{w.conduct_closable_id}/close"),
        a1_action(303, acting=LINE),
        data=v("conduct_closable_version"),
    ),
}


def conduct_extras(world: World) -> dict:
    """sup_a's draft about A1, an action issued to A1 (one follow-up open) and one whose
    follow-up is done (ready to close); every text carries A1's marker."""
    held = utcnow().date() - timedelta(days=3)

    def draft(facts: str) -> actions.Draft:
        return actions.Draft(
            kind="written_warning",
            held_on=held,
            facts=facts,
            expectations="Expectations MK-A1",
            follow_ups=[held + timedelta(days=10)],
            links={},
        )

    today = utcnow().date()
    drafted = actions.create_action(world.sup_a, world.agent_a1, draft("Draft facts MK-A1"))
    issued = actions.create_action(world.sup_a, world.agent_a1, draft("Issued facts MK-A1"))
    actions.issue_action(world.sup_a, issued, expected_version=issued.version, today=today)
    closable = actions.create_action(world.sup_a, world.agent_a1, draft("Closable MK-A1"))
    actions.issue_action(world.sup_a, closable, expected_version=closable.version, today=today)
    actions.complete_follow_up(world.sup_a, closable.follow_ups[0], note="Done MK-A1")
    db.session.commit()
    return {
        "conduct_draft_id": drafted.id,
        "conduct_draft_version": drafted.version,
        "conduct_issued_id": issued.id,
        "conduct_issued_version": issued.version,
        "conduct_follow_up_id": issued.follow_ups[0].id,
        "conduct_closable_id": closable.id,
        "conduct_closable_version": closable.version,
    }


def test_every_conduct_route_has_a_row_for_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("conduct.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {key.split(" #", 1)[0] for key in CONDUCT_ROWS}
    assert all(set(row.expect) == set(ROLES) for row in CONDUCT_ROWS.values())


def test_the_conduct_rows_hold(app, world):
    from tests.authz import run_matrix

    mismatches = run_matrix(app, world, CONDUCT_ROWS, conduct_extras(world))
    assert not mismatches, "\n".join(str(m) for m in mismatches)
