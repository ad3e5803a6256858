"""Reading back the notifications a test raised."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.notify.models import Notification


def told(kind: str) -> list[tuple[int, int, str]]:
    """(recipient, record id, url) of every notification of the kind, sorted."""
    return sorted(
        db.session.execute(
            select(Notification.person_id, Notification.record_id, Notification.url).where(
                Notification.kind == kind
            )
        ).all()
    )
