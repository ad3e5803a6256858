"""Notifications: a record for a person that something needs their attention.

Shown in the portal's notification list and, by the person's preference for its kind, e-mailed
at once or gathered in a daily or weekly digest. `kind` names the event ("evaluation.submitted",
...); `url` is where the notification leads (a path); `params` fills the kind's message,
translated when shown, so a notification reads in the recipient's language. `params["details"]`
may hold up to ten short plain-text lines shown under the message (e.g. a 1:1's agenda).

E-mail state of a notification (`email_state`):
- "none": shown in the portal only;
- "pending": to be e-mailed at once, when `email_next_at` has come (retried with backoff);
- "sending": claimed by a sender (back to "pending" if the sender died: see delivery.py);
- "sent": e-mailed (`emailed_at`); "failed": gave up after MAX_ATTEMPTS (still in the portal);
- "digest": waiting for the person's daily or weekly digest (`channel`);
- "digested": taken into the digest `digest_id`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, UTCDateTime, utcnow
from portal.org.models import Person

CHANNELS = ("portal", "immediate", "daily", "weekly")
CADENCES = ("daily", "weekly")


class Notification(IdMixin, Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_person_id_id", "person_id", "id"),
        # The header badge's COUNT: the person's unread ones.
        Index("ix_notification_person_id_read_at", "person_id", "read_at"),
        # The senders' queues: pending by due time, digest-waiting by person.
        Index("ix_notification_email_state_next_at", "email_state", "email_next_at"),
        Index("ix_notification_digest_id", "digest_id"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the recipient
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column()
    url: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How it is delivered beyond the portal (decided from the preference when raised).
    channel: Mapped[str] = mapped_column(String(16), default="portal", server_default="portal")
    email_state: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    email_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_error: Mapped[str | None] = mapped_column(String(255))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification_digest.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])

    @property
    def details(self) -> list[str]:
        """The params' "details" lines: at most ten short strings, whatever was stored."""
        lines = (self.params or {}).get("details") or []
        if not isinstance(lines, list):
            return []
        return [str(line)[:300] for line in lines[:10] if line not in (None, "")]


class NotificationPreference(IdMixin, Base):
    """How a person wants one kind delivered; no row means the default (urgent kinds at once,
    the rest in the daily digest)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("person_id", "kind"),)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class NotificationDigest(IdMixin, Base):
    """One digest e-mail: a person's daily (period = the local day) or weekly (period = the
    local Monday) gathering. Unique per (person, cadence, period): never sent twice."""

    __tablename__ = "notification_digest"
    __table_args__ = (
        UniqueConstraint("person_id", "cadence", "period"),
        Index("ix_notification_digest_state_next_at", "state", "next_at"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    cadence: Mapped[str] = mapped_column(String(16))
    period: Mapped[date] = mapped_column(Date)
    # pending | sending | sent | failed
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()
