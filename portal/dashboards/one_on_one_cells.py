"""1:1 completion counted by the database: the rules of portal.coaching.completion.build_grid
(the source of truth, tested equal on random data) as one aggregate statement, so that the team
view's top node does not fetch every meeting.

Cells: every series × every Monday asked for. A week's cell is the best meeting in it (held 0,
missed 1, cancelled 2, scheduled and past 3 "not recorded", scheduled ahead 4 "upcoming";
rescheduled meetings count through their replacement), else, for a weekly series between its
first week and the report's current week (and not after it ended), 3; else 4 from the current
week on; else 5 ("none"). Weeks are Mondays in the report's time zone: PostgreSQL converts with
the zone itself; SQLite, which has no zone database, shifts by each zone's offset now (as the QA
roll-ups do; a DST change can move a meeting near midnight by a day, on SQLite only).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.coaching.completion import Tally
from portal.coaching.models import Cadence, MeetingStatus, OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.org.models import Person
from portal.policy import Area, scoped

HELD, MISSED, CANCELLED, NOT_RECORDED, UPCOMING, NONE = range(6)


def _offset(zone: str, now: datetime) -> str:
    try:
        offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    except (KeyError, ValueError):
        offset = timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def _local_monday(moment: Any, zone: Any, dialect: str, zones: Iterable[str], now: datetime) -> Any:
    """The Monday (a date) of the week holding a UTC instant in the report's time zone."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone(zone, moment)), Date)
    shift = case(*[(zone == z, _offset(z, now)) for z in zones], else_="+0 minutes")
    return func.date(moment, shift, "-6 days", "weekday 1")


def _monday_of(day: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.date_trunc("week", cast(day, DateTime())), Date)
    return func.date(day, "-6 days", "weekday 1")


def _weeks(weeks: list[tuple[date, int]]) -> Any:
    """The Mondays asked for, each with a tag (e.g. 1 this period, 0 the previous), as rows."""
    rows = [
        select(literal(day, Date).label("monday"), literal(tag, Integer).label("tag"))
        for day, tag in weeks
    ]
    return union_all(*rows).subquery("weeks") if len(rows) > 1 else rows[0].subquery("weeks")


def _series(viewer: Person, where: list[Any], first: date, last: date) -> Any:
    """The series in play (scoped to what the viewer may see in Area.COACHING), with their
    report's path, team, market and time zone."""
    report = aliased(Person, name="report")
    stmt = (
        select(
            OneOnOneSeries.id.label("id"),
            OneOnOneSeries.person_id.label("person_id"),
            OneOnOneSeries.supervisor_id.label("supervisor_id"),
            OneOnOneSeries.cadence.label("cadence"),
            OneOnOneSeries.starts_on.label("starts_on"),
            OneOnOneSeries.ended_on.label("ended_on"),
            report.path.label("path"),
            report.team_id.label("team_id"),
            report.market_id.label("market_id"),
            func.coalesce(report.time_zone, "UTC").label("zone"),
        )
        .join(report, report.id == OneOnOneSeries.person_id)
        .where(
            *where,
            OneOnOneSeries.starts_on <= last + timedelta(days=7),
            or_(OneOnOneSeries.ended_on.is_(None), OneOnOneSeries.ended_on >= first),
        )
    )
    return scoped(stmt, OneOnOneSeries, viewer, Area.COACHING).cte("series")


def _zones_in_play(dialect: str, where: list[Any]) -> list[str]:
    """SQLite only (PostgreSQL converts with the zone itself): the reports' time zones."""
    if dialect == "postgresql":
        return []
    people = select(OneOnOneSeries.person_id).where(*where)
    found = db.session.execute(
        select(Person.time_zone).where(Person.id.in_(people)).distinct()
    ).scalars()
    return [z or "UTC" for z in found] or ["UTC"]


def _child_segment(path: Any, below: str, dialect: str) -> Any:
    """The path segment right after `below` (a node's path): the node's direct report."""
    rest = func.substr(path, len(below) + 1)
    if dialect == "postgresql":
        return func.split_part(rest, "/", 1)
    return func.substr(rest, 1, func.max(func.instr(rest, "/") - 1, 0))


def cell_counts(
    viewer: Person,
    where: list[Any],
    weeks: list[tuple[date, int]],
    now: datetime,
    group: list[str],
    below: str | None = None,
) -> list[tuple[tuple[Any, ...], int, Tally]]:
    """The cells of the series matching `where` (conditions on OneOnOneSeries) that the viewer
    may see, for the tagged Mondays, counted by the series columns named in `group` ("path",
    "person_id", "supervisor_id", "team_id", "market_id", or "child": the path segment
    following `below`, a node's path, i.e. the id of the node's direct report the series falls
    under, as text, "" for the node itself) and the tag: (group values, tag, tally) rows, in one
    statement (two on SQLite: the time zones in play first).

    The meetings are read once, joined to their series (the week is the report's, as in the
    pure rule); the cells of series x weeks are counted without a join on paths."""
    dialect = db.session.get_bind().dialect.name
    zones = _zones_in_play(dialect, where)
    first, last = min(day for day, _tag in weeks), max(day for day, _tag in weeks)
    series = _series(viewer, where, first, last)
    low = datetime.combine(first - timedelta(days=1), time(0), UTC)
    high = datetime.combine(last + timedelta(days=8), time(0), UTC)
    monday = _local_monday(OneOnOne.scheduled_at, series.c.zone, dialect, zones, now)
    rank = case(
        (OneOnOne.status == MeetingStatus.HELD, HELD),
        (OneOnOne.status == MeetingStatus.MISSED, MISSED),
        (OneOnOne.status == MeetingStatus.CANCELLED, CANCELLED),
        (OneOnOne.scheduled_at <= now, NOT_RECORDED),
        else_=UPCOMING,
    )
    best = (
        select(
            OneOnOne.series_id.label("series_id"),
            monday.label("monday"),
            func.min(rank).label("best"),
        )
        .join(series, series.c.id == OneOnOne.series_id)
        .where(
            OneOnOne.status != MeetingStatus.RESCHEDULED,
            OneOnOne.scheduled_at >= low,
            OneOnOne.scheduled_at < high,
        )
        .group_by(OneOnOne.series_id, monday)
        .cte("best")
    )
    w = _weeks(weeks)
    this_week = _local_monday(literal(now), series.c.zone, dialect, zones, now)
    cell = case(
        (best.c.best.is_not(None), best.c.best),
        (
            and_(
                series.c.cadence == Cadence.WEEKLY,
                _monday_of(series.c.starts_on, dialect) <= w.c.monday,
                w.c.monday < this_week,
                or_(series.c.ended_on.is_(None), w.c.monday <= series.c.ended_on),
            ),
            NOT_RECORDED,
        ),
        (w.c.monday >= this_week, UPCOMING),
        else_=NONE,
    )
    keys = [
        _child_segment(series.c.path, below or "/", dialect) if name == "child" else series.c[name]
        for name in group
    ]
    counts = [func.sum(case((cell == code, 1), else_=0)) for code in range(4)]
    stmt = (
        select(*keys, w.c.tag, *counts)
        .select_from(series)
        .join(w, true())
        .outerjoin(best, and_(best.c.series_id == series.c.id, best.c.monday == w.c.monday))
        .group_by(*keys, w.c.tag)
    )
    rows = []
    for row in db.session.execute(stmt):
        *values, tag, held, missed, cancelled, not_recorded = row
        tally = Tally(int(held or 0), int(missed or 0), int(cancelled or 0), int(not_recorded or 0))
        rows.append((tuple(values), int(tag), tally))
    return rows


def tallies(
    viewer: Person,
    node: Person,
    people: Select,
    weeks: list[tuple[date, int]],
    now: datetime,
) -> dict[tuple[int | None, int], Tally]:
    """(direct report id or None for the node itself, tag) -> tally of the cells of the series
    of `people`, in one statement (two on SQLite). The direct report under whom a series
    falls is read from its report's path (the id following the node's own path)."""
    result: dict[tuple[int | None, int], Tally] = {}
    for (segment,), tag, tally in cell_counts(
        viewer, [OneOnOneSeries.person_id.in_(people)], weeks, now, ["child"], node.path
    ):
        result[(int(segment) if segment else None, tag)] = tally
    return result
