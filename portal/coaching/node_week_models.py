"""1:1 completion counted per org node and week, stored by `flask rollups refresh`
(portal.coaching.node_weeks), so that the team view's 1:1 panel and the completion page of a
large subtree add up a few hundred stored counts instead of every series-week below it.

One row per (rolled-up node, Monday, the node's direct report the cells fall under, the
series' supervisor, the report's team and market, and for a meeting outside its series' span
the series' start and end): how many cells of the series of the people
strictly below the node were held, missed, cancelled and not recorded that week. The weeks are
those the stored best meetings hold (portal.coaching.best_week_models): over everywhere, so a
cell without a meeting in a week due is "not recorded" for good.

A read over the weeks [first, last] counts a series begun by last + 7 days and not ended
before first (as the raw count and the pure grid do). Every week due, and every meeting inside
its series' span (begun by the week's Sunday, not ended before its Monday), passes that test
whatever the range: their rows carry no span. A meeting outside it (kept after the series
ended, say) passes for some ranges only: its row keeps the series' start and end for the read
to test.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, IdMixin

STATE_NAME = "one_on_one_node_week"


class OneOnOneNodeWeek(IdMixin, Base):
    __tablename__ = "one_on_one_node_week"
    __table_args__ = (
        # A read takes one node's weeks in a range.
        Index("ix_one_on_one_node_week_node_id_monday", "node_id", "monday"),
    )
    node_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    monday: Mapped[date] = mapped_column(Date)
    child_id: Mapped[int] = mapped_column(Integer)  # the node's direct report (an id, no FK)
    supervisor_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    market_id: Mapped[int | None] = mapped_column(Integer)
    series_starts_on: Mapped[date | None] = mapped_column(Date)  # only outside the span
    series_ended_on: Mapped[date | None] = mapped_column(Date)
    held: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    not_recorded: Mapped[int] = mapped_column(Integer, default=0)
