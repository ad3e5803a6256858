"""Decisions and action items of a business review: their lifecycle over htmx, conflicts,
owners (notified, may tick their own), carry-over to the next review, and "My action items"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.business import actions
from portal.business.models import BusinessActionItem, BusinessDecision
from portal.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify.models import Notification
from tests.business.helpers import WEEK, schedule
from tests.conftest import as_user, post_form

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def hx() -> dict[str, str]:
    """A fresh header dict each time: post_form adds the CSRF token to the dict it is given."""
    return {"HX-Request": "true"}


def add_item(review, by, owner, body="Call the top merchants", due=date(2026, 11, 13)):
    return actions.add_action_item(
        by, review, body=body, owner_id=owner.id, due_on=due, request_token=None
    )


def test_decisions_are_recorded_edited_and_deleted_over_htmx(client, world):
    review = schedule(world.sup_a, world.sup_a)
    as_user(client, world.sup_a)
    url = f"/business/reviews/{review.id}/decisions"
    added = post_form(client, url, {"body": "Open a Saturday shift", "token": "t1"}, headers=hx())
    assert added.status_code == 200 and 'id="decisions"' in added.get_data(as_text=True)
    again = post_form(client, url, {"body": "Open a Saturday shift", "token": "t1"}, headers=hx())
    assert again.status_code == 200
    decision = db.session.scalars(select(BusinessDecision)).one()  # the double submit: one
    assert decision.recorded_by_id == world.sup_a.id and decision.recorded_at is not None
    empty = post_form(client, url, {"body": " "}, headers=hx())
    assert empty.status_code == 422 and "Write the decision." in empty.get_data(as_text=True)
    edited = post_form(
        client, f"/business/decisions/{decision.id}/edit", {"body": "Two shifts"}, headers=hx()
    )
    assert "Two shifts" in edited.get_data(as_text=True)
    deleted = post_form(client, f"/business/decisions/{decision.id}/delete", headers=hx())
    assert deleted.status_code == 200
    assert db.session.scalars(select(BusinessDecision)).first() is None


def test_an_action_item_tells_its_owner_and_lands_once(client, world):
    review = schedule(world.sup_a, world.sup_a)
    as_user(client, world.sup_a)
    data = {"body": "Audit refunds", "owner_id": str(world.agent_a2.id), "due_on": "2026-11-13"}
    url = f"/business/reviews/{review.id}/actions"
    for _ in range(2):
        response = post_form(client, url, {**data, "token": "same"}, headers=hx())
        assert response.status_code == 200, response.get_data(as_text=True)[-1500:]
    item = db.session.scalars(select(BusinessActionItem)).one()
    assert item.owner_id == world.agent_a2.id and item.due_on == date(2026, 11, 13)
    note = db.session.scalars(
        select(Notification).where(Notification.person_id == world.agent_a2.id)
    ).one()
    assert note.kind == "business.action_assigned" and note.url == "/business/actions"


def test_an_owner_must_be_an_active_person_the_actor_can_see(world):
    review = schedule(world.sup_a, world.sup_a)
    with pytest.raises(ValidationFailed) as failure:
        add_item(review, world.sup_a, world.agent_c1)  # another manager's agent
    assert "owner_id" in failure.value.field_errors
    with pytest.raises(ValidationFailed):
        actions.add_action_item(
            world.sup_a,
            review,
            body="",
            owner_id=world.agent_a1.id,
            due_on=None,
            request_token=None,
        )


def test_editing_an_item_from_a_stale_form_is_refused(client, world):
    review = schedule(world.sup_a, world.sup_a)
    item = add_item(review, world.sup_a, world.agent_a1)
    stale = item.version
    actions.edit_action_item(
        world.manager_hk,
        item,
        body="Manager's wording",
        owner_id=world.agent_a1.id,
        due_on=None,
        expected_version=stale,
    )
    as_user(client, world.sup_a)
    response = post_form(
        client,
        f"/business/actions/{item.id}/edit",
        {"body": "Mine", "owner_id": str(world.agent_a1.id), "version": str(stale)},
        headers=hx(),
    )
    assert response.status_code == 409
    assert "Someone else changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(BusinessActionItem, item.id).body == "Manager's wording"


def test_a_new_owner_is_told_too(world):
    review = schedule(world.sup_a, world.sup_a)
    item = add_item(review, world.sup_a, world.agent_a1)
    actions.edit_action_item(
        world.sup_a,
        item,
        body=item.body,
        owner_id=world.agent_a2.id,
        due_on=item.due_on,
        expected_version=item.version,
    )
    kinds = db.session.scalars(
        select(Notification.person_id).where(Notification.kind == "business.action_assigned")
    ).all()
    assert sorted(kinds) == sorted([world.agent_a1.id, world.agent_a2.id])


def test_an_owner_who_cannot_see_the_review_still_sees_and_completes_their_item(client, world):
    review = schedule(world.manager_hk, world.manager_hk)
    item = add_item(review, world.manager_hk, world.sup_a, due=date(2020, 1, 6))
    as_user(client, world.sup_a)
    assert client.get(f"/business/reviews/{review.id}").status_code == 404
    mine = client.get("/business/actions").get_data(as_text=True)
    assert item.body in mine and "overdue" in mine
    response = post_form(
        client,
        f"/business/actions/{item.id}/done",
        {"done": "1", "version": str(item.version), "from": "mine"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/business/actions"
    )
    db.session.expire_all()
    done = db.session.get(BusinessActionItem, item.id)
    assert done.is_done and done.done_at is not None
    # ...but may not edit or delete it: that is for whoever runs the review.
    assert post_form(client, f"/business/actions/{item.id}/delete").status_code == 404
    as_user(client, world.sup_b)  # neither owner nor able to see the review
    assert (
        post_form(
            client, f"/business/actions/{item.id}/done", {"done": "0", "version": "2"}
        ).status_code
        == 404
    )


def test_ticking_twice_from_the_same_page_is_a_conflict(world):
    review = schedule(world.sup_a, world.sup_a)
    item = add_item(review, world.sup_a, world.agent_a1)
    version = item.version
    actions.set_action_done(world.agent_a1, item, True, expected_version=version, now=NOW)
    with pytest.raises(Conflict):
        actions.set_action_done(world.sup_a, item, False, expected_version=version, now=NOW)


def test_only_the_owner_or_those_running_the_review_tick_an_item(world):
    review = schedule(world.sup_a, world.sup_a)
    item = add_item(review, world.sup_a, world.agent_a1)
    with pytest.raises(Forbidden):
        actions.set_action_done(world.agent_a2, item, True, expected_version=item.version, now=NOW)
    with pytest.raises(NotFound):
        actions.get_action_item(world.agent_a2, item.id)


def test_open_items_of_the_previous_review_carry_over_to_the_next(client, world):
    before = schedule(world.sup_a, world.sup_a, on=WEEK - timedelta(weeks=1))
    open_item = add_item(before, world.sup_a, world.agent_a1, body="Still open")
    closed = add_item(before, world.sup_a, world.agent_a2, body="Finished")
    actions.set_action_done(world.sup_a, closed, True, expected_version=closed.version, now=NOW)
    other_scope = schedule(
        world.sup_a, world.sup_a, on=WEEK - timedelta(weeks=1), market_id=world.hk.id
    )
    add_item(other_scope, world.sup_a, world.agent_a1, body="Other scope")
    review = schedule(world.sup_a, world.sup_a)
    assert [i.id for i in actions.carried_over(review)] == [open_item.id]
    as_user(client, world.sup_a)
    body = client.get(f"/business/reviews/{review.id}").get_data(as_text=True)
    assert "Still open from the previous review" in body and "Still open" in body
    assert "Finished" not in body and "Other scope" not in body
    # ticked on the next review's page, the region answered is that page's
    ticked = post_form(
        client,
        f"/business/actions/{open_item.id}/done",
        {"done": "1", "version": str(open_item.version), "on_review": str(review.id)},
        headers=hx(),
    )
    assert ticked.status_code == 200
    assert f"/business/reviews/{review.id}/actions" in ticked.get_data(as_text=True)
    assert actions.carried_over(review) == []


def test_my_action_items_lists_open_ones_first_soonest_due_first(world):
    review = schedule(world.sup_a, world.sup_a)
    late = add_item(review, world.sup_a, world.agent_a1, body="late", due=date(2026, 11, 20))
    soon = add_item(review, world.sup_a, world.agent_a1, body="soon", due=date(2026, 11, 10))
    undated = add_item(review, world.sup_a, world.agent_a1, body="undated", due=None)
    done = add_item(review, world.sup_a, world.agent_a1, body="done", due=date(2026, 11, 1))
    actions.set_action_done(world.agent_a1, done, True, expected_version=done.version, now=NOW)
    add_item(review, world.sup_a, world.agent_a2, body="someone else's")
    rows = actions.my_action_items(world.agent_a1)
    assert [r.item.id for r in rows] == [soon.id, late.id, undated.id, done.id]
    assert not any(r.can_open_review for r in rows)  # A1 cannot see their supervisor's node
    assert soon.is_overdue(date(2026, 11, 11)) and not done.is_overdue(date(2026, 11, 11))


def test_deleting_an_item_is_audited(client, world):
    from portal.audit import AuditEntry

    review = schedule(world.sup_a, world.sup_a)
    item_id = add_item(review, world.sup_a, world.agent_a1).id
    as_user(client, world.manager_hk)
    assert post_form(client, f"/business/actions/{item_id}/delete", headers=hx()).status_code == 200
    db.session.expire_all()
    assert (
        db.session.scalar(select(BusinessActionItem).where(BusinessActionItem.id == item_id))
        is None
    )
    actions_logged = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.record_type == "business_action_item")
    ).all()
    assert "business_action.delete" in actions_logged
