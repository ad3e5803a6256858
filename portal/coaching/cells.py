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

The best meeting of the weeks over everywhere comes from the rows stored by `flask rollups
refresh` (portal.coaching.best_weeks) up to the Monday they are exact to; later weeks from the
meetings. The cells are never enumerated: the weeks holding a meeting are counted by their best,
the weeks due without one per series by date arithmetic (weeks due less weeks due holding a
meeting).
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
    text,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from portal import policy
from portal.coaching.completion import Tally
from portal.coaching.models import Cadence, MeetingStatus, OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.org import tree
from portal.org.models import Person
from portal.policy import Area, scoped

HELD, MISSED, CANCELLED, NOT_RECORDED, UPCOMING, NONE = range(6)


def _offset(zone: str, now: datetime) -> str:
    try:
        offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    except (KeyError, ValueError):
        offset = timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def local_monday(moment: Any, zone: Any, dialect: str, zones: Iterable[str], now: datetime) -> Any:
    """The Monday (a date) of the week holding a UTC instant in the report's time zone."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone(zone, moment)), Date)
    shift = case(*[(zone == z, _offset(z, now)) for z in zones], else_="+0 minutes")
    return func.date(moment, shift, "-6 days", "weekday 1")


def monday_of(day: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.date_trunc("week", cast(day, DateTime())), Date)
    return func.date(day, "-6 days", "weekday 1")


def _weeks_before(day: Any, weeks: int, dialect: str) -> Any:
    if dialect == "postgresql":
        return day - weeks * 7
    return func.date(day, f"-{weeks * 7} days")


def _least(dialect: str, *values: Any) -> Any:
    return (func.least if dialect == "postgresql" else func.min)(*values)


def _greatest(dialect: str, *values: Any) -> Any:
    return (func.greatest if dialect == "postgresql" else func.max)(*values)


def _mondays_between(low: Any, high: Any, dialect: str) -> Any:
    """How many Mondays from the Monday `low` through the Monday `high` (0 when high < low)."""
    if dialect == "postgresql":
        days = high - low
    else:
        days = cast(func.julianday(high) - func.julianday(low), Integer)
    return case((high >= low, days // 7 + 1), else_=0)


def _run_list(weeks: list[tuple[date, int]]) -> list[tuple[date, date, int]]:
    """The tagged Mondays as runs of consecutive weeks: (first, last, tag)."""
    runs: list[list[Any]] = []
    for day, tag in sorted(set(weeks), key=lambda dt: (dt[1], dt[0])):
        if runs and runs[-1][2] == tag and runs[-1][1] + timedelta(weeks=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day, tag])
    return [(a, b, tag) for a, b, tag in runs]


def _runs(runs: list[tuple[date, date, int]]) -> Any:
    """The runs as (first, last, tag) rows."""
    rows = [
        select(
            literal(a, Date).label("first"),
            literal(b, Date).label("last"),
            literal(tag, Integer).label("tag"),
        )
        for a, b, tag in runs
    ]
    return union_all(*rows).subquery("runs") if len(rows) > 1 else rows[0].subquery("runs")


def tag_of(monday: Any, weeks: list[tuple[date, int]]) -> tuple[Any, Any]:
    """(the tag of a Monday, None when not asked for; the weeks to join for it, or None). By
    its run, with no join; by a join on the weeks when a Monday carries two tags (two periods
    sharing their only week), so that its cell counts in both."""
    if len({day for day, _tag in weeks}) == len(set(weeks)):
        runs = _run_list(weeks)
        return case(*[(monday.between(a, b), tag) for a, b, tag in runs]).label("tag"), None
    w = _weeks(sorted(set(weeks)))
    return w.c.tag, w


def _weeks(weeks: list[tuple[date, int]]) -> Any:
    """The Mondays asked for, each with a tag (e.g. 1 this period, 0 the previous), as rows."""
    rows = [
        select(literal(day, Date).label("monday"), literal(tag, Integer).label("tag"))
        for day, tag in weeks
    ]
    return union_all(*rows).subquery("weeks") if len(rows) > 1 else rows[0].subquery("weeks")


def _series(
    viewer: Person,
    where: list[Any],
    first: date,
    last: date,
    zones: list[str],
    now: datetime,
    below: str,
    scope: bool = True,
) -> Any:
    """The series in play (scoped to what the viewer may see in Area.COACHING), with their
    report's path, team, market and time zone, their first week, the report's current week,
    their last week due (before the current one, not after the series ended) and the direct
    report of `below` they fall under (each computed once per series, not per cell). `scope`
    False: the caller's conditions already keep only people the viewer sees."""
    report = aliased(Person, name="report")
    dialect = db.session.get_bind().dialect.name
    zone = func.coalesce(report.time_zone, "UTC")
    this_week = local_monday(literal(now), zone, dialect, zones, now)
    before_this = _weeks_before(this_week, 1, dialect)
    ended = func.coalesce(monday_of(OneOnOneSeries.ended_on, dialect), before_this)
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
            zone.label("zone"),
            monday_of(OneOnOneSeries.starts_on, dialect).label("first_week"),
            this_week.label("this_week"),
            # A weekly series' weeks due: first_week through last_week (Mondays).
            _least(dialect, before_this, ended).label("last_week"),
            tree.child_segment(report.path, len(below)).label("child"),
        )
        .join(report, report.id == OneOnOneSeries.person_id)
        .where(
            *where,
            OneOnOneSeries.starts_on <= last + timedelta(days=7),
            or_(OneOnOneSeries.ended_on.is_(None), OneOnOneSeries.ended_on >= first),
        )
    )
    return (scoped(stmt, OneOnOneSeries, viewer, Area.COACHING) if scope else stmt).cte("series")


def zones_in_play(dialect: str, where: list[Any]) -> list[str]:
    """SQLite only (PostgreSQL converts with the zone itself): the reports' time zones."""
    if dialect == "postgresql":
        return []
    people = select(OneOnOneSeries.person_id).where(*where)
    found = db.session.execute(
        select(Person.time_zone).where(Person.id.in_(people)).distinct()
    ).scalars()
    return [z or "UTC" for z in found] or ["UTC"]


def meeting_rank(now: datetime) -> Any:
    """A meeting's rank in its week (rescheduled meetings are left out by the caller)."""
    return case(
        (OneOnOne.status == MeetingStatus.HELD, HELD),
        (OneOnOne.status == MeetingStatus.MISSED, MISSED),
        (OneOnOne.status == MeetingStatus.CANCELLED, CANCELLED),
        (OneOnOne.scheduled_at <= now, NOT_RECORDED),
        else_=UPCOMING,
    )


def _due(series: Any, monday: Any) -> Any:
    """1 when the week is due for the series (weekly, from its first week through its last week
    due), else 0."""
    due = and_(
        series.c.cadence == Cadence.WEEKLY,
        series.c.first_week <= monday,
        monday <= series.c.last_week,
    )
    return case((due, 1), else_=0).label("due")


def _best(
    series: Any,
    keys: list[str],
    weeks: list[tuple[date, int]],
    zones: list[str],
    now: datetime,
    dialect: str,
) -> Any:
    """The series-weeks holding a meeting that counts, as (the series' `keys`, tag, best, n,
    due): n series-weeks of that tag whose best meeting has that rank, `due` of them weeks due.
    From the stored rows (portal.coaching.best_weeks) through the Monday they are exact to,
    counted per series, tag and rank before anything else; grouped from the meetings after it.
    Each part is joined to the series itself (a join the planner can estimate: a join of their
    union could not)."""
    from portal.coaching import best_weeks

    first, last = min(day for day, _tag in weeks), max(day for day, _tag in weeks)
    through = best_weeks.stored_through(now)
    if through is not None and through < first:
        through = None
    low = datetime.combine(first - timedelta(days=1), time(0), UTC)
    if through is not None:
        # A week after `through` starts, in any time zone, on or after this instant.
        low = datetime.combine(through + timedelta(days=6), time(0), UTC)
    high = datetime.combine(last + timedelta(days=8), time(0), UTC)
    carried = [series.c[name] for name in keys]
    monday = local_monday(OneOnOne.scheduled_at, series.c.zone, dialect, zones, now)
    raw = (
        select(
            OneOnOne.series_id.label("series_id"),
            monday.label("monday"),
            func.min(meeting_rank(now)).label("best"),
            *carried,
            _due(series, monday),
        )
        .join(series, series.c.id == OneOnOne.series_id)
        .where(
            OneOnOne.status != MeetingStatus.RESCHEDULED,
            # A meeting still scheduled ahead is "upcoming", in a week not yet due: it changes
            # no count (a week's best is the smallest rank; upcoming is the largest).
            or_(OneOnOne.status != MeetingStatus.SCHEDULED, OneOnOne.scheduled_at <= now),
            OneOnOne.scheduled_at >= low,
            OneOnOne.scheduled_at < high,
        )
        .group_by(OneOnOne.series_id, monday, *carried, *_series_rule(series))
    )
    if through is not None:
        raw = raw.having(monday > through)
    raw_rows = raw.subquery("raw_weeks")
    tag, w = tag_of(raw_rows.c.monday, weeks)
    parts = [
        _tagged(
            select(
                *[raw_rows.c[name] for name in keys],
                tag,
                raw_rows.c.best,
                literal(1, Integer).label("n"),
                raw_rows.c.due,
            ).select_from(raw_rows),
            w,
            raw_rows.c.monday,
        )
    ]
    if through is not None:
        parts += _stored(series, keys, weeks, first, min(last, through))
    return union_all(*parts).cte("best") if len(parts) > 1 else parts[0].cte("best")


def _tagged(stmt: Any, w: Any, monday: Any) -> Any:
    return stmt if w is None else stmt.join(w, w.c.monday == monday)


def _stored(
    series: Any, keys: list[str], weeks: list[tuple[date, int]], first: date, last: date
) -> list[Any]:
    """The stored series-weeks from `first` through `last`. Of a series whose weeks due cover
    all of them or none (nearly all), counted per series, tag and rank with no join per week;
    of a series begun or ended inside, week by week."""
    from portal.coaching.best_week_models import OneOnOneBestWeek as Stored

    tag, w = tag_of(Stored.monday, weeks)
    carried = [series.c[name] for name in keys]
    weekly = series.c.cadence == Cadence.WEEKLY
    covers = and_(weekly, series.c.first_week <= first, last <= series.c.last_week)
    misses = or_(
        ~weekly,
        series.c.last_week < first,
        last < series.c.first_week,
        series.c.last_week < series.c.first_week,
    )
    in_range = and_(Stored.monday >= first, Stored.monday <= last)
    by_week = (
        select(*carried, tag, Stored.best, literal(1, Integer), _due(series, Stored.monday))
        .join(series, series.c.id == Stored.series_id)
        .where(in_range)
    )
    if w is not None:  # a Monday with two tags: every series week by week
        return [by_week.join(w, w.c.monday == Stored.monday)]
    agg = (
        select(Stored.series_id, tag, Stored.best, func.count().label("n"))
        .where(in_range)
        .group_by(Stored.series_id, tag, Stored.best)
        .subquery("stored_weeks")
    )
    counted = (
        select(
            *carried,
            agg.c.tag,
            agg.c.best,
            agg.c.n,
            case((covers, agg.c.n), else_=0).label("due"),
        )
        .join(series, series.c.id == agg.c.series_id)
        .where(or_(covers, misses))
    )
    return [counted, by_week.where(~or_(covers, misses))]


def _series_rule(series: Any) -> list[Any]:
    return [series.c.cadence, series.c.first_week, series.c.last_week]


def cell_counts(
    viewer: Person,
    where: list[Any],
    weeks: list[tuple[date, int]],
    now: datetime,
    group: list[str],
    below: str | None = None,
    span: tuple[date, date] | None = None,
    scope: bool = True,
) -> list[tuple[tuple[Any, ...], int, Tally]]:
    """The cells of the series matching `where` (conditions on OneOnOneSeries) that the viewer
    may see, for the tagged Mondays, counted by the series columns named in `group` ("path",
    "person_id", "supervisor_id", "team_id", "market_id", or "child": the path segment
    following `below`, a node's path, i.e. the id of the node's direct report the series falls
    under, as text, "" for the node itself) and the tag: (group values, tag, tally) rows, in four
    statements (the state of the stored best meetings, the first meeting written since, on
    PostgreSQL no JIT for this transaction, the count; on SQLite the time zones in play first).

    The best meeting of each series-week comes from the stored rows for the weeks they hold
    and from the meetings, joined to their series (the week is the report's, as in the pure
    rule), after. The weeks with a meeting are counted by their best; the weeks due without
    one ("not recorded") are the weeks due in the range, counted per series by arithmetic,
    less the weeks due that hold a meeting: no series x weeks join, no join on paths.

    The series in play are those begun by the last Monday + 7 days and not ended before the
    first, of the weeks asked for or of `span` (first, last) when given (a read whose other
    weeks are counted elsewhere: portal.coaching.node_weeks)."""
    dialect = db.session.get_bind().dialect.name
    zones = zones_in_play(dialect, where)
    first, last = span or (min(day for day, _tag in weeks), max(day for day, _tag in weeks))
    series = _series(viewer, where, first, last, zones, now, below or "/", scope)
    best = _best(series, group, weeks, zones, now, dialect)
    run_list = _run_list(weeks)
    carried = [best.c[name] for name in group]
    met = select(
        *carried, best.c.tag, best.c.best, func.sum(best.c.due), func.sum(best.c.n)
    ).group_by(*carried, best.c.tag, best.c.best)
    keys = [series.c[name] for name in group]
    runs = _runs(run_list)
    low = _greatest(dialect, runs.c.first, series.c.first_week)
    high = _least(dialect, runs.c.last, series.c.last_week)
    weekly = case(
        (series.c.cadence == Cadence.WEEKLY, _mondays_between(low, high, dialect)), else_=0
    )
    expected = (
        select(*keys, runs.c.tag, literal(None, Integer), literal(None, Integer), func.sum(weekly))
        .select_from(series)
        .join(runs, true())
        .group_by(*keys, runs.c.tag)
    )
    if dialect == "postgresql":
        # The planner cannot estimate joins on a CTE's columns: its guess (hundreds of times the
        # real rows) would switch on JIT compilation, which costs more than the whole count.
        db.session.execute(text("SET LOCAL jit = off"))
    rows = db.session.execute(union_all(expected, met)).all()
    found: dict[tuple[tuple[Any, ...], int], Tally] = {}
    for *values, tag, code, _due, count in rows:
        if code is None:  # the weeks due of these series in this range
            found[(tuple(values), int(tag))] = Tally(not_recorded=int(count or 0))
    for *values, tag, code, due, count in rows:
        if code is None or tag is None:  # tag None: a Monday in the range read, not asked for
            continue
        tally = found[(tuple(values), int(tag))]
        tally.not_recorded -= int(due)  # the weeks due holding a meeting: counted by it
        if int(code) < UPCOMING:
            name = ("held", "missed", "cancelled", "not_recorded")[int(code)]
            setattr(tally, name, getattr(tally, name) + int(count))
    return [(values, tag, tally) for (values, tag), tally in found.items()]


def tallies(
    viewer: Person,
    node: Person,
    people: Select,
    weeks: list[tuple[date, int]],
    now: datetime,
    span: tuple[date, date] | None = None,
) -> dict[tuple[int | None, int], Tally]:
    """(direct report id or None for the node itself, tag) -> tally of the cells of the series
    of `people`, in cell_counts' four statements (`span`: see there). The direct report under
    whom a series falls is read from its report's path (the id following the node's own
    path)."""
    result: dict[tuple[int | None, int], Tally] = {}
    where = [OneOnOneSeries.person_id.in_(people)]
    # `people` is at or below the node: when the viewer sees all of it, no scope is needed.
    scope = not policy.sees_whole_subtree(viewer, node)
    for (segment,), tag, tally in cell_counts(
        viewer, where, weeks, now, ["child"], node.path, span, scope
    ):
        result[(int(segment) if segment else None, tag)] = tally
    return result
