"""Corrective actions, their follow-up dates and the records they refer to.

An action is about one person (`person_id`), so `policy.scoped(..., Area.IMPROVEMENT)` reaches it
(the person, their manager line, HR); a draft is its author's alone (policy.scoped_conduct)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.conduct.rules import Kind, State
from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column
from portal.org.models import Person

_kind_type, _kind_check = enum_column(Kind, "kind", 24)
_state_type, _state_check = enum_column(State, "state", 16)


class LinkType(enum.StrEnum):
    """The kinds of record an action may refer to (all about the same person)."""

    EVALUATION = "evaluation"  # a QA evaluation
    REVIEW = "review"  # a performance review (a cycle's enrolment)
    KPI = "kpi"  # a KPI definition the person has values of
    ONE_ON_ONE = "one_on_one"  # a 1:1 meeting


_link_type, _link_check = enum_column(LinkType, "record_type", 16)


class CorrectiveAction(IdMixin, TimestampMixin, Base):
    """A documented conversation or warning about one person, by someone in their manager line
    or HR."""

    __tablename__ = "corrective_action"
    __table_args__ = (
        Index("ix_corrective_action_person_id_id", "person_id", "id"),
        UniqueConstraint("author_id", "request_token"),
        _kind_check,
        _state_check,
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(_kind_type)
    state: Mapped[str] = mapped_column(_state_type, default=State.DRAFT, index=True)
    held_on: Mapped[date] = mapped_column(Date)  # the day of the conversation
    facts: Mapped[str] = mapped_column(Text)
    expectations: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_on: Mapped[date | None] = mapped_column(Date)
    # Fixed at issue from the settings then (the letter states how long it stays on file).
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledgment_comment: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    request_token: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    closed_by: Mapped[Person | None] = relationship(foreign_keys=[closed_by_id])
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="action",
        order_by="FollowUp.due_on",
        cascade="all, delete-orphan",
    )
    links: Mapped[list[ActionLink]] = relationship(
        back_populates="action",
        order_by="(ActionLink.record_type, ActionLink.record_id)",
        cascade="all, delete-orphan",
    )

    @property
    def is_draft(self) -> bool:
        return self.state == State.DRAFT

    def snapshot(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "author_id": self.author_id,
            "kind": self.kind,
            "state": self.state,
            "held_on": self.held_on.isoformat() if self.held_on else None,
            "facts": self.facts,
            "expectations": self.expectations,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "acknowledgment_comment": self.acknowledgment_comment,
            "follow_ups": [f.due_on.isoformat() for f in self.follow_ups],
            "links": [f"{link.record_type}:{link.record_id}" for link in self.links],
        }


class FollowUp(IdMixin, Base):
    """A date to look again at whether the expectations are met; done with a note."""

    __tablename__ = "corrective_action_follow_up"
    __table_args__ = (
        UniqueConstraint("action_id", "due_on"),
        Index("ix_corrective_action_follow_up_due_on", "due_on"),
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("corrective_action.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")

    action: Mapped[CorrectiveAction] = relationship(back_populates="follow_ups")
    done_by: Mapped[Person | None] = relationship(foreign_keys=[done_by_id])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ActionLink(IdMixin, Base):
    """One record the action refers to: an evaluation, a review, a KPI or a 1:1."""

    __tablename__ = "corrective_action_link"
    __table_args__ = (
        UniqueConstraint("action_id", "record_type", "record_id"),
        CheckConstraint("record_id > 0", name="record_id_positive"),
        _link_check,
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("corrective_action.id"))
    record_type: Mapped[str] = mapped_column(_link_type)
    record_id: Mapped[int] = mapped_column(Integer)

    action: Mapped[CorrectiveAction] = relationship(back_populates="links")
