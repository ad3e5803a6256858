"""Decisions and action items recorded in a business review. Action items carry an owner
(notified), a due date and done; the open ones of the previous review of the same scope show
on the next one (carry-over); each owner has a list of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from portal import audit, policy
from portal.business.models import BusinessActionItem, BusinessDecision, BusinessReview
from portal.business.reviews import check_version, commit, previous_review
from portal.db import create_once, usable_token
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db
from portal.notify import service as notify
from portal.org.models import Person
from portal.policy import Area
from portal.web import path_for

notify.register_kind(
    "business.action_assigned",
    _l("%(actor)s gave you an action item from %(review)s: %(body)s"),
    label=_l("I was given an action item from a business review"),
)

MAX_TEXT = 4000


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(field_errors={field: [message]})
    if len(value) > MAX_TEXT:
        raise ValidationFailed(field_errors={field: [_("At most %(n)d characters.", n=MAX_TEXT)]})
    return value


# ---- decisions ----------------------------------------------------------------------------


def decisions_for(review: BusinessReview) -> list[BusinessDecision]:
    return list(
        db.session.scalars(
            select(BusinessDecision)
            .options(joinedload(BusinessDecision.recorded_by))
            .where(BusinessDecision.review_id == review.id)
            .order_by(BusinessDecision.id)
        )
    )


def get_decision(viewer: Person, decision_id: int) -> BusinessDecision:
    return policy.get_visible_or_404(BusinessDecision, decision_id, viewer, Area.KPIS)


def add_decision(
    by: Person, review: BusinessReview, body: str, *, request_token: str | None, now: datetime
) -> BusinessDecision:
    """Record a decision; a double submit (same form token) records it once."""
    policy.require(by, "business.edit", review)
    body = _text(body, "body", _("Write the decision."))
    token = usable_token(request_token)

    def make() -> BusinessDecision:
        return BusinessDecision(
            review_id=review.id,
            person_id=review.person_id,
            body=body,
            recorded_by_id=by.id,
            recorded_at=now,
            request_token=token,
        )

    decision, created = create_once(
        BusinessDecision, make, review_id=review.id, request_token=token
    )
    if not created:
        return decision
    audit.record(
        by, "business_decision.add", "business_decision", decision.id, None, {"body": body}
    )
    db.session.commit()
    return decision


def edit_decision(by: Person, decision: BusinessDecision, body: str) -> None:
    review = db.session.get(BusinessReview, decision.review_id)
    policy.require(by, "business.edit", review)
    body = _text(body, "body", _("Write the decision."))
    before = {"body": decision.body}
    decision.body = body
    audit.record(
        by, "business_decision.edit", "business_decision", decision.id, before, {"body": body}
    )
    db.session.commit()


def delete_decision(by: Person, decision: BusinessDecision) -> None:
    review = db.session.get(BusinessReview, decision.review_id)
    policy.require(by, "business.edit", review)
    audit.record(
        by,
        "business_decision.delete",
        "business_decision",
        decision.id,
        {"body": decision.body},
        None,
    )
    db.session.delete(decision)
    db.session.commit()


# ---- action items -------------------------------------------------------------------------


def get_action_item(viewer: Person, item_id: int) -> BusinessActionItem:
    """An action item of a review the viewer may see, or one they own; else 404."""
    stmt = policy.scoped_business_actions(
        select(BusinessActionItem).where(BusinessActionItem.id == item_id),
        BusinessActionItem,
        viewer,
    )
    item = db.session.scalar(stmt)
    if item is None:
        raise NotFound()
    return item


def action_items_for(review: BusinessReview) -> list[BusinessActionItem]:
    return list(
        db.session.scalars(
            select(BusinessActionItem)
            .options(joinedload(BusinessActionItem.owner))
            .where(BusinessActionItem.review_id == review.id)
            .order_by(BusinessActionItem.id)
        )
    )


def carried_over(review: BusinessReview) -> list[BusinessActionItem]:
    """The open action items of the previous review of the same kind, node and market."""
    previous = previous_review(review)
    if previous is None:
        return []
    return list(
        db.session.scalars(
            select(BusinessActionItem)
            .options(joinedload(BusinessActionItem.owner))
            .where(
                BusinessActionItem.review_id == previous.id,
                BusinessActionItem.is_done.is_(False),
            )
            .order_by(BusinessActionItem.due_on, BusinessActionItem.id)
        )
    )


def owner_choices(viewer: Person, review: BusinessReview, limit: int = 300) -> list[Person]:
    """Who may own an item: the review's node and the people up to two levels below it whom
    the viewer may see, active, and the viewer. (Any visible person is accepted by the form.)"""
    node = review.node
    stmt = policy.scoped(
        select(Person).where(
            Person.is_active.is_(True),
            policy.subtree_condition(node.path),
            Person.depth <= node.depth + 2,
        ),
        Person,
        viewer,
    ).order_by(Person.depth, Person.name, Person.id)
    people = list(db.session.scalars(stmt.limit(limit)))
    if viewer.id not in {p.id for p in people}:
        people.insert(0, viewer)
    return people


def _owner(by: Person, owner_id: int | None) -> Person | None:
    """The owner when they are active and the actor may see them; else None."""
    if not owner_id:
        return None
    stmt = policy.scoped(
        select(Person).where(Person.id == owner_id, Person.is_active.is_(True)), Person, by
    )
    return db.session.scalar(stmt)


def _tell_owner(by: Person, item: BusinessActionItem, review: BusinessReview) -> None:
    notify.notify(
        item.owner_id,
        by,
        "business.action_assigned",
        "business_action_item",
        item.id,
        path_for("business.my_actions"),
        review=review.title,
        body=item.body[:120],
    )


def _item_fields(by: Person, body: str, owner_id: int | None) -> tuple[str, Person]:
    errors: dict[str, list[str]] = {}
    try:
        body = _text(body, "body", _("Say what will be done."))
    except ValidationFailed as error:
        errors.update(error.field_errors)
    owner = _owner(by, owner_id)
    if owner is None:
        errors["owner_id"] = [_("Choose an active person you can see.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    assert owner is not None
    return body, owner


def add_action_item(
    by: Person,
    review: BusinessReview,
    *,
    body: str,
    owner_id: int | None,
    due_on: date | None,
    request_token: str | None,
) -> BusinessActionItem:
    """Agree an action item; the owner is told. A double submit records it once."""
    policy.require(by, "business.edit", review)
    body, owner = _item_fields(by, body, owner_id)
    token = usable_token(request_token)

    def make() -> BusinessActionItem:
        return BusinessActionItem(
            review_id=review.id,
            person_id=review.person_id,
            owner_id=owner.id,
            created_by_id=by.id,
            body=body,
            due_on=due_on,
            request_token=token,
        )

    item, created = create_once(BusinessActionItem, make, review_id=review.id, request_token=token)
    if not created:
        return item
    audit.record(by, "business_action.add", "business_action_item", item.id, None, item.snapshot())
    _tell_owner(by, item, review)
    db.session.commit()
    return item


def edit_action_item(
    by: Person,
    item: BusinessActionItem,
    *,
    body: str,
    owner_id: int | None,
    due_on: date | None,
    expected_version: int | None,
) -> None:
    """Change an item's text, owner or due date; a new owner is told. Stale forms get 409."""
    policy.require(by, "business.edit", item.review)
    check_version(item, expected_version)
    body, owner = _item_fields(by, body, owner_id)
    before = item.snapshot()
    new_owner = owner.id != item.owner_id
    item.body, item.owner_id, item.due_on = body, owner.id, due_on
    audit.record(
        by, "business_action.edit", "business_action_item", item.id, before, item.snapshot()
    )
    if new_owner:
        db.session.flush()
        _tell_owner(by, item, item.review)
    commit()


def set_action_done(
    by: Person, item: BusinessActionItem, done: bool, *, expected_version: int | None, now: datetime
) -> None:
    """Tick (or untick) an item: its owner, or whoever runs the review."""
    policy.require(by, "business_action.complete", item)
    check_version(item, expected_version)
    if item.is_done == done:
        return
    before = item.snapshot()
    item.is_done = done
    item.done_at = now if done else None
    audit.record(
        by,
        "business_action.done" if done else "business_action.reopen",
        "business_action_item",
        item.id,
        before,
        item.snapshot(),
    )
    commit()


def delete_action_item(by: Person, item: BusinessActionItem) -> None:
    policy.require(by, "business.edit", item.review)
    audit.record(
        by, "business_action.delete", "business_action_item", item.id, item.snapshot(), None
    )
    db.session.delete(item)
    db.session.commit()


@dataclass(frozen=True)
class MyItem:
    item: BusinessActionItem
    review: BusinessReview
    can_open_review: bool


def my_action_items(viewer: Person, *, limit: int = 200) -> list[MyItem]:
    """The viewer's own items: open first (soonest due first, no date last), then done ones
    (latest first). Two statements: the items with their reviews, and which reviews the
    viewer may open."""
    stmt = (
        select(BusinessActionItem)
        .options(joinedload(BusinessActionItem.review))
        .where(BusinessActionItem.owner_id == viewer.id)
        .order_by(
            BusinessActionItem.is_done,
            case((BusinessActionItem.due_on.is_(None), 1), else_=0),
            BusinessActionItem.due_on,
            BusinessActionItem.done_at.desc(),
            BusinessActionItem.id,
        )
        .limit(limit)
    )
    items = list(db.session.scalars(stmt).unique())
    node_ids = {i.person_id for i in items}
    visible: set[int] = set()
    if node_ids:
        visible = set(
            db.session.scalars(
                policy.visible_person_ids(viewer, Area.KPIS).where(Person.id.in_(node_ids))
            )
        )
    return [MyItem(i, i.review, i.person_id in visible) for i in items]


def open_action_summary(viewer: Person) -> tuple[int, date | None]:
    """How many of the viewer's own items are open, and the earliest due date among them: the
    open rows my_action_items lists first (one statement)."""
    count, due = db.session.execute(
        select(func.count(), func.min(BusinessActionItem.due_on)).where(
            BusinessActionItem.owner_id == viewer.id, BusinessActionItem.is_done.is_(False)
        )
    ).one()
    return int(count), due
