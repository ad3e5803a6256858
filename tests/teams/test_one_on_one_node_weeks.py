"""The 1:1 counts per org node and week (coaching.node_weeks) give the team view's 1:1 panel and
the completion page exactly the counts of the meetings: right after a refresh, and after every
kind of write since (a status recorded, a meeting deleted, a person moved or given another
team, a series changed, a time zone changed), on random data in several time zones, for every
rolled-up node, periods sharing a week and weeks apart. The stored rows are really read."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from portal.coaching import best_weeks, completion, node_weeks
from portal.coaching import cells as one_on_one_cells
from portal.coaching import queries as coaching_queries
from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.coaching.node_week_models import OneOnOneNodeWeek
from portal.dashboards import team_one_on_ones
from portal.extensions import db
from portal.kpis.queries import ViewFilters, population
from portal.org.models import Person
from portal.policy import Area

from .test_one_on_one_cells import NOW, WEEKS, _plain, _random_world

STORED_THROUGH = date(2026, 10, 12)  # the last Monday over everywhere at NOW
PERIODS = [
    [(w, 0) for w in WEEKS[:4]] + [(w, 1) for w in WEEKS[4:]],  # stored, then partly raw
    [(WEEKS[2], 0), (WEEKS[2], 1), (WEEKS[6], 1)],  # two periods sharing their only week
    [(WEEKS[0], 1), (WEEKS[3], 1), (WEEKS[5], 0), (WEEKS[7], 1)],  # weeks apart
    [(w, 1) for w in WEEKS[:5]],  # every week stored
]


@pytest.fixture(autouse=True)
def small_nodes(app):
    app.config["KPI_ROLLUP_MIN_SUBTREE"] = 2  # the small org's managers are rolled up
    yield
    app.config.pop("KPI_ROLLUP_MIN_SUBTREE", None)


def _aged_world(world, seed: int) -> None:
    """The random world, written long before NOW (people, series, meetings), refreshed then."""
    _random_world(world, random.Random(seed))
    long_ago = NOW - timedelta(days=30)
    db.session.execute(update(OneOnOne).values(updated_at=long_ago))
    db.session.execute(update(OneOnOneSeries).values(updated_at=long_ago))
    db.session.execute(update(Person).values(org_changed_at=long_ago))
    db.session.commit()
    best, per_node = best_weeks.refresh(NOW)
    assert best > 0 and per_node > 0


def _first_meeting_from(week: date) -> OneOnOne:
    return db.session.scalars(
        select(OneOnOne)
        .where(OneOnOne.scheduled_at >= datetime.combine(week, time(12), UTC))
        .order_by(OneOnOne.scheduled_at)
    ).first()


def _nodes(world) -> list[Person]:
    return [world.head, world.manager_hk, world.manager_jp, world.sup_a]


def _panel_counts(world, node, tagged, *, narrowed: bool = False) -> dict:
    people = population(world.head, node, ViewFilters(), Area.COACHING).where(Person.id != node.id)
    return _plain(team_one_on_ones.node_tallies(world.head, node, people, tagged, NOW, narrowed))


def _raw_counts(world, node, tagged) -> dict:
    people = population(world.head, node, ViewFilters(), Area.COACHING).where(Person.id != node.id)
    return _plain(one_on_one_cells.tallies(world.head, node, people, tagged, NOW))


def _pure_roll_ups(viewer) -> tuple[dict, dict, dict, tuple]:
    grid = coaching_queries.completion_grid(viewer, weeks=WEEKS, now=NOW)
    groups = tuple(
        {k: _counts(t) for k, t in completion.roll_up(grid, key).items() if t.expected}
        for key in (lambda r: r.supervisor_id, lambda r: r.team_id, lambda r: r.market_id)
    )
    return (*groups, _counts(grid.total()))


def _roll_ups(viewer) -> tuple[dict, dict, dict, tuple]:
    found = coaching_queries.completion_roll_ups(viewer, weeks=WEEKS, now=NOW)
    groups = tuple(
        {k: _counts(t) for k, t in by.items()}
        for by in (found.by_supervisor, found.by_team, found.by_market)
    )
    return (*groups, _counts(found.total))


def _counts(tally) -> tuple[int, int, int, int]:
    return (tally.held, tally.missed, tally.cancelled, tally.not_recorded)


def _check_equal(world) -> None:
    for node in _nodes(world):
        for tagged in PERIODS:
            assert _panel_counts(world, node, tagged) == _raw_counts(world, node, tagged)
    for viewer in (world.head, world.manager_hk, world.manager_jp, world.sup_a):
        assert _roll_ups(viewer) == _pure_roll_ups(viewer)


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_the_counts_per_node_equal_the_meetings(world, seed):
    _aged_world(world, seed)
    assert node_weeks.through(world.head, world.head, narrowed=False, now=NOW) == STORED_THROUGH
    _check_equal(world)


def test_the_stored_counts_are_read(world):
    _aged_world(world, 44)
    tagged = PERIODS[0]
    before = _panel_counts(world, world.head, tagged)
    page_before = _roll_ups(world.head)
    db.session.execute(update(OneOnOneNodeWeek).values(held=OneOnOneNodeWeek.held + 1))
    db.session.commit()
    assert _panel_counts(world, world.head, tagged) != before
    assert _roll_ups(world.head) != page_before
    # A filtered read, or a viewer who does not see the whole subtree, reads no stored row.
    assert node_weeks.through(world.head, world.head, narrowed=True, now=NOW) is None
    assert node_weeks.through(world.sup_a, world.head, narrowed=False, now=NOW) is None
    assert _panel_counts(world, world.head, tagged, narrowed=True) == before


def test_a_node_not_rolled_up_reads_the_meetings(world):
    _aged_world(world, 45)
    assert node_weeks.through(world.head, world.agent_a1, narrowed=False, now=NOW) is None
    assert node_weeks.through(world.head, world.sup_b, narrowed=False, now=NOW) is not None


@pytest.mark.parametrize("seed", [46, 47])
def test_a_status_recorded_after_the_refresh(world, seed):
    _aged_world(world, seed)
    meeting = _first_meeting_from(WEEKS[2])
    meeting.status = "held" if meeting.status != "held" else "missed"
    db.session.commit()
    last = node_weeks.through(world.head, world.head, narrowed=False, now=NOW)
    assert last is None or last < meeting.scheduled_at.date()
    _check_equal(world)


@pytest.mark.parametrize("seed", [48, 49])
def test_a_meeting_deleted_after_the_refresh(world, seed):
    _aged_world(world, seed)
    meeting = _first_meeting_from(WEEKS[1])
    db.session.delete(meeting)
    db.session.commit()
    last = node_weeks.through(world.head, world.head, narrowed=False, now=NOW)
    assert last is None or last < meeting.scheduled_at.date()
    _check_equal(world)


@pytest.mark.parametrize("change", ["team", "move", "series", "time zone", "new series"])
def test_people_or_series_changed_after_the_refresh(world, change):
    _aged_world(world, 50)
    if change == "team":
        world.agent_a1.team_id = world.sup_c.team_id
    elif change == "move":
        from portal.org import tree

        tree.move(world.agent_b1, world.sup_c)
    elif change == "series":
        series = db.session.scalars(select(OneOnOneSeries).order_by(OneOnOneSeries.id)).first()
        series.cadence = "monthly" if series.cadence == "weekly" else "weekly"
    elif change == "time zone":
        world.agent_c1.time_zone = "Asia/Tokyo" if world.agent_c1.time_zone == "UTC" else "UTC"
    else:
        db.session.add(
            OneOnOneSeries(
                person_id=world.sup_b.id,
                supervisor_id=world.manager_hk.id,
                cadence="weekly",
                weekday=0,
                start_time=time(9),
                time_zone="UTC",
                starts_on=WEEKS[0] - timedelta(days=30),
                ended_on=WEEKS[0] - timedelta(days=1),
            )
        )
    db.session.commit()
    assert node_weeks.through(world.head, world.head, narrowed=False, now=NOW) is None
    _check_equal(world)


def test_a_refresh_after_the_writes_is_exact_again(world):
    _aged_world(world, 51)
    world.agent_a2.team_id = world.sup_b.team_id
    db.session.commit()
    later = datetime.now(UTC) + timedelta(minutes=5)
    best_weeks.refresh(later)
    assert node_weeks.through(world.head, world.head, narrowed=False, now=later) is not None
    for node in _nodes(world):
        weeks = [(best_weeks.last_frozen_monday(later) - timedelta(weeks=i), 1) for i in range(6)]
        people = population(world.head, node, ViewFilters(), Area.COACHING).where(
            Person.id != node.id
        )
        stored = team_one_on_ones.node_tallies(world.head, node, people, weeks, later, False)
        raw = one_on_one_cells.tallies(world.head, node, people, weeks, later)
        assert _plain(stored) == _plain(raw)


def test_flask_rollups_refresh_stores_the_counts_per_node(app, world):
    _random_world(world, random.Random(52))
    result = app.test_cli_runner().invoke(args=["rollups", "refresh"])
    assert result.exit_code == 0, result.output
    assert "counts per node and week:" in result.output
    nodes = set(db.session.scalars(select(OneOnOneNodeWeek.node_id).distinct()))
    assert world.head.id in nodes and world.agent_a1.id not in nodes
