"""KPI definitions, their targets and the daily values per person."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.org.models import Position


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better (CSAT)
    LOWER = "lower"  # lower is better (handle time)


class Aggregation(enum.StrEnum):
    MEAN = "mean"  # mean of the daily values
    SUM = "sum"  # total of the daily values
    RATE = "rate"  # sum of numerators / sum of denominators
    WEIGHTED = "weighted"  # sum(value x weight) / sum(weight)


_direction_type, _direction_check = enum_column(Direction, "direction", 8)
_aggregation_type, _aggregation_check = enum_column(Aggregation, "aggregation", 16)

kpi_position = Table(
    "kpi_position",
    Base.metadata,
    Column("kpi_id", ForeignKey("kpi.id"), primary_key=True),
    Column("position_id", ForeignKey("position.id"), primary_key=True, index=True),
)


class Kpi(IdMixin, TimestampMixin, Base):
    """A metric definition. Archived, never deleted: its values stay."""

    __tablename__ = "kpi"
    __table_args__ = (_direction_check, _aggregation_check)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(16), default="")
    direction: Mapped[str] = mapped_column(_direction_type)
    aggregation: Mapped[str] = mapped_column(_aggregation_type)
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    positions: Mapped[list[Position]] = relationship(secondary=kpi_position, lazy="selectin")
    targets: Mapped[list[KpiTarget]] = relationship(
        back_populates="kpi", lazy="selectin", cascade="all, delete-orphan"
    )

    def snapshot(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "direction": self.direction,
            "aggregation": self.aggregation,
            "decimals": self.decimals,
            "is_archived": self.is_archived,
            "positions": sorted(p.id for p in self.positions),
        }


class KpiTarget(IdMixin, TimestampMixin, Base):
    """A KPI's target for a market or for a team (a team's target overrides its market's)."""

    __tablename__ = "kpi_target"
    __table_args__ = (
        CheckConstraint("(market_id IS NULL) <> (team_id IS NULL)", name="market_or_team"),
        UniqueConstraint("kpi_id", "market_id"),
        UniqueConstraint("kpi_id", "team_id"),
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    target: Mapped[Decimal] = mapped_column(Numeric(18, 6))

    kpi: Mapped[Kpi] = relationship(back_populates="targets")


class KpiValue(IdMixin, Base):
    """One person's value of one KPI on one day. For a rate: numerator and denominator; for a
    weighted mean: value and weight; otherwise value alone."""

    __tablename__ = "kpi_value"
    __table_args__ = (
        # Person first, then the day: a team's values for a period are one range per person
        # (this index also serves the person_id foreign key).
        UniqueConstraint("person_id", "value_on", "kpi_id"),
        Index("ix_kpi_value_kpi_id_value_on", "kpi_id", "value_on"),
        # The roll-up's watermark: the first day written after its refresh.
        Index("ix_kpi_value_updated_at", "updated_at"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))
    value_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    numerator: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    denominator: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
