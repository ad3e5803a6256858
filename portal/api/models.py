"""Personal access tokens: a person's credential for the JSON API (/api/v1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, UTCDateTime, utcnow
from portal.org.models import Person


class ApiToken(IdMixin, Base):
    """One token: only the sha256 of its secret is kept; the prefix tells tokens apart."""

    __tablename__ = "api_token"
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # "pat_" and 8 hex digits: the start of the secret, shown in lists and audit entries.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated, each one of portal.api.tokens.SCOPES ("people:read kpis:write").
    scopes: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_address: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def snapshot(self) -> dict:
        """The audited fields (never the secret or its hash)."""
        return {
            "person_id": self.person_id,
            "name": self.name,
            "prefix": self.prefix,
            "scopes": self.scopes,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }
