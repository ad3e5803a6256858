"""The 1:1 completion and coaching effect pages answer from the cache and are never stale: for
every kind of write that feeds them, read (the cache fills), read again (a hit), write, read:
built afresh, equal to the page with the cache off. A second read computes nothing, and a
viewer who may not see a supervisor still gets 404 when the drill-down is cached for another."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.coaching import meetings
from portal.coaching import series as series_service
from portal.extensions import db
from tests import cache_checks as checks
from tests.coaching.helpers import (
    NOW,
    make_evaluation,
    meetings_of,
    scorecard_question_ids,
    setup_series,
)
from tests.coaching.test_effect_rollup import coached
from tests.conftest import as_user

COMPLETION = "/coaching/completion"
EFFECTS = "/coaching/effects"
# Monday 16 March 2026, 01:58 UTC (09:58 in Hong Kong): the 1:1s of sup_a's series (set up on
# Wednesday 4 March, Mondays 10:00 Hong Kong = 02:00 UTC) of the 9th has passed, not recorded,
# and the one of the 16th is two minutes ahead.
BEFORE_TEN = datetime(2026, 3, 16, 1, 58, tzinfo=UTC)


def read(client, address: str) -> str:
    return checks.read(client, address, checks.main_of)


def fresh(client, cache, address: str) -> str:
    return checks.fresh(client, cache, address, checks.main_of)


def write_then_read(client, cache, address: str, write) -> str:
    return checks.write_then_read(client, cache, address, write, view=checks.main_of)


@pytest.fixture
def clock(monkeypatch):
    """The page's and the keys' clock held still (moved by appending a moment)."""
    moments = [BEFORE_TEN]
    monkeypatch.setattr("portal.cache.utcnow", lambda: moments[-1])
    monkeypatch.setattr("portal.blueprints.coaching.completion_views.utcnow", lambda: moments[-1])
    return moments


# ---- 1:1 completion ----------------------------------------------------------------------------


@pytest.fixture
def series(world, clock):
    return setup_series(world, now=NOW)


def test_a_recorded_meeting_shows_on_the_next_completion_read(client, cache, world, series):
    as_user(client, world.sup_a)
    [passed] = [m for m in meetings_of(series[world.agent_a1.id]) if m.scheduled_at < BEFORE_TEN]

    def write():
        meetings.record_status(
            world.sup_a, passed, "hold", expected_version=passed.version, now=BEFORE_TEN
        )
        db.session.commit()

    write_then_read(client, cache, COMPLETION, write)


def test_a_new_series_shows_on_the_next_completion_read(client, cache, world, series):
    as_user(client, world.manager_hk)

    def write():
        series_service.setup_team(world.sup_b, weekday=0, start_time=time(10), now=NOW)
        db.session.commit()

    after = write_then_read(client, cache, COMPLETION, write)
    assert world.sup_b.name in after


def test_a_renamed_report_shows_on_the_next_completion_read(client, cache, world, series):
    as_user(client, world.sup_a)

    def write():
        world.agent_a1.name = "Renamed MK-RENAMED"
        db.session.commit()

    assert "Renamed MK-RENAMED" in write_then_read(client, cache, COMPLETION, write)


def test_a_meeting_whose_time_passes_turns_not_recorded_without_a_write(
    client, cache, world, series, clock
):
    as_user(client, world.sup_a)
    first = read(client, COMPLETION)
    assert read(client, COMPLETION) == first
    clock.append(BEFORE_TEN + timedelta(minutes=12))  # the 1:1 of 02:00 is over
    misses = cache.misses
    after = read(client, COMPLETION)
    assert cache.misses == misses + 1
    assert after == fresh(client, cache, COMPLETION) and after != first


def test_a_second_completion_read_computes_nothing(client, world, series, monkeypatch):
    from portal.blueprints.coaching import completion_views

    calls = []
    real = completion_views.completion_figures

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(completion_views, "completion_figures", counted)
    as_user(client, world.manager_hk)
    first = read(client, COMPLETION)
    assert read(client, COMPLETION) == first
    assert len(calls) == 1


def test_a_cached_drill_down_is_still_404_for_a_viewer_who_may_not_see_it(app, world, series):
    address = f"{COMPLETION}?supervisor={world.sup_a.id}"
    manager = as_user(app.test_client(), world.manager_hk)
    assert world.agent_a1.name in read(manager, address)
    assert world.agent_a1.name in read(manager, address)  # cached for the manager
    other = as_user(app.test_client(), world.sup_c)
    assert other.get(address).status_code == 404


# ---- coaching effect ---------------------------------------------------------------------------


@pytest.fixture
def effect_world(world):
    version_id, (greet, confirm) = scorecard_question_ids(world)
    held = date.today() - timedelta(days=10)
    coached(world, world.agent_a1, world.sup_a, version_id, [greet],
            before=[0, 0, 1], after=[1, 1, 1], held_on=held)  # fmt: skip
    world.effect = (version_id, greet, confirm, held)
    return world


def test_a_new_coaching_session_shows_on_the_next_effect_read(client, cache, effect_world):
    w = effect_world
    version_id, greet, confirm, held = w.effect
    as_user(client, w.manager_hk)

    def write():
        coached(w, w.agent_b1, w.sup_b, version_id, [confirm],
                before=[0, 0], after=[1], held_on=held)  # fmt: skip
        db.session.commit()

    after = write_then_read(client, cache, EFFECTS, write)
    assert w.sup_b.name in after


def test_a_new_evaluation_after_the_session_shows_on_the_next_effect_read(
    client, cache, effect_world
):
    w = effect_world
    version_id, greet, _confirm, held = w.effect
    as_user(client, w.sup_a)

    def write():
        at = datetime.combine(held, time(0), tzinfo=UTC) + timedelta(days=2)
        make_evaluation(w, w.agent_a1, version_id, submitted_at=at, outcomes={greet: (0, 1)})
        db.session.commit()

    write_then_read(client, cache, EFFECTS, write)


def test_a_renamed_team_shows_on_the_next_effect_read(client, cache, effect_world):
    w = effect_world
    as_user(client, w.sup_a)

    def write():
        w.team_a.name = "Renamed team MK-TEAM"
        db.session.commit()

    assert "Renamed team MK-TEAM" in write_then_read(client, cache, EFFECTS, write)


def test_a_second_effect_read_computes_nothing(client, effect_world, monkeypatch):
    from portal.coaching import effect_queries

    calls = []
    real = effect_queries.effect_roll_ups

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(effect_queries, "effect_roll_ups", counted)
    as_user(client, effect_world.sup_a)
    first = read(client, EFFECTS)
    assert read(client, EFFECTS) == first
    assert len(calls) == 1
    assert read(client, f"{EFFECTS}?days=90") != first  # another period: its own entry
    assert len(calls) == 2
