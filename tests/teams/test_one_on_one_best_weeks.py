"""The stored best meeting per series and week (coaching.best_weeks) gives the counts of the raw
meetings exactly: right after a refresh, and after every kind of write since (a status recorded,
a meeting added or deleted, a report's time zone changed, a series changed), on random data in
several time zones. The stored rows are really read (spoiling them changes the counts)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from portal.coaching import best_weeks, completion
from portal.coaching import cells as one_on_one_cells
from portal.coaching import queries as coaching_queries
from portal.coaching.best_week_models import OneOnOneBestWeek
from portal.coaching.completion import Tally
from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.kpis.queries import ViewFilters, population
from portal.policy import Area

from .test_one_on_one_cells import NOW, WEEKS, _plain, _pure, _random_world

STORED_THROUGH = date(2026, 10, 12)  # the last Monday over everywhere at NOW (a Wednesday)


def _aged_world(world, seed: int) -> None:
    """The random world, written long before NOW and refreshed at NOW."""
    _random_world(world, random.Random(seed))
    db.session.execute(update(OneOnOne).values(updated_at=NOW - timedelta(days=30)))
    db.session.commit()
    assert best_weeks.refresh(NOW)[0] > 0


def _check_equal(world) -> None:
    tagged = [(w, 0) for w in WEEKS[:4]] + [(w, 1) for w in WEEKS[4:]]
    people = population(world.head, world.head, ViewFilters(), Area.COACHING)
    sql = one_on_one_cells.tallies(world.head, world.head, people, tagged, NOW)
    assert _plain(sql) == _plain(_pure(world, world.head, people, tagged))
    for viewer in (world.head, world.manager_hk):
        grid = coaching_queries.completion_grid(viewer, weeks=WEEKS, now=NOW)
        found = coaching_queries.completion_roll_ups(viewer, weeks=WEEKS, now=NOW)
        pure = completion.roll_up(grid, lambda r: r.supervisor_id)
        assert {k: _counts(t) for k, t in found.by_supervisor.items()} == {
            k: _counts(t) for k, t in pure.items() if t.expected
        }
        assert _counts(found.total) == _counts(grid.total())


def _counts(tally) -> tuple[int, int, int, int]:
    return (tally.held, tally.missed, tally.cancelled, tally.not_recorded)


def _monday(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def _stored_meeting(status: str | None = None) -> OneOnOne:
    """A meeting in the middle of the stored weeks."""
    stmt = select(OneOnOne).where(
        OneOnOne.scheduled_at >= datetime.combine(WEEKS[2], time(12), UTC),
        OneOnOne.scheduled_at < datetime.combine(WEEKS[4], time(0), UTC),
    )
    if status:
        stmt = stmt.where(OneOnOne.status == status)
    return db.session.scalars(stmt.order_by(OneOnOne.id)).first()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_stored_weeks_count_as_the_raw_meetings(world, seed):
    _aged_world(world, seed)
    assert best_weeks.stored_through(NOW) == STORED_THROUGH
    _check_equal(world)


def test_the_stored_rows_are_read(world):
    _aged_world(world, 14)
    people = population(world.head, world.head, ViewFilters(), Area.COACHING)
    tagged = [(w, 1) for w in WEEKS]
    before = one_on_one_cells.tallies(world.head, world.head, people, tagged, NOW)
    db.session.execute(update(OneOnOneBestWeek).values(best=0))
    db.session.commit()
    spoilt = one_on_one_cells.tallies(world.head, world.head, people, tagged, NOW)
    assert _plain(spoilt) != _plain(before)


def test_nothing_is_stored_for_a_week_not_over_everywhere(world):
    _aged_world(world, 15)
    stored = db.session.scalars(select(OneOnOneBestWeek.monday).distinct()).all()
    assert stored and max(stored) == STORED_THROUGH
    # Read earlier than the refresh (never in real life), the stored weeks stop earlier too.
    assert best_weeks.stored_through(NOW - timedelta(days=7)) == STORED_THROUGH - timedelta(7)


@pytest.mark.parametrize("seed", [21, 22])
def test_a_status_recorded_after_the_refresh(world, seed):
    _aged_world(world, seed)
    meeting = _stored_meeting()
    meeting.status = "held" if meeting.status != "held" else "missed"
    db.session.commit()
    assert best_weeks.stored_through(NOW) < _monday(meeting.scheduled_at) - timedelta(days=1)
    _check_equal(world)


@pytest.mark.parametrize("seed", [23, 24])
def test_a_meeting_added_after_the_refresh(world, seed):
    _aged_world(world, seed)
    series = db.session.scalars(select(OneOnOneSeries).order_by(OneOnOneSeries.id)).first()
    at = datetime.combine(WEEKS[1] + timedelta(days=3), time(7, 17), UTC)
    db.session.add(
        OneOnOne(
            series_id=series.id,
            person_id=series.person_id,
            supervisor_id=series.supervisor_id,
            scheduled_at=at,
            status="held",
        )
    )
    db.session.commit()
    assert best_weeks.stored_through(NOW) < WEEKS[1]
    _check_equal(world)


@pytest.mark.parametrize("seed", [25, 26])
def test_a_meeting_deleted_after_the_refresh(world, seed):
    _aged_world(world, seed)
    meeting = _stored_meeting("held")
    week = _monday(meeting.scheduled_at)
    for other in db.session.scalars(
        select(OneOnOne).where(
            OneOnOne.series_id == meeting.series_id, OneOnOne.scheduled_at >= meeting.scheduled_at
        )
    ):
        db.session.delete(other)  # the meeting and every later one of its series
    db.session.commit()
    assert best_weeks.stored_through(NOW) < week - timedelta(days=1)
    _check_equal(world)


@pytest.mark.parametrize("seed", [27, 28])
def test_a_time_zone_changed_after_the_refresh(world, seed):
    _aged_world(world, seed)
    people = [world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1]
    for person in people + [world.sup_a, world.sup_b, world.sup_c]:
        # 7 to 9 hours away: meetings near midnight move to another week.
        person.time_zone = "Asia/Tokyo" if person.time_zone == "UTC" else "UTC"
    db.session.commit()
    assert best_weeks.stored_through(NOW) is None
    _check_equal(world)


@pytest.mark.parametrize("seed", [29, 30])
def test_a_series_changed_after_the_refresh_is_read_live(world, seed):
    _aged_world(world, seed)
    for series in db.session.scalars(select(OneOnOneSeries)):
        if series.cadence == "weekly":
            series.cadence = "monthly"
        else:
            series.cadence = "weekly"
            series.starts_on = WEEKS[0] - timedelta(days=10)
        if series.ended_on is None:
            series.ended_on = WEEKS[3] + timedelta(days=2)
    db.session.commit()
    assert best_weeks.stored_through(NOW) == STORED_THROUGH
    _check_equal(world)


def test_a_refresh_after_the_writes_is_exact_again(world):
    _aged_world(world, 31)
    _stored_meeting().status = "cancelled"
    world.sup_a.time_zone = "Asia/Ho_Chi_Minh"
    db.session.commit()
    later = datetime.now(UTC) + timedelta(minutes=5)
    best_weeks.refresh(later)
    assert best_weeks.stored_through(later) == best_weeks.last_frozen_monday(later)
    _check_equal(world)


@pytest.mark.parametrize(
    "tagged",
    [
        [(WEEKS[2], 0), (WEEKS[2], 1), (WEEKS[6], 1)],  # two periods sharing their only week
        [(WEEKS[0], 1), (WEEKS[3], 1), (WEEKS[5], 0), (WEEKS[7], 1)],  # weeks apart
    ],
)
def test_weeks_shared_or_apart_count_as_the_raw_meetings(world, tagged):
    _aged_world(world, 32)
    people = population(world.head, world.head, ViewFilters(), Area.COACHING)
    sql = one_on_one_cells.tallies(world.head, world.head, people, tagged, NOW)
    # The grid of the weeks asked for (its series: those not ended before the first of them
    # nor begun after the last, as the SQL's).
    weeks = sorted({day for day, _tag in tagged})
    grid = coaching_queries.completion_grid(world.head, weeks=weeks, now=NOW, people=people)
    children = [world.manager_hk, world.manager_jp]
    pure: dict = {}
    for row in grid.rows:
        path = grid.people[row.person_id].path
        child = next((c.id for c in children if path.startswith(c.path)), None)
        for week, tag in tagged:
            pure.setdefault((child, tag), Tally()).add(grid.cells[(row.series_id, week)])
    assert _plain(sql) == _plain(pure)


def test_flask_rollups_refresh_stores_the_best_meetings(app, world):
    _random_world(world, random.Random(33))
    result = app.test_cli_runner().invoke(args=["rollups", "refresh"])
    assert result.exit_code == 0, result.output
    assert "1:1 best meeting per week:" in result.output
    stored = db.session.scalars(select(OneOnOneBestWeek.monday).distinct()).all()
    assert stored and max(stored) <= best_weeks.last_frozen_monday(datetime.now(UTC))
