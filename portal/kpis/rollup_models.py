"""Pre-aggregated daily KPI sums per org node, refreshed by `flask rollups refresh`.

One row per (node, KPI, day, market, segment): the sums `kpis.queries` computes, over the daily
values of everyone at or below the node whose current market and segment are those. Only nodes
with a large subtree are rolled up (small ones are fast raw). `RollupState` records how far a
roll-up is exact: through which day, and when it was refreshed (values or people changed after
that make the reader fall back to raw rows).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, IdMixin, UTCDateTime

SUM_TYPE = Numeric(24, 6)


class KpiRollupDaily(IdMixin, Base):
    __tablename__ = "kpi_rollup_daily"
    __table_args__ = (Index("ix_kpi_rollup_daily_node_id_value_on", "node_id", "value_on"),)
    node_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    value_on: Mapped[date] = mapped_column(Date)
    market_id: Mapped[int | None] = mapped_column(Integer)
    segment_id: Mapped[int | None] = mapped_column(Integer)
    n_value: Mapped[int] = mapped_column(Integer)
    value_sum: Mapped[Decimal | None] = mapped_column(SUM_TYPE)
    n_rate: Mapped[int] = mapped_column(Integer)
    numerator_sum: Mapped[Decimal | None] = mapped_column(SUM_TYPE)
    denominator_sum: Mapped[Decimal | None] = mapped_column(SUM_TYPE)
    n_weighted: Mapped[int] = mapped_column(Integer)
    weighted_sum: Mapped[Decimal | None] = mapped_column(SUM_TYPE)
    weight_sum: Mapped[Decimal | None] = mapped_column(SUM_TYPE)


class RollupState(Base):
    """How far a roll-up is exact: its days through `through_on`, as of `refreshed_at`."""

    __tablename__ = "rollup_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    through_on: Mapped[date | None] = mapped_column(Date)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The node ids rolled up (people with at least MIN_SUBTREE people at or below them).
    node_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


def record_state(
    name: str, *, through_on: date | None, refreshed_at: datetime, node_ids: list
) -> RollupState:
    """Write (or create) a roll-up's state at the end of its refresh; not committed."""
    from portal.extensions import db

    state = db.session.get(RollupState, name)
    if state is None:
        state = RollupState(name=name)
        db.session.add(state)
    state.through_on = through_on
    state.refreshed_at = refreshed_at
    state.node_ids = node_ids
    return state
