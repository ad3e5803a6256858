""" "Did every report get their weekly 1:1?": pure roll-up of meetings into report x week cells.

Weeks run Monday to Sunday in the report's own time zone (a meeting on Monday 00:30 in Tokyo is
in that Monday's week there, though it is still Sunday in UTC). A week's cell is the best thing
recorded in it: held, else missed, else cancelled; a meeting still "scheduled" once its time has
passed is "not recorded", and so is a week of a weekly series with no meeting at all. A meeting
that was rescheduled counts through its replacement only. Upcoming weeks are left out.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from portal.coaching.schedule import week_start


class Cell(enum.StrEnum):
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"
    NOT_RECORDED = "not_recorded"
    UPCOMING = "upcoming"  # not yet due: left out of every count
    NONE = "none"  # no meeting expected that week (before the series, or not its week)


# Best first: the state a week shows when it holds several meetings.
_RANK = [Cell.HELD, Cell.MISSED, Cell.CANCELLED, Cell.NOT_RECORDED, Cell.UPCOMING]
COUNTED = (Cell.HELD, Cell.MISSED, Cell.CANCELLED, Cell.NOT_RECORDED)


@dataclass(frozen=True)
class SeriesRow:
    series_id: int
    person_id: int
    supervisor_id: int
    team_id: int | None
    market_id: int | None
    time_zone: str  # the report's
    is_weekly: bool
    starts_on: date
    ended_on: date | None = None


@dataclass(frozen=True)
class MeetingFact:
    series_id: int
    scheduled_at: datetime
    status: str


@dataclass
class Tally:
    held: int = 0
    missed: int = 0
    cancelled: int = 0
    not_recorded: int = 0

    def add(self, cell: Cell) -> None:
        if cell in COUNTED:
            setattr(self, cell.value, getattr(self, cell.value) + 1)

    @property
    def expected(self) -> int:
        """The report-weeks that should have had a 1:1: the percentage's count (n)."""
        return self.held + self.missed + self.cancelled + self.not_recorded

    @property
    def held_share(self) -> Fraction | None:
        return Fraction(self.held, self.expected) if self.expected else None

    @property
    def held_percent(self) -> Decimal | None:
        """The share held in percent, exact to 28 digits; rounded once, for display."""
        return Decimal(self.held * 100) / Decimal(self.expected) if self.expected else None


@dataclass
class Grid:
    weeks: list[date]
    rows: list[SeriesRow]
    cells: dict[tuple[int, date], Cell] = field(default_factory=dict)

    def row_tally(self, series_id: int) -> Tally:
        tally = Tally()
        for week in self.weeks:
            tally.add(self.cells[(series_id, week)])
        return tally

    def week_tally(self, week: date) -> Tally:
        tally = Tally()
        for row in self.rows:
            tally.add(self.cells[(row.series_id, week)])
        return tally

    def total(self) -> Tally:
        tally = Tally()
        for cell in self.cells.values():
            tally.add(cell)
        return tally


def week_starts(last_week: date, count: int) -> list[date]:
    """`count` Mondays ending with the Monday of `last_week`, oldest first."""
    monday = last_week - timedelta(days=last_week.weekday())
    return [monday - timedelta(weeks=count - 1 - i) for i in range(count)]


def _meeting_cell(status: str, scheduled_at: datetime, now: datetime) -> Cell | None:
    if status == "rescheduled":
        return None
    if status in ("held", "missed", "cancelled"):
        return Cell(status)
    return Cell.NOT_RECORDED if scheduled_at <= now else Cell.UPCOMING


def build_grid(
    rows: Iterable[SeriesRow], meetings: Iterable[MeetingFact], weeks: list[date], now: datetime
) -> Grid:
    """Each series' cell for each week (weeks are Mondays, in each report's time zone)."""
    rows = list(rows)
    grid = Grid(weeks=weeks, rows=rows)
    by_series = {row.series_id: row for row in rows}
    found: dict[tuple[int, date], list[Cell]] = defaultdict(list)
    for meeting in meetings:
        row = by_series.get(meeting.series_id)
        if row is None:
            continue
        cell = _meeting_cell(meeting.status, meeting.scheduled_at, now)
        if cell is not None:
            found[(row.series_id, week_start(meeting.scheduled_at, row.time_zone))].append(cell)
    for row in rows:
        this_week = week_start(now, row.time_zone)
        first_week = row.starts_on - timedelta(days=row.starts_on.weekday())
        for week in weeks:
            cells = found.get((row.series_id, week))
            if cells:
                cell = min(cells, key=_RANK.index)
            elif (
                row.is_weekly
                and first_week <= week < this_week
                and (row.ended_on is None or week <= row.ended_on)
            ):
                cell = Cell.NOT_RECORDED
            elif week >= this_week:
                cell = Cell.UPCOMING
            else:
                cell = Cell.NONE
            # A week still running with nothing recorded yet is not late.
            if cell == Cell.NOT_RECORDED and week == this_week and not cells:
                cell = Cell.UPCOMING
            grid.cells[(row.series_id, week)] = cell
    return grid


def roll_up(grid: Grid, key: Callable[[SeriesRow], object]) -> dict[object, Tally]:
    """Tallies of the grid's cells grouped by `key` (supervisor, team or market of a row)."""
    tallies: dict[object, Tally] = defaultdict(Tally)
    for row in grid.rows:
        for week in grid.weeks:
            tallies[key(row)].add(grid.cells[(row.series_id, week)])
    return dict(tallies)
