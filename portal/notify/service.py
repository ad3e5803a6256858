"""Raise and read notifications.

A feature registers the kinds it raises with their message (a lazy-translated template over
the notification's params); `notify` records one for a person; the list page shows them newest
first. Raising one for oneself is skipped: nobody needs to be told what they just did.

When a notification is raised, the recipient's preference for its kind decides how it goes
beyond the portal: e-mailed at once (delivery.send_pending), in a daily or weekly digest
(digests.send_due), or not at all. The choice is remembered on the notification.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from portal import time_format
from portal.db import utcnow
from portal.extensions import db
from portal.notify.models import Notification
from portal.org.models import Person

MESSAGES: dict[str, LazyString] = {}
LABELS: dict[str, LazyString] = {}  # what the kind is about, for the preferences page
# kind -> {param: the message of notifications stored without that param (raised before the
# message gained it)}: they keep reading as they did, never with an empty gap.
WITHOUT: dict[str, dict[str, LazyString]] = {}
URGENT: set[str] = set()  # kinds e-mailed at once by default (the rest: daily digest)
EMAIL_STATE_FOR = {"portal": "none", "immediate": "pending", "daily": "digest", "weekly": "digest"}


def register_kind(
    kind: str,
    message: LazyString,
    *,
    label: LazyString | None = None,
    urgent: bool = False,
    without: Mapping[str, LazyString] | None = None,
) -> None:
    """Declare a notification kind and its message, e.g. `_l("%(actor)s shared ...")`.

    `label` names the kind on the preferences page ("A review was shared with me"); `urgent`
    kinds are e-mailed at once unless the person chose otherwise, the rest go in a digest.
    `without` keeps older notifications reading as before when the message gains a param:
    {"reason": the message as it was} is used for those stored without "reason"."""
    MESSAGES[kind] = message
    WITHOUT[kind] = dict(without or {})
    if label is not None:
        LABELS[kind] = label
    if urgent:
        URGENT.add(kind)
    else:
        URGENT.discard(kind)


def notify(
    recipient: Person | int,
    actor: Person | None,
    kind: str,
    record_type: str,
    record_id: int,
    url: str,
    **params: Any,
) -> Notification | None:
    if kind not in MESSAGES:
        raise KeyError(f"unregistered notification kind {kind!r}")
    recipient_id = recipient if isinstance(recipient, int) else recipient.id
    if actor is not None and actor.id == recipient_id:
        return None
    note = Notification(
        person_id=recipient_id,
        actor_id=actor.id if actor else None,
        kind=kind,
        record_type=record_type,
        record_id=record_id,
        url=url,
        params={"actor": actor.display_name if actor else "", **params},
    )
    # The channel (the recipient's preference) is set at the flush, for every notification
    # raised meanwhile in one query: a reminder job raising hundreds asks once, not each time.
    db.session.add(note)
    return note


@event.listens_for(Session, "before_flush")
def _deliver_by_preference(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, Notification) and obj.channel is None]
    if not new:
        return
    from portal.notify.preferences import channels_of

    chosen = channels_of({(note.person_id, note.kind) for note in new}, session)
    now = utcnow()
    for note in new:
        note.channel = chosen[(note.person_id, note.kind)]
        note.email_state = EMAIL_STATE_FOR[note.channel]
        note.email_next_at = now if note.channel == "immediate" else None


def message(note: Notification) -> str:
    template = MESSAGES.get(note.kind)
    if template is None:
        return note.kind
    params = note.params or {}
    for key, older in WITHOUT.get(note.kind, {}).items():
        if key not in params:
            template = older
            break
    try:
        return str(template) % _Params(time_format.shown_params(note.params))
    except (TypeError, ValueError):
        return str(template)


class _Params(dict):
    """A message's parameters where one the notification was stored without (a kind whose
    message gained a parameter later) reads as empty text rather than breaking the message."""

    def __missing__(self, key: str) -> str:
        return ""


def unread_count(person: Person) -> int:
    stmt = select(func.count()).where(
        Notification.person_id == person.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def page(person: Person, before_id: int | None, size: int = 50) -> list[Notification]:
    """The person's notifications, newest first, keyset-paged on id."""
    stmt = select(Notification).where(Notification.person_id == person.id)
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(size)))


def mark_read(person: Person, note_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of the person as read."""
    stmt = update(Notification).where(
        Notification.person_id == person.id, Notification.read_at.is_(None)
    )
    if note_id is not None:
        stmt = stmt.where(Notification.id == note_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount or 0
