"""Notifications: a record for a person that something needs their attention.

Shown in the portal's notification list (e-mail later). `kind` names the event
("evaluation.submitted", ...); `url` is where the notification leads; `params` fills the
kind's message, translated when shown, so a notification reads in the recipient's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, UTCDateTime, utcnow
from portal.org.models import Person


class Notification(IdMixin, Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_id_id", "person_id", "id"),)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the recipient
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column()
    url: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])
