"""Server-side records of signed-in sessions, so that sign-out really ends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, UTCDateTime, utcnow
from portal.org.models import Person


class UserSession(IdMixin, Base):
    __tablename__ = "user_session"
    # sha256 of the random token kept in the signed cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    person: Mapped[Person] = relationship()
