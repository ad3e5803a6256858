"""Refreshing the stored best meeting per 1:1 series and week (best_week_models), and how far
a read may use it.

`refresh` (from `flask rollups refresh`) recomputes every week that is over in every time zone
and before the current week everywhere: a Monday W with W + 8 days on or before the refresh's
UTC day. In those weeks a meeting still scheduled has passed, whatever the time of the read, so
the stored rank is the one the raw rule gives at any later moment.

The counts per org node and week (portal.coaching.node_weeks) are recomputed from the stored
rows in the same transaction.

`stored_through` says through which Monday the stored rows are exact now: the refresh's last
week, lowered to before the first week (in any time zone) holding a meeting written since the
refresh (`one_on_one.updated_at`, indexed; a write's transaction may commit a few minutes after
its stamp: the refresh's time is recorded `MARGIN` early), and lowered on write by a deleted
meeting or a report's new time zone (best_week_models). Later weeks are read raw.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select

from portal.coaching.best_week_models import STATE_NAME, OneOnOneBestWeek
from portal.coaching.models import MeetingStatus, OneOnOne, OneOnOneSeries
from portal.db import utcnow
from portal.extensions import db
from portal.kpis.rollup_models import RollupState, record_state
from portal.org.models import Person

MARGIN = timedelta(minutes=1)


def last_frozen_monday(moment: datetime) -> date:
    """The last Monday whose week had ended in every time zone at `moment`."""
    day = moment.astimezone(UTC).date() - timedelta(days=8)
    return day - timedelta(days=day.weekday())


def refresh(now: datetime | None = None) -> tuple[int, int]:
    """Recompute every stored week, and the counts per node from them. Commits. Returns the
    rows held: best meetings, counts per node and week."""
    from portal.coaching import cells, node_weeks
    from portal.kpis import rollup as kpi_rollup

    started = now or utcnow()
    through = last_frozen_monday(started)
    dialect = db.session.get_bind().dialect.name
    zones = cells.zones_in_play(dialect, [])
    zone = func.coalesce(Person.time_zone, "UTC")
    monday = cells.local_monday(OneOnOne.scheduled_at, zone, dialect, zones, started)
    source = (
        select(OneOnOne.series_id, monday, func.min(cells.meeting_rank(started)))
        .join(OneOnOneSeries, OneOnOneSeries.id == OneOnOne.series_id)
        .join(Person, Person.id == OneOnOneSeries.person_id)
        .where(
            OneOnOne.status != MeetingStatus.RESCHEDULED,
            OneOnOne.scheduled_at < datetime.combine(through + timedelta(days=8), time(0), UTC),
        )
        .group_by(OneOnOne.series_id, monday)
        .having(monday <= through)
    )
    db.session.execute(delete(OneOnOneBestWeek))
    db.session.execute(
        insert(OneOnOneBestWeek).from_select(["series_id", "monday", "best"], source)
    )
    written = db.session.execute(select(func.count()).select_from(OneOnOneBestWeek)).scalar_one()
    record_state(STATE_NAME, through_on=through, refreshed_at=started - MARGIN, node_ids=[])
    node_rows = node_weeks.refresh(through, started - MARGIN, kpi_rollup.rolled_node_ids())
    db.session.commit()
    return written, node_rows


def stored_through(now: datetime) -> date | None:
    """The last Monday whose stored rows are exact at `now` (None: read every week raw). Two
    statements: the state, then the first meeting written since (the moment bound as a value,
    not correlated, so that the planner reads it from the updated_at index)."""
    state = db.session.execute(
        select(RollupState.through_on, RollupState.refreshed_at).where(
            RollupState.name == STATE_NAME
        )
    ).first()
    if state is None or state.through_on is None:
        return None
    first_changed = db.session.execute(
        select(func.min(OneOnOne.scheduled_at)).where(OneOnOne.updated_at > state.refreshed_at)
    ).scalar()
    through = min(state.through_on, last_frozen_monday(now))
    if first_changed is not None:
        day = first_changed.astimezone(UTC).date() - timedelta(
            days=1
        )  # any zone's week starts after
        through = min(through, day - timedelta(days=day.weekday() + 7))
    return through
