"""The SQL count of 1:1 cells equals the 1:1 programme's pure rules (coaching.completion) on
random series and meetings: every status, rescheduled meetings, past and upcoming weeks, ended
and non-weekly series, several time zones and meetings near midnight."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.coaching import cells as one_on_one_cells
from portal.coaching import queries as coaching_queries
from portal.coaching.completion import Tally
from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.kpis.queries import ViewFilters, population
from portal.policy import Area

FIRST = date(2026, 9, 7)  # a Monday
WEEKS = [FIRST + timedelta(weeks=i) for i in range(8)]
NOW = datetime(2026, 10, 21, 9, 30, tzinfo=UTC)  # a Wednesday: the last weeks are ahead
STATUSES = ["held", "missed", "cancelled", "scheduled", "rescheduled"]


def _zones(dialect: str) -> list[str]:
    # SQLite shifts by each zone's offset now (no zone database): zones without DST only.
    fixed = ["Asia/Hong_Kong", "Asia/Tokyo", "UTC", "Asia/Ho_Chi_Minh"]
    return fixed + (["America/Los_Angeles", "Europe/London"] if dialect == "postgresql" else [])


def _random_world(world, rng: random.Random) -> None:
    zones = _zones(db.session.get_bind().dialect.name)
    people = [world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1]
    people += [world.sup_a, world.sup_b, world.sup_c]
    for person in people:
        person.time_zone = rng.choice(zones)
        for ended in (True, False):
            if ended and rng.random() < 0.5:
                continue
            s = OneOnOneSeries(
                person_id=person.id,
                supervisor_id=person.manager_id,
                cadence=rng.choice(["weekly", "weekly", "biweekly", "monthly"]),
                weekday=0,
                start_time=time(10),
                time_zone=person.time_zone,
                starts_on=FIRST + timedelta(days=rng.randint(-20, 30)),
                ended_on=FIRST + timedelta(days=rng.randint(10, 40)) if ended else None,
            )
            db.session.add(s)
            db.session.flush()
            moments = set()
            for week in WEEKS + [WEEKS[-1] + timedelta(weeks=1)]:
                for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
                    at = datetime.combine(week, time(0), UTC) + timedelta(
                        minutes=rng.randint(-24 * 60, 8 * 24 * 60)
                    )
                    if at in moments:
                        continue
                    moments.add(at)
                    db.session.add(
                        OneOnOne(
                            series_id=s.id,
                            person_id=person.id,
                            supervisor_id=s.supervisor_id,
                            scheduled_at=at,
                            status=rng.choice(STATUSES),
                            cancel_reason="x",
                        )
                    )
    db.session.commit()


def _pure(world, node, people, tagged) -> dict:
    grid = coaching_queries.completion_grid(world.head, weeks=WEEKS, now=NOW, people=people)
    children = [world.manager_hk, world.manager_jp] if node is world.head else []
    result: dict = {}
    for row in grid.rows:
        path = grid.people[row.person_id].path
        child = next((c.id for c in children if path.startswith(c.path)), None)
        for week, tag in tagged:
            tally = result.setdefault((child, tag), Tally())
            tally.add(grid.cells[(row.series_id, week)])
    return result


def _plain(tallies: dict) -> dict:
    return {
        key: (t.held, t.missed, t.cancelled, t.not_recorded)
        for key, t in tallies.items()
        if t.expected
    }


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sql_cells_equal_the_pure_rules(world, seed):
    _random_world(world, random.Random(seed))
    tagged = [(w, 0) for w in WEEKS[:4]] + [(w, 1) for w in WEEKS[4:]]
    people = population(world.head, world.head, ViewFilters(), Area.COACHING)
    sql = one_on_one_cells.tallies(world.head, world.head, people, tagged, NOW)
    assert _plain(sql) == _plain(_pure(world, world.head, people, tagged))
    every = Tally()
    for t in sql.values():
        every.held, every.missed = every.held + t.held, every.missed + t.missed
        every.cancelled += t.cancelled
        every.not_recorded += t.not_recorded
    assert every.held and every.missed and every.cancelled and every.not_recorded


def _plain_by_key(tallies: dict) -> dict:
    """The groups with anything expected (the completion page lists no other)."""
    return {
        key: (t.held, t.missed, t.cancelled, t.not_recorded)
        for key, t in tallies.items()
        if t.expected
    }


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_completion_roll_ups_equal_the_pure_grid_roll_ups(world, seed):
    """The completion page's totals and roll-ups by supervisor, team and market, counted by the
    database, equal completion.roll_up of the pure grid, for every viewer and a supervisor."""
    from portal.coaching import completion

    _random_world(world, random.Random(seed))
    cases = [(viewer, None) for viewer in (world.head, world.manager_hk, world.sup_a)]
    cases += [(world.agent_a1, None), (world.head, world.sup_b.id)]
    for viewer, supervisor_id in cases:
        grid = coaching_queries.completion_grid(
            viewer, weeks=WEEKS, now=NOW, supervisor_id=supervisor_id
        )
        sql = coaching_queries.completion_roll_ups(
            viewer, weeks=WEEKS, now=NOW, supervisor_id=supervisor_id
        )
        assert _plain_by_key(sql.by_supervisor) == _plain_by_key(
            completion.roll_up(grid, lambda r: r.supervisor_id)
        )
        assert _plain_by_key(sql.by_team) == _plain_by_key(
            completion.roll_up(grid, lambda r: r.team_id)
        )
        assert _plain_by_key(sql.by_market) == _plain_by_key(
            completion.roll_up(grid, lambda r: r.market_id)
        )
        assert _plain_by_key({0: sql.total}) == _plain_by_key({0: grid.total()})
        if viewer is world.head and supervisor_id is None:
            assert len(sql.by_supervisor) > 1 and sql.total.expected
