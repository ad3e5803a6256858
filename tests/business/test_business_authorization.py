"""The business review and market summary routes in the authorization matrix's shape
(merged into tests/test_authorization_matrix.py as BUSINESS_ROWS and business_extras).

The record is a weekly review of agent A1's node (A1 is the org node: the review covers A1),
with a decision and an action item owned by A1. Seeing it is Area.KPIS on A1: A1, the
reporting line above and HR; they are also exactly the people who run it (the node person,
anyone above them, HR). QA and training grants do not open it. Market summaries are for
people who manage people, and HR.
"""

from __future__ import annotations

from datetime import date

from portal.business import actions, reviews
from portal.db import utcnow
from tests.authz import Row, expect
from tests.factories import World

SEES_A1 = ("self", "record_supervisor", "manager_above", "hr_admin")
HIDDEN = ("peer_agent", "other_supervisor", "qa_analyst", "trainer")
MANAGERS = ("record_supervisor", "other_supervisor", "manager_above", "hr_admin")


def a1_review(ok: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in SEES_A1})
    return table


def managers(ok: int) -> dict[str, int]:
    table = expect(403)
    table.update({role: ok for role in MANAGERS})
    return table


def u(template: str):
    return lambda w: template.format(w=w)


REVIEW = "/business/reviews/{w.biz_review_id}"
ITEM = "/business/actions/{w.biz_action_id}"
DECISION = "/business/decisions/{w.biz_decision_id}"
SUMMARY = "/business/markets/{w.hk.id}/summary"

BUSINESS_ROWS: dict[str, Row] = {
    "business.review_list GET": Row("GET", u("/business/"), expect(200), hidden_from=HIDDEN),
    "business.review_new GET": Row(
        "GET", u("/business/reviews/new"), expect(200), hidden_from=HIDDEN
    ),
    "business.review_new POST": Row(
        "POST",
        u("/business/reviews/new"),
        a1_review(303),
        data=lambda w: {"kind": "mbr", "node_id": str(w.agent_a1.id), "on": "2026-03-10"},
    ),
    "business.review_detail GET": Row("GET", u(REVIEW), a1_review(200)),
    "business.review_notes POST": Row(
        "POST",
        u(REVIEW + "/notes"),
        a1_review(303),
        data=lambda w: {"notes": "We agreed", "version": str(w.biz_review_version)},
    ),
    "business.review_hold POST": Row(
        "POST",
        u(REVIEW + "/hold"),
        a1_review(303),
        data=lambda w: {"version": str(w.biz_review_version)},
    ),
    "business.review_reopen POST": Row(
        "POST",
        u("/business/reviews/{w.biz_held_id}/reopen"),
        a1_review(303),
        data=lambda w: {"version": str(w.biz_held_version)},
    ),
    "business.decision_add POST": Row(
        "POST", u(REVIEW + "/decisions"), a1_review(303), data=lambda w: {"body": "Go"}
    ),
    "business.decision_edit POST": Row(
        "POST", u(DECISION + "/edit"), a1_review(303), data=lambda w: {"body": "Go on"}
    ),
    "business.decision_delete POST": Row("POST", u(DECISION + "/delete"), a1_review(303)),
    "business.action_add POST": Row(
        "POST",
        u(REVIEW + "/actions"),
        a1_review(303),
        data=lambda w: {"body": "Call back", "owner_id": str(w.agent_a1.id)},
    ),
    "business.action_edit POST": Row(
        "POST",
        u(ITEM + "/edit"),
        a1_review(303),
        data=lambda w: {
            "body": "Call twice",
            "owner_id": str(w.agent_a1.id),
            "version": str(w.biz_action_version),
        },
    ),
    "business.action_done POST": Row(
        "POST",
        u(ITEM + "/done"),
        a1_review(303),
        data=lambda w: {"done": "1", "version": str(w.biz_action_version)},
    ),
    "business.action_delete POST": Row("POST", u(ITEM + "/delete"), a1_review(303)),
    "business.my_actions GET": Row("GET", u("/business/actions"), expect(200), hidden_from=HIDDEN),
    "business.market_list GET": Row("GET", u("/business/markets"), managers(200)),
    "business.market_summary GET": Row(
        "GET",
        u(SUMMARY + "?period=month&on=2026-03-02"),
        managers(200),
        hidden_from=("peer_agent", "other_supervisor", "qa_analyst", "trainer"),
    ),
    "business.market_summary_pdf GET": Row(
        "GET", u(SUMMARY + ".pdf?period=quarter&on=2026-03-02"), managers(200)
    ),
    "business.market_summary_export GET": Row(
        "GET", u(SUMMARY + ".csv?period=month&on=2026-03-02"), managers(200)
    ),
}


def business_extras(world: World) -> dict:
    """A WBR of A1's node scheduled by their supervisor, with a decision and an item for A1;
    an MBR of A1's node already held (to reopen)."""
    review, _created = reviews.create_review(
        world.sup_a, kind="wbr", node=world.agent_a1, market_id=None, on=date(2026, 3, 2)
    )
    decision = actions.add_decision(
        world.sup_a, review, "Matrix decision", request_token=None, now=utcnow()
    )
    item = actions.add_action_item(
        world.sup_a,
        review,
        body="Matrix item",
        owner_id=world.agent_a1.id,
        due_on=date(2026, 3, 9),
        request_token=None,
    )
    held, _created = reviews.create_review(
        world.sup_a, kind="mbr", node=world.agent_a1, market_id=None, on=date(2026, 2, 2)
    )
    reviews.hold_review(world.sup_a, held, expected_version=held.version, minimum=5, now=utcnow())
    return {
        "biz_held_id": held.id,
        "biz_held_version": held.version,
        "biz_review_id": review.id,
        "biz_review_version": review.version,
        "biz_decision_id": decision.id,
        "biz_action_id": item.id,
        "biz_action_version": item.version,
    }
