"""Read-only queries behind the 1:1 pages; each a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal import policy
from portal.coaching import completion
from portal.coaching.models import ActionItem, Cadence, MeetingStatus, OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.org.models import Person
from portal.policy import Area, scoped


@dataclass(frozen=True)
class SeriesLine:
    series: OneOnOneSeries
    next_meeting: OneOnOne | None
    last_held_at: datetime | None
    open_items: int


def _lines(series_list: list[OneOnOneSeries], now: datetime) -> list[SeriesLine]:
    """Next meeting, last held meeting and open action items of each series: three queries."""
    ids = [s.id for s in series_list]
    if not ids:
        return []
    next_at = (
        select(OneOnOne.series_id, func.min(OneOnOne.scheduled_at).label("at"))
        .where(
            OneOnOne.series_id.in_(ids),
            OneOnOne.status == MeetingStatus.SCHEDULED,
            OneOnOne.scheduled_at >= now,
        )
        .group_by(OneOnOne.series_id)
        .subquery()
    )
    upcoming = {
        m.series_id: m
        for m in db.session.scalars(
            select(OneOnOne).join(
                next_at,
                and_(
                    OneOnOne.series_id == next_at.c.series_id,
                    OneOnOne.scheduled_at == next_at.c.at,
                ),
            )
        )
    }
    held = dict(
        db.session.execute(
            select(OneOnOne.series_id, func.max(OneOnOne.scheduled_at))
            .where(OneOnOne.series_id.in_(ids), OneOnOne.status == MeetingStatus.HELD)
            .group_by(OneOnOne.series_id)
        ).all()
    )
    open_counts = dict(
        db.session.execute(
            select(ActionItem.series_id, func.count())
            .where(ActionItem.series_id.in_(ids), ActionItem.is_done.is_(False))
            .group_by(ActionItem.series_id)
        ).all()
    )
    return [
        SeriesLine(s, upcoming.get(s.id), held.get(s.id), open_counts.get(s.id, 0))
        for s in series_list
    ]


def supervised_series(viewer: Person, now: datetime) -> list[SeriesLine]:
    """The viewer's active series as supervisor, by report name."""
    rows = db.session.scalars(
        select(OneOnOneSeries)
        .join(Person, Person.id == OneOnOneSeries.person_id)
        .options(joinedload(OneOnOneSeries.report))
        .where(OneOnOneSeries.supervisor_id == viewer.id, OneOnOneSeries.ended_on.is_(None))
        .order_by(Person.name, Person.id)
    ).all()
    return _lines(list(rows), now)


def reports_without_series(viewer: Person) -> list[Person]:
    has_series = select(OneOnOneSeries.person_id).where(
        OneOnOneSeries.supervisor_id == viewer.id, OneOnOneSeries.ended_on.is_(None)
    )
    return list(
        db.session.scalars(
            select(Person)
            .where(
                Person.manager_id == viewer.id,
                Person.is_active.is_(True),
                Person.id.not_in(has_series),
            )
            .order_by(Person.name, Person.id)
        )
    )


def own_series(viewer: Person, now: datetime) -> list[SeriesLine]:
    """The viewer's series as the report, current first, then ended ones."""
    rows = db.session.scalars(
        select(OneOnOneSeries)
        .options(joinedload(OneOnOneSeries.supervisor))
        .where(OneOnOneSeries.person_id == viewer.id)
        .order_by(OneOnOneSeries.ended_on.is_not(None), OneOnOneSeries.id.desc())
    ).all()
    return _lines(list(rows), now)


def series_meetings(
    series: OneOnOneSeries, *, before: datetime | None, limit: int
) -> list[OneOnOne]:
    """A series' meetings, newest first, keyset-paged on scheduled_at."""
    stmt = select(OneOnOne).where(OneOnOne.series_id == series.id)
    if before is not None:
        stmt = stmt.where(OneOnOne.scheduled_at < before)
    return list(db.session.scalars(stmt.order_by(OneOnOne.scheduled_at.desc()).limit(limit)))


@dataclass(frozen=True)
class OpenItem:
    item: ActionItem
    series: OneOnOneSeries
    mine: bool


def open_action_items(viewer: Person) -> list[OpenItem]:
    """Undone action items of the 1:1s the viewer is in, on either side, by due date."""
    report = aliased(Person)
    rows = db.session.execute(
        select(ActionItem, OneOnOneSeries)
        .join(OneOnOneSeries, OneOnOneSeries.id == ActionItem.series_id)
        .join(report, report.id == OneOnOneSeries.person_id)
        .options(
            joinedload(ActionItem.owner),
            joinedload(OneOnOneSeries.report),
            joinedload(OneOnOneSeries.supervisor),
        )
        .where(
            ActionItem.is_done.is_(False),
            or_(
                OneOnOneSeries.person_id == viewer.id,
                OneOnOneSeries.supervisor_id == viewer.id,
            ),
        )
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    ).all()
    return [OpenItem(item, series, item.owner_id == viewer.id) for item, series in rows]


# ---- completion ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInfo:
    """What the completion grid shows of a report (its name) and the team view needs (its
    place in the tree)."""

    id: int
    name: str
    path: str


def completion_grid(
    viewer: Person,
    *,
    weeks: list[date],
    now: datetime,
    supervisor_id: int | None = None,
    people: Select | None = None,
) -> completion.Grid:
    """The report x week grid of every series the viewer may see (optionally one supervisor's,
    or only the series of `people`, a SELECT of report ids), for the given Mondays: two
    queries whatever the number of rows."""
    # Columns, not entities: the team view's top node reads thousands of series.
    stmt = (
        select(
            OneOnOneSeries.id,
            OneOnOneSeries.supervisor_id,
            OneOnOneSeries.cadence,
            OneOnOneSeries.starts_on,
            OneOnOneSeries.ended_on,
            Person.id.label("person_id"),
            Person.name,
            Person.path,
            Person.team_id,
            Person.market_id,
            Person.time_zone,
        )
        .select_from(OneOnOneSeries)
        .join(Person, Person.id == OneOnOneSeries.person_id)
        .where(
            OneOnOneSeries.starts_on <= weeks[-1] + timedelta(days=7),
            or_(OneOnOneSeries.ended_on.is_(None), OneOnOneSeries.ended_on >= weeks[0]),
        )
    )
    stmt = scoped(stmt, OneOnOneSeries, viewer, Area.COACHING)
    # A supervisor or manager looks at the 1:1s of the people below them, not their own with
    # their own manager; someone with nobody below sees their own series.
    # The team view names its people itself.
    own_excluded = people is None and (policy.has_reports(viewer) or policy.is_hr(viewer))
    if people is not None:
        stmt = stmt.where(OneOnOneSeries.person_id.in_(people))
    if own_excluded:
        stmt = stmt.where(OneOnOneSeries.person_id != viewer.id)
    if supervisor_id is not None:
        stmt = stmt.where(OneOnOneSeries.supervisor_id == supervisor_id)
    found = db.session.execute(stmt.order_by(Person.name, OneOnOneSeries.id)).all()
    rows = [
        completion.SeriesRow(
            series_id=r.id,
            person_id=r.person_id,
            supervisor_id=r.supervisor_id,
            team_id=r.team_id,
            market_id=r.market_id,
            time_zone=r.time_zone or "UTC",
            is_weekly=r.cadence == Cadence.WEEKLY,
            starts_on=r.starts_on,
            ended_on=r.ended_on,
        )
        for r in found
    ]
    facts: list[completion.MeetingFact] = []
    if rows:
        low = datetime.combine(weeks[0] - timedelta(days=1), datetime.min.time()).replace(
            tzinfo=now.tzinfo
        )
        high = datetime.combine(weeks[-1] + timedelta(days=8), datetime.min.time()).replace(
            tzinfo=now.tzinfo
        )
        ids = select(OneOnOneSeries.id)
        ids = scoped(ids, OneOnOneSeries, viewer, Area.COACHING)
        if people is not None:
            ids = ids.where(OneOnOneSeries.person_id.in_(people))
        if own_excluded:
            ids = ids.where(OneOnOneSeries.person_id != viewer.id)
        if supervisor_id is not None:
            ids = ids.where(OneOnOneSeries.supervisor_id == supervisor_id)
        facts = [
            completion.MeetingFact(r.series_id, r.scheduled_at, r.status)
            for r in db.session.execute(
                select(OneOnOne.series_id, OneOnOne.scheduled_at, OneOnOne.status).where(
                    OneOnOne.series_id.in_(ids),
                    OneOnOne.scheduled_at >= low,
                    OneOnOne.scheduled_at < high,
                )
            )
        ]
    grid = completion.build_grid(rows, facts, weeks, now)
    grid.people = {  # type: ignore[attr-defined]
        r.person_id: ReportInfo(r.person_id, r.name, r.path) for r in found
    }
    return grid


@dataclass
class CompletionRollUps:
    total: completion.Tally
    by_supervisor: dict[int | None, completion.Tally]
    by_team: dict[int | None, completion.Tally]
    by_market: dict[int | None, completion.Tally]


def _series_filters(
    viewer: Person, supervisor_id: int | None, people: Select | None = None
) -> list[Any]:
    """completion_grid's choice of series, as conditions on OneOnOneSeries (the scope to what
    the viewer may see is applied by the caller)."""
    where: list[Any] = []
    if people is not None:
        where.append(OneOnOneSeries.person_id.in_(people))
    elif policy.has_reports(viewer) or policy.is_hr(viewer):
        where.append(OneOnOneSeries.person_id != viewer.id)
    if supervisor_id is not None:
        where.append(OneOnOneSeries.supervisor_id == supervisor_id)
    return where


ROLL_UP_GROUPS = ("supervisor_id", "team_id", "market_id")


def completion_roll_ups(
    viewer: Person,
    *,
    weeks: list[date],
    now: datetime,
    supervisor_id: int | None = None,
    by: tuple[str, ...] = ROLL_UP_GROUPS,
) -> CompletionRollUps:
    """completion.roll_up of completion_grid by supervisor, team and market (the groups with
    anything expected), and the grid's total, counted by the database
    (portal.coaching.cells, the same rules in SQL, tested equal), from the counts
    per node (portal.coaching.node_weeks) for the weeks they give exactly: a fixed number of
    statements whatever the number of series or meetings. `by` names the groups wanted (the
    others stay empty): the home page asks for the teams only, the same sums."""
    from portal.coaching import cells as one_on_one_cells
    from portal.coaching import node_weeks

    tagged = [(week, 1) for week in weeks]
    span = (weeks[0], weeks[-1])
    # When the viewer's 1:1 area is exactly their subtree, the page's series are those of the
    # people strictly below them: the counts per node give the weeks they cover.
    last = None
    if (
        supervisor_id is None
        and policy.has_reports(viewer)
        and policy.sees_only_own_subtree(viewer, Area.COACHING)
    ):
        last = node_weeks.through(viewer, viewer, narrowed=False, now=now)
    stored, rest = node_weeks.split(tagged, last)
    found: list[tuple[tuple[Any, ...], int, completion.Tally]] = []
    if stored:
        found += [
            (key, tag, tally)
            for (key, tag), tally in node_weeks.tallies(viewer, stored, span, list(by)).items()
        ]
    if rest:
        found += one_on_one_cells.cell_counts(
            viewer,
            _series_filters(viewer, supervisor_id),
            rest,
            now,
            list(by),
            span=span,
        )
    result = CompletionRollUps(completion.Tally(), {}, {}, {})
    into_groups = {
        "supervisor_id": result.by_supervisor,
        "team_id": result.by_team,
        "market_id": result.by_market,
    }
    targets = [into_groups[name] for name in by]
    for key, _tag, tally in found:
        for into in (
            result.total,
            *(
                group.setdefault(value, completion.Tally())
                for group, value in zip(targets, key, strict=True)
            ),
        ):
            into.held += tally.held
            into.missed += tally.missed
            into.cancelled += tally.cancelled
            into.not_recorded += tally.not_recorded
    # A group with nothing expected (only series with no week due and no meeting) is not
    # listed: the counts per node hold no row for it.
    for groups in (result.by_supervisor, result.by_team, result.by_market):
        for key in [key for key, tally in groups.items() if not tally.expected]:
            del groups[key]
    return result


def supervisor_names(ids: set[int]) -> dict[int, str]:
    """Id -> name of the supervisors among `ids`: read as every series' supervisor (a few
    hundred at most) rather than through an IN list of hundreds of bound ids."""
    if not ids:
        return {}
    stmt = select(Person.id, Person.name).where(
        Person.id.in_(select(OneOnOneSeries.supervisor_id).distinct())
    )
    return {pid: name for pid, name in db.session.execute(stmt) if pid in ids}


def people_by_id(ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}
