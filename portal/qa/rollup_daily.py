"""The daily QA roll-up: refreshing it, and deciding when a read may use it.

Days. Periods are local days in the viewer's time zone and `submitted_at` is UTC, so the roll-up
is kept per time zone: each rolled-up node (at least `KPI_ROLLUP_MIN_SUBTREE` people at or below
it) is aggregated by local day in the zones of the people who may read it whole: the node
itself, everyone above it, and HR. (UTC-hour buckets would serve every whole-hour zone, but at
this volume an hour holds about one evaluation per market × segment × channel, so they would
hardly be smaller than the raw rows.) A viewer in any other zone reads raw rows. On SQLite, the
refresh and the raw reads compute local days the same way (the zone's offset now).

A read uses the roll-up only when it gives exactly what the raw query would:
- the viewer sees the node's whole subtree in Area.QA (the node is the viewer or below them, or
  the viewer is HR); on the QA report without a node, the viewer's own subtree is what they see
  when they hold no QA grant (else raw);
- the filters are among those the roll-up carries: the agent's market and segment, the
  contact's channel, market and segment (the questions table carries none of them: with any of
  these filters the questions come from raw rows); a scorecard filter or a drill-down group
  means raw;
- the node was rolled up for the viewer's zone, and no person changed since the refresh;
- the days used are at most the watermark: local days that had ended when the refresh started,
  and before the first local day of an evaluation changed (submitted, re-scored, disputed,
  resolved) after it. Later days come from the raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, insert, literal, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.kpis import rollup as kpi_rollup
from portal.kpis.rollup_models import RollupState, record_state
from portal.org.models import Grant, Person
from portal.policy import StaffRole
from portal.qa import rollup_people
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
from portal.qa.models import Contact
from portal.qa.rollup_daily_models import BIN_NAMES, QaRollupDaily, QaRollupQuestion
from portal.qa.rollups import BIN_COUNT, BIN_WIDTH

NAME = "qa"


@dataclass(frozen=True)
class QaPlan:
    """Read the node's roll-up (in `time_zone`) for local days through `through_on`."""

    node_id: int
    time_zone: str
    through_on: date | None
    covered_ids: frozenset[int]  # the nodes rolled up in this zone (children among them)
    # The last local day the refresh took in (`through_on` is earlier when an evaluation of an
    # earlier day changed since): the monthly people roll-up's rows end there.
    refreshed_through: date | None = None

    def split(self, start: date, end: date) -> tuple[tuple[date, date] | None, date]:
        """(the days served by the roll-up, or None; the first day left to the raw rows)."""
        if self.through_on is None or self.through_on < start:
            return None, start
        last = min(end, self.through_on)
        return (start, last), last + timedelta(days=1)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def local_date(moment: datetime, time_zone: str, dialect: str) -> date:
    """The local day of a UTC moment, as `rollup_queries.local_day` computes it in SQL."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if dialect == "postgresql":
        return moment.astimezone(ZoneInfo(time_zone)).date()
    offset = datetime.now(ZoneInfo(time_zone)).utcoffset() or timedelta(0)
    return (moment.astimezone(UTC) + offset).date()


def _valid_zone(name: str | None) -> str:
    try:
        ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return "UTC"
    return name or "UTC"


def _pairs(nodes: list[int]) -> dict[str, list[int]]:
    """Time zone -> the rolled-up nodes to aggregate in it: the zones of each node, of everyone
    above it, and of HR (everyone who may read the node's whole subtree)."""
    people = db.session.execute(select(Person.id, Person.path, Person.time_zone)).all()
    zone_of = {pid: _valid_zone(zone) for pid, _path, zone in people}
    id_of_path = {path: pid for pid, path, _zone in people}
    hr_ids = db.session.execute(
        select(Grant.person_id).where(Grant.role == StaffRole.HR_ADMIN.value)
    ).scalars()
    hr_zones = {zone_of[pid] for pid in hr_ids if pid in zone_of}
    path_of = {pid: path for pid, path, _zone in people}
    result: dict[str, list[int]] = {}
    for node in nodes:
        zones = set(hr_zones)
        path = path_of[node]
        parts = [p for p in path.split("/") if p]
        for index in range(1, len(parts) + 1):
            ancestor = id_of_path.get("/" + "/".join(parts[:index]) + "/")
            if ancestor is not None:
                zones.add(zone_of[ancestor])
        for zone in zones:
            result.setdefault(zone, []).append(node)
    return result


def _membership(nodes: list[int]):
    """(member id, node id) for every person at or below each node."""
    member = aliased(Person, name="rollup_member")
    node = aliased(Person, name="rollup_node")
    return (
        select(member.id.label("member_id"), node.id.label("node_id"))
        .join(node, member.path.startswith(node.path))
        .where(node.id.in_(nodes))
        .subquery("membership")
    )


def _counted(stmt, start_on: date | None, through: date, day):
    from portal.qa.rollup_queries import COUNTED

    stmt = stmt.where(Evaluation.status.in_(COUNTED), day <= through)
    if start_on is not None:
        stmt = stmt.where(day >= start_on)
    return stmt


def _insert_zone(zone: str, nodes: list[int], start_on: date | None, through: date) -> None:
    from portal.qa.rollup_queries import local_day

    dialect = _dialect()
    day = local_day(Evaluation.submitted_at, zone, dialect)
    members = _membership(nodes)
    agent = aliased(Person, name="rollup_agent")
    score = Evaluation.score
    whens = [(score >= index * BIN_WIDTH, index) for index in range(BIN_COUNT - 1, 0, -1)]
    bin_index = case(*whens, else_=0)
    bins = [
        func.coalesce(func.sum(case((score.is_not(None) & (bin_index == index), 1), else_=0)), 0)
        for index in range(BIN_COUNT)
    ]
    keys = [
        members.c.node_id,
        day,
        agent.market_id,
        agent.segment_id,
        Contact.channel,
        Contact.market_id,
        Contact.segment_id,
    ]
    source = _counted(
        select(
            members.c.node_id,
            literal(zone),
            day,
            agent.market_id,
            agent.segment_id,
            Contact.channel,
            Contact.market_id,
            Contact.segment_id,
            func.count(Evaluation.id),
            func.count(score),
            func.coalesce(func.sum(score), 0),
            func.coalesce(func.sum(score * score), 0),
            func.coalesce(func.sum(case((Evaluation.critical_failed, 1), else_=0)), 0),
            *bins,
        )
        .select_from(Evaluation)
        .join(agent, agent.id == Evaluation.person_id)
        .join(members, members.c.member_id == Evaluation.person_id)
        .join(Contact, Contact.id == Evaluation.contact_id),
        start_on,
        through,
        day,
    ).group_by(*keys)
    columns = [
        "node_id",
        "time_zone",
        "day",
        "market_id",
        "segment_id",
        "channel",
        "contact_market_id",
        "contact_segment_id",
        "n",
        "n_scored",
        "score_sum",
        "score_squares",
        "n_critical",
        *BIN_NAMES,
    ]
    db.session.execute(insert(QaRollupDaily).from_select(columns, source))
    questions = _counted(
        select(
            members.c.node_id,
            literal(zone),
            day,
            EvaluationAnswer.question_id,
            func.count(EvaluationAnswer.possible),
            func.coalesce(func.sum(case((EvaluationAnswer.failed, 1), else_=0)), 0),
        )
        .select_from(Evaluation)
        .join(members, members.c.member_id == Evaluation.person_id)
        .join(
            EvaluationRevision,
            (EvaluationRevision.evaluation_id == Evaluation.id)
            & (EvaluationRevision.number == Evaluation.revision_number),
        )
        .join(EvaluationAnswer, EvaluationAnswer.revision_id == EvaluationRevision.id),
        start_on,
        through,
        day,
    ).group_by(members.c.node_id, day, EvaluationAnswer.question_id)
    db.session.execute(
        insert(QaRollupQuestion).from_select(
            ["node_id", "time_zone", "day", "question_id", "answered", "failed"], questions
        )
    )


def _first_changed_after(moment: datetime) -> datetime | None:
    """The earliest submission moment of an evaluation changed after `moment`."""
    from portal.qa.rollup_queries import COUNTED

    value = db.session.execute(
        select(func.min(Evaluation.submitted_at)).where(
            Evaluation.updated_at > moment, Evaluation.status.in_(COUNTED)
        )
    ).scalar()
    return as_utc(value) if value is not None else None


def refresh(since: date | None = None, *, min_subtree: int | None = None) -> tuple[int, int]:
    """Recompute the QA roll-up (from the local day `since` on, when no person changed since
    the last refresh; else all of it), and the monthly roll-up by agent and evaluator in the
    same zones (`rollup_people`: from the month of that day on). Commits. Returns (node × zone
    pairs, daily rows held)."""
    started_at = utcnow()
    dialect = _dialect()
    state = db.session.get(RollupState, NAME)
    full = (
        since is None
        or state is None
        or kpi_rollup._org_changed_after(as_utc(state.refreshed_at))
        or min_subtree is not None
    )
    if full:
        nodes = kpi_rollup._nodes(min_subtree or kpi_rollup._min_subtree())
        by_zone = _pairs(nodes)
        db.session.execute(delete(QaRollupDaily))
        db.session.execute(delete(QaRollupQuestion))
        start_on = None
    else:
        by_zone = {}
        for node_id, zone in state.node_ids or ():
            by_zone.setdefault(zone, []).append(int(node_id))
        # Never leave a gap: start no later than the day before the previous refresh, nor
        # than the first day changed since (a local day is within a day of the UTC one).
        previous = as_utc(state.refreshed_at)
        start_on = min(since, previous.date() - timedelta(days=2))
        changed = _first_changed_after(previous)
        if changed is not None:
            start_on = min(start_on, changed.date() - timedelta(days=1))
        db.session.execute(delete(QaRollupDaily).where(QaRollupDaily.day >= start_on))
        db.session.execute(delete(QaRollupQuestion).where(QaRollupQuestion.day >= start_on))
    rollup_people.delete_from(start_on)
    for zone, zone_nodes in sorted(by_zone.items()):
        through = local_date(started_at, zone, dialect) - timedelta(days=1)
        _insert_zone(zone, sorted(zone_nodes), start_on, through)
        rollup_people.insert_zone(zone, start_on, through)
    rollup_people.analyze()
    written = db.session.execute(select(func.count(QaRollupDaily.id))).scalar_one()
    record_state(
        NAME,
        through_on=started_at.date() - timedelta(days=1),
        refreshed_at=started_at,
        node_ids=sorted([node, zone] for zone, ids in by_zone.items() for node in ids),
    )
    db.session.commit()
    return sum(len(ids) for ids in by_zone.values()), written


def whole_subtree_node(viewer: Person) -> Person | None:
    """The node whose whole subtree is what the viewer sees in Area.QA without naming a node:
    their own, unless HR (everyone) or granted QA teams or markets (more than a subtree)."""
    if policy.is_hr(viewer) or StaffRole.QA_ANALYST in policy.staff_roles(viewer):
        return None
    return viewer


def plan_for(viewer: Person, node: Person | None, time_zone: str) -> QaPlan | None:
    """The roll-up plan for this read, or None when only raw rows give the exact answer.
    The caller checks that its filters are among those the roll-up carries."""
    if node is None or not policy.sees_whole_subtree(viewer, node):
        return None
    state = db.session.get(RollupState, NAME)
    if state is None:
        return None
    covered = frozenset(int(n) for n, zone in state.node_ids or () if zone == time_zone)
    if node.id not in covered:
        return None
    from portal.qa.rollup_queries import COUNTED

    refreshed_at = as_utc(state.refreshed_at)
    changed = select(func.min(Evaluation.submitted_at)).where(
        Evaluation.updated_at > refreshed_at, Evaluation.status.in_(COUNTED)
    )
    people_changed = select(func.max(Person.updated_at))
    first_changed, latest_person = db.session.execute(
        select(changed.scalar_subquery(), people_changed.scalar_subquery())
    ).one()
    if latest_person is not None and as_utc(latest_person) > refreshed_at:
        return None
    dialect = _dialect()
    refreshed_through = local_date(refreshed_at, time_zone, dialect) - timedelta(days=1)
    through = refreshed_through
    if first_changed is not None:
        through = min(through, local_date(first_changed, time_zone, dialect) - timedelta(days=1))
    return QaPlan(node.id, time_zone, through, covered, refreshed_through)
