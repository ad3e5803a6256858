"""Kudos: recognition from anyone to anyone, tied to a value or competency.

Seen by the recipient, the giver, the recipient's reporting line and HR (Area.RECOGNITION);
a public kudos also appears on the recipient's team feed for their teammates.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal import audit, policy
from portal.db import create_once, fresh_token, usable_token
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.training.models import Kudos

register_kind(
    "kudos.received",
    _l("%(actor)s gave you kudos for %(value)s"),
    label=_l("I received kudos"),
)

VALUES = (
    "Customer first",
    "Ownership",
    "Teamwork",
    "Product knowledge",
    "Empathy",
    "Going the extra mile",
)


def give_kudos(
    giver: Person,
    recipient_id: int,
    value: str,
    message: str,
    is_public: bool,
    token: str,
    url: str,
) -> Kudos:
    policy.require(giver, "kudos.give")
    recipient = db.session.get(Person, recipient_id)
    # Kudos go from anyone to anyone active, across teams and markets (the giver names the
    # recipient by employee ID or e-mail; nothing about them is shown back).
    if recipient is None or not recipient.is_active:
        raise NotFound()
    if recipient.id == giver.id:
        raise InvalidTransition()
    token = usable_token(token) or fresh_token()  # a double submit gives them once

    def make() -> Kudos:
        return Kudos(
            person_id=recipient.id,
            giver_id=giver.id,
            value=value,
            message=message.strip(),
            is_public=is_public,
            token=token,
        )

    kudos, created = create_once(Kudos, make, token=token, giver_id=giver.id)
    if not created:
        return kudos
    notify(recipient, giver, "kudos.received", "kudos", kudos.id, url, value=value)
    audit.record(
        giver,
        "kudos.give",
        "kudos",
        kudos.id,
        None,
        {"person_id": recipient.id, "value": value, "public": is_public},
    )
    db.session.commit()
    return kudos


def kudos_feed(viewer: Person, *, before_id: int | None = None, limit: int = 25) -> list[Kudos]:
    """Kudos the viewer may read, newest first: received, given, about people in their
    reporting line (or everyone for HR), and public kudos to their teammates."""
    teammates = select(Person.id).where(
        Person.team_id == viewer.team_id, Person.team_id.is_not(None)
    )
    stmt = (
        select(Kudos)
        .where(
            or_(
                Kudos.person_id.in_(policy.visible_person_ids(viewer, policy.Area.RECOGNITION)),
                Kudos.giver_id == viewer.id,
                Kudos.is_public.is_(True) & Kudos.person_id.in_(teammates),
            )
        )
        .options(joinedload(Kudos.person), joinedload(Kudos.giver))
    )
    if before_id is not None:
        stmt = stmt.where(Kudos.id < before_id)
    return list(db.session.scalars(stmt.order_by(Kudos.id.desc()).limit(limit)))


def count_received(viewer: Person, since: datetime) -> int:
    """Kudos the viewer received from `since` on (all of them are in their `kudos_feed`)."""
    stmt = select(func.count()).where(Kudos.person_id == viewer.id, Kudos.created_at >= since)
    return int(db.session.execute(stmt).scalar_one())
