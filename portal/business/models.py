"""Business reviews of an org node (and optionally one market) for a week or a month, with the
decisions and action items recorded in the meeting.

Each record stores the node in `person_id`, so `policy.scoped(..., Area.KPIS)` decides who
sees it; an action item's owner is `owner_id` (owners also see their own items).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.kpis.periods import Period, PeriodKind, period_containing
from portal.org.models import Market, Person


class ReviewKind(enum.StrEnum):
    WBR = "wbr"  # weekly business review
    MBR = "mbr"  # monthly business review


class ReviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"


PERIOD_OF_KIND = {ReviewKind.WBR: PeriodKind.WEEK, ReviewKind.MBR: PeriodKind.MONTH}

TRANSITIONS: dict[tuple[ReviewStatus, str], ReviewStatus] = {
    (ReviewStatus.SCHEDULED, "hold"): ReviewStatus.HELD,
    (ReviewStatus.HELD, "reopen"): ReviewStatus.SCHEDULED,
}

_kind_type, _kind_check = enum_column(ReviewKind, "kind", 8)
_status_type, _status_check = enum_column(ReviewStatus, "status", 16)


def scope_key(kind: str, person_id: int, market_id: int | None, period_start: date) -> str:
    """The natural key of a review: one per kind, node, market (or none) and period."""
    return f"{kind}:{person_id}:{market_id or 0}:{period_start.isoformat()}"


class BusinessReview(IdMixin, TimestampMixin, Base):
    __tablename__ = "business_review"
    __table_args__ = (
        Index("ix_business_review_person_id_period_start", "person_id", "period_start"),
        Index("ix_business_review_period_start_id", "period_start", "id"),
        _kind_check,
        _status_check,
    )
    kind: Mapped[str] = mapped_column(_kind_type)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the org node
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # kind:node:market:start; unique, so a double-submitted form makes one review.
    scope_key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(_status_type, default=ReviewStatus.SCHEDULED, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The figures as they were when the review was held (see business.figures); None while
    # scheduled, when the page computes them live.
    snapshot: Mapped[Any | None] = mapped_column(JSON)
    snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    node: Mapped[Person] = relationship(foreign_keys=[person_id])
    market: Mapped[Market | None] = relationship()
    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id])

    @property
    def period(self) -> Period:
        return period_containing(PERIOD_OF_KIND[ReviewKind(self.kind)], self.period_start)

    @property
    def is_held(self) -> bool:
        return self.status == ReviewStatus.HELD

    def audit_view(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "person_id": self.person_id,
            "market_id": self.market_id,
            "period_start": self.period_start.isoformat(),
            "title": self.title,
            "status": self.status,
            "notes_length": len(self.notes or ""),
        }


class BusinessDecision(IdMixin, Base):
    """A decision recorded in a review."""

    __tablename__ = "business_decision"
    __table_args__ = (
        Index("ix_business_decision_review_id", "review_id", "id"),
        Index("uq_business_decision_review_id_token", "review_id", "request_token", unique=True),
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("business_review.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # the node
    body: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    request_token: Mapped[str | None] = mapped_column(String(64))

    recorded_by: Mapped[Person] = relationship(foreign_keys=[recorded_by_id])


class BusinessActionItem(IdMixin, TimestampMixin, Base):
    """Something one person will do by a date, agreed in a review."""

    __tablename__ = "business_action_item"
    __table_args__ = (
        Index("ix_business_action_item_review_id", "review_id", "id"),
        Index("ix_business_action_item_owner_id_is_done", "owner_id", "is_done"),
        Index("uq_business_action_item_review_id_token", "review_id", "request_token", unique=True),
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("business_review.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # the node
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_token: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    review: Mapped[BusinessReview] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "owner_id": self.owner_id,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "is_done": self.is_done,
        }

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < today
