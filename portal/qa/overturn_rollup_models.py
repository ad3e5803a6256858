"""Evaluator overturn counts summed ahead, refreshed by `flask rollups refresh`.

`QaOverturnRollup`: one row per (boundary, evaluator, agent) holding the counts of that pair's
submitted (non-draft) evaluations submitted before the boundary (UTC midnight of `before_on`):
evaluations, disputed, resolved, re-scored. The rows are cumulative, so a read takes exactly one
boundary (one row per pair, a few thousand rows) and counts the evaluations submitted since then
from the raw rows. Boundaries: the first of every month, and every day of the last weeks before
the refresh (kept in the `RollupState` named "overturns"). No foreign keys: the table is derived
and rebuilt whole by each refresh.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class QaOverturnRollup(Base):
    __tablename__ = "qa_overturn_rollup"
    before_on: Mapped[date] = mapped_column(Date, primary_key=True)
    evaluator_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the agent
    n: Mapped[int] = mapped_column(Integer)
    disputed: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    rescored: Mapped[int] = mapped_column(Integer)
