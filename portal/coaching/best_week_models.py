"""The best meeting of each 1:1 series in each week that is over everywhere, stored by
`flask rollups refresh` (portal.coaching.best_weeks), so that the completion counts of many
weeks do not regroup every meeting on each read.

One row per (series, Monday of the report's week holding at least one meeting that is not
rescheduled): the rank of the best of them (0 held, 1 missed, 2 cancelled, 3 still scheduled,
i.e. "not recorded" since the week is over), exactly what portal.coaching.cells
computes from the meetings. The series' own columns (cadence, start, end) and the report's
team, market and place in the org are not stored: they are read live.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, case, event, inspect, update
from sqlalchemy.orm import Mapped, mapped_column

from portal.coaching.models import OneOnOne
from portal.db import Base
from portal.kpis.rollup_models import RollupState
from portal.org.models import Person


class OneOnOneBestWeek(Base):
    __tablename__ = "one_on_one_best_week"
    __table_args__ = (
        # The counts read a range of weeks for every series: an index-only scan.
        Index("ix_one_on_one_best_week_monday_series_id_best", "monday", "series_id", "best"),
    )
    series_id: Mapped[int] = mapped_column(ForeignKey("one_on_one_series.id"), primary_key=True)
    monday: Mapped[date] = mapped_column(Date, primary_key=True)
    best: Mapped[int] = mapped_column(Integer)


# --- What a refresh cannot see coming: kept exact on write -------------------------------------
# A meeting written after the refresh moves the watermark through its updated_at (read by
# portal.coaching.best_weeks). Two writes leave no such trace, and lower the stored weeks'
# end themselves: a meeting deleted (only meetings ahead are, today, but any would do), and a
# report's time zone changed (their weeks are other Mondays: nothing stored is used until the
# next refresh).

STATE_NAME = "one_on_one_week"


def _lower_through(connection: Any, last: date | None) -> None:
    column = RollupState.through_on
    value = None if last is None else case((column > last, last), else_=column)
    connection.execute(
        update(RollupState.__table__).where(RollupState.name == STATE_NAME).values(through_on=value)
    )


@event.listens_for(OneOnOne, "after_delete")
def _meeting_deleted(_mapper, connection, meeting: OneOnOne) -> None:
    # The meeting's week, in any time zone, starts on or after the Monday before its UTC day.
    day = meeting.scheduled_at.astimezone(UTC).date() - timedelta(days=1)
    _lower_through(connection, day - timedelta(days=day.weekday() + 7))


@event.listens_for(Person, "before_update")
def _time_zone_changed(_mapper, connection, person: Person) -> None:
    if inspect(person).attrs["time_zone"].history.has_changes():
        _lower_through(connection, None)
