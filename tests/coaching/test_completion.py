"""Completion counts for a small known org over known weeks, time-zone edges included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

from portal.coaching.completion import (
    Cell,
    MeetingFact,
    SeriesRow,
    build_grid,
    roll_up,
    week_starts,
)

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)  # a Wednesday
WEEKS = week_starts(date(2026, 3, 23), 4)  # 2, 9, 16, 23 March


def row(
    series_id,
    person_id,
    supervisor_id,
    tz="Asia/Hong_Kong",
    team=1,
    market=1,
    weekly=True,
    starts_on=date(2026, 1, 1),
):
    return SeriesRow(series_id, person_id, supervisor_id, team, market, tz, weekly, starts_on)


def at(day: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_week_starts_are_the_last_mondays():
    assert WEEKS == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]


def test_each_week_gets_the_best_state_recorded_in_it():
    rows = [row(1, 10, 100)]
    meetings = [
        MeetingFact(1, at(2), "held"),
        MeetingFact(1, at(9), "missed"),
        MeetingFact(1, at(16), "rescheduled"),
        MeetingFact(1, at(18), "cancelled"),
        MeetingFact(1, at(23), "scheduled"),  # Monday of this week, passed, not recorded
    ]
    grid = build_grid(rows, meetings, WEEKS, NOW)
    assert [grid.cells[(1, w)] for w in WEEKS] == [
        Cell.HELD,
        Cell.MISSED,
        Cell.CANCELLED,
        Cell.NOT_RECORDED,
    ]
    tally = grid.row_tally(1)
    assert (tally.held, tally.missed, tally.cancelled, tally.not_recorded) == (1, 1, 1, 1)
    assert tally.held_share == Fraction(1, 4) and tally.expected == 4


def test_a_weekly_series_with_no_meeting_in_a_past_week_is_not_recorded_and_future_ones_wait():
    rows = [row(1, 10, 100)]
    meetings = [MeetingFact(1, at(27), "scheduled")]  # Friday this week, not yet
    grid = build_grid(rows, meetings, WEEKS, NOW)
    assert [grid.cells[(1, w)] for w in WEEKS] == [
        Cell.NOT_RECORDED,
        Cell.NOT_RECORDED,
        Cell.NOT_RECORDED,
        Cell.UPCOMING,
    ]


def test_weeks_before_the_series_started_are_not_counted():
    grid = build_grid([row(1, 10, 100, starts_on=date(2026, 3, 12))], [], WEEKS, NOW)
    assert grid.cells[(1, WEEKS[0])] == Cell.NONE
    assert grid.cells[(1, WEEKS[1])] == Cell.NOT_RECORDED  # started that week
    assert grid.row_tally(1).expected == 2


def test_a_fortnightly_series_is_only_expected_in_its_weeks():
    grid = build_grid(
        [row(1, 10, 100, weekly=False)],
        [MeetingFact(1, at(2), "held"), MeetingFact(1, at(16), "held")],
        WEEKS,
        NOW,
    )
    assert [grid.cells[(1, w)] for w in WEEKS] == [Cell.HELD, Cell.NONE, Cell.HELD, Cell.UPCOMING]
    assert grid.row_tally(1).held_share == 1


def test_a_meeting_on_monday_0030_in_tokyo_counts_in_that_mondays_week():
    # Monday 9 March 00:30 in Tokyo = Sunday 8 March 15:30 UTC.
    sunday_utc = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)
    tokyo = build_grid(
        [row(1, 10, 100, tz="Asia/Tokyo")], [MeetingFact(1, sunday_utc, "held")], WEEKS, NOW
    )
    assert tokyo.cells[(1, date(2026, 3, 9))] == Cell.HELD
    assert tokyo.cells[(1, date(2026, 3, 2))] == Cell.NOT_RECORDED
    london = build_grid(
        [row(1, 10, 100, tz="Europe/London")], [MeetingFact(1, sunday_utc, "held")], WEEKS, NOW
    )
    assert london.cells[(1, date(2026, 3, 2))] == Cell.HELD
    assert london.cells[(1, date(2026, 3, 9))] == Cell.NOT_RECORDED


def test_the_current_week_is_computed_in_the_reports_zone():
    # Sunday 22 March 20:00 UTC is already Monday 23 March in Tokyo, still Sunday in London.
    now = datetime(2026, 3, 22, 20, 0, tzinfo=UTC)
    weeks = week_starts(date(2026, 3, 16), 2)
    grid = build_grid(
        [row(1, 10, 100, tz="Asia/Tokyo"), row(2, 11, 100, tz="Europe/London")], [], weeks, now
    )
    assert grid.cells[(1, date(2026, 3, 16))] == Cell.NOT_RECORDED  # Tokyo's last week is over
    assert grid.cells[(2, date(2026, 3, 16))] == Cell.UPCOMING  # London's is still running


def test_roll_up_by_supervisor_team_and_market():
    rows = [
        row(1, 10, 100, team=1, market=1),
        row(2, 11, 100, team=1, market=1),
        row(3, 12, 200, team=2, market=1),
        row(4, 13, 300, team=3, market=2, tz="Asia/Tokyo"),
    ]
    meetings = [MeetingFact(s, at(d), "held") for s in (1, 2, 3, 4) for d in (2, 9, 16)]
    meetings += [MeetingFact(2, at(23, 1), "missed")]
    meetings += [MeetingFact(3, at(23, 1), "held")]
    grid = build_grid(rows, meetings, WEEKS, NOW)
    by_sup = roll_up(grid, lambda r: r.supervisor_id)
    assert (by_sup[100].held, by_sup[100].missed, by_sup[100].expected) == (6, 1, 7)
    assert by_sup[200].held_share == 1 and by_sup[200].expected == 4
    assert by_sup[300].expected == 3  # the week running in Tokyo, nothing recorded: upcoming
    by_market = roll_up(grid, lambda r: r.market_id)
    assert by_market[1].held == 10 and by_market[1].expected == 11
    assert by_market[2].held_share == 1
    assert grid.total().expected == 14 and grid.total().held == 13
    by_team = roll_up(grid, lambda r: r.team_id)
    assert by_team[1].held_share == Fraction(6, 7)


def test_completion_groups_by_name_then_id_unnamed_last():
    """Two supervisors may share a name: the page's order must not depend on which was counted
    first (stored counts and meetings come in different orders)."""
    from portal.blueprints.coaching.completion_views import _by_name

    names = {7: "Lee", 3: "Lee", 5: "Chan"}
    groups = {None: "x", 7: "a", 3: "b", 5: "c"}
    assert [k for k, _v in _by_name(groups, names)] == [5, 3, 7, None]
    assert [k for k, _v in _by_name(dict(reversed(groups.items())), names)] == [5, 3, 7, None]
