"""Improvement plans: a plan for one person, its measurable expectations, its check-ins (a
value per expectation and a note) and its history (opened, started, acknowledged, extended,
closed).

Every table stores the person the plan is about in `person_id`, so
`policy.scoped(..., Area.IMPROVEMENT)` serves them all: the person, their manager line and HR.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.goals.progress import Direction
from portal.org.models import Person


class PlanState(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class Outcome(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    EXTENDED = "extended"  # a decision at the end of a period: the plan goes on, longer


class EventKind(enum.StrEnum):
    OPENED = "opened"
    EDITED = "edited"
    STARTED = "started"
    ACKNOWLEDGED = "acknowledged"
    CHECKED_IN = "checked_in"
    EXTENDED = "extended"
    CLOSED = "closed"


_state_type, _state_check = enum_column(PlanState, "state", 16)
_outcome_type, _outcome_check = enum_column(Outcome, "outcome", 16)
_direction_type, _direction_check = enum_column(Direction, "direction", 8)
_kind_type, _kind_check = enum_column(EventKind, "kind", 16)
_event_outcome_type, _event_outcome_check = enum_column(Outcome, "outcome", 16)

VALUE = Numeric(14, 4)


class ImprovementPlan(IdMixin, TimestampMixin, Base):
    """A PIP for one person, opened by someone in their manager line or HR."""

    __tablename__ = "improvement_plan"
    __table_args__ = (
        _state_check,
        _outcome_check,
        CheckConstraint("length_days IN (30, 60, 90)", name="length"),
        CheckConstraint("check_in_every_days BETWEEN 1 AND 31", name="cadence"),
        CheckConstraint("ends_on >= starts_on", name="period"),
        Index("ix_improvement_plan_state_ends_on", "state", "ends_on"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[str] = mapped_column(_state_type, default=PlanState.DRAFT)
    reason: Mapped[str] = mapped_column(Text)
    support: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    length_days: Mapped[int] = mapped_column(Integer)
    # starts_on + length_days + every extension's days (rules.end_date).
    ends_on: Mapped[date] = mapped_column(Date)
    check_in_every_days: Mapped[int] = mapped_column(Integer, default=7)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledgement_comment: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(_outcome_type)
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    # The creating form's one-time token: a double submit finds it taken and makes one plan.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    opened_by: Mapped[Person] = relationship(foreign_keys=[opened_by_id])
    expectations: Mapped[list[Expectation]] = relationship(
        back_populates="plan", order_by="Expectation.id", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.state == PlanState.DRAFT

    @property
    def is_active(self) -> bool:
        return self.state == PlanState.ACTIVE

    def snapshot(self) -> dict:
        return {
            "state": self.state,
            "person_id": self.person_id,
            "starts_on": self.starts_on.isoformat(),
            "length_days": self.length_days,
            "ends_on": self.ends_on.isoformat(),
            "check_in_every_days": self.check_in_every_days,
            "reason": self.reason,
            "support": self.support,
            "outcome": self.outcome,
            "outcome_reason": self.outcome_reason,
            "acknowledged": self.acknowledged_at is not None,
        }


class Expectation(IdMixin, Base):
    """One measurable expectation of a plan: a metric from a baseline to a target in a direction
    (the goals' progress maths), with an optional due date."""

    __tablename__ = "improvement_expectation"
    __table_args__ = (UniqueConstraint("plan_id", "title"), _direction_check)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(32), default="")
    baseline: Mapped[Decimal] = mapped_column(VALUE)
    target: Mapped[Decimal] = mapped_column(VALUE)
    direction: Mapped[str] = mapped_column(_direction_type)
    due_on: Mapped[date | None] = mapped_column(Date)
    # The value of the latest check-in (by date) that measured it, kept so lists need no
    # query per expectation.
    latest_value: Mapped[Decimal | None] = mapped_column(VALUE)
    latest_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[ImprovementPlan] = relationship(back_populates="expectations")

    def snapshot(self) -> dict:
        return {
            "title": self.title,
            "metric": self.metric,
            "unit": self.unit,
            "baseline": str(self.baseline),
            "target": str(self.target),
            "direction": self.direction,
            "due_on": self.due_on.isoformat() if self.due_on else None,
        }


class PlanCheckIn(IdMixin, Base):
    """A check-in on a plan: the day it was held, who held it, a note, and the values measured."""

    __tablename__ = "improvement_check_in"
    __table_args__ = (Index("ix_improvement_check_in_plan_id_held_on", "plan_id", "held_on"),)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    token: Mapped[str] = mapped_column(String(64), unique=True)

    by: Mapped[Person] = relationship(foreign_keys=[by_id])
    values: Mapped[list[CheckInValue]] = relationship(
        back_populates="check_in", order_by="CheckInValue.expectation_id", cascade="all"
    )


class CheckInValue(IdMixin, Base):
    """The value of one expectation measured at a check-in."""

    __tablename__ = "improvement_check_in_value"
    __table_args__ = (UniqueConstraint("check_in_id", "expectation_id"),)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("improvement_check_in.id"))
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("improvement_expectation.id"), index=True
    )
    value: Mapped[Decimal] = mapped_column(VALUE)

    check_in: Mapped[PlanCheckIn] = relationship(back_populates="values")


class PlanEvent(IdMixin, Base):
    """The plan's history as its people read it: who did what when, with the reason given
    (an extension keeps its days and the new end date)."""

    __tablename__ = "improvement_plan_event"
    __table_args__ = (_kind_check, _event_outcome_check)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(_kind_type)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    days: Mapped[int | None] = mapped_column(Integer)
    ends_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(_event_outcome_type)

    by: Mapped[Person | None] = relationship(foreign_keys=[by_id])
