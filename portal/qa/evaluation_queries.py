"""Lists over evaluations, each one statement scoped by the policy and keyset-paged:
evaluations (all, or an agent's own), the evaluate queue, the profile summary, overturn rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from portal import keyset, policy
from portal.extensions import db
from portal.org.models import Grant, Person, StaffRole
from portal.qa import overturn_rollup
from portal.qa.evaluation_maths import (
    EvaluationFacts,
    OverturnRate,
    QaSummary,
    by_overturn_rate,
    qa_summary,
)
from portal.qa.evaluation_models import Evaluation, EvaluationStatus, contact_reviewed
from portal.qa.models import Contact, Scorecard, ScorecardVersion

Evaluator = aliased(Person)


@dataclass(frozen=True)
class EvaluationRow:
    id: int
    status: str
    resolution: str | None
    score_exact: str | None
    critical_failed: bool
    submitted_at: datetime | None
    created_at: datetime
    agent_id: int
    agent_name: str
    evaluator_name: str
    channel: str
    external_id: str
    occurred_at: datetime
    scorecard_name: str
    version_number: int

    @property
    def score(self) -> Fraction | None:
        return Fraction(self.score_exact) if self.score_exact else None


@dataclass(frozen=True)
class EvaluationFilters:
    status: str | None = None
    person_id: int | None = None  # the agent evaluated
    evaluator_id: int | None = None
    scorecard_id: int | None = None
    critical_only: bool = False
    dated_from: datetime | None = None  # the list's date (submitted, else started) from then on
    dated_before: datetime | None = None  # … and before then
    resolved_since: datetime | None = None  # not a page filter: the home page's "recent"


# The evaluations list sorts by its two dates: when the evaluation was submitted (a draft:
# when it was started) and when the contact took place. Newest submitted first by default.
def listed_at():
    """The list's date of an evaluation: submitted, or started for a draft (never NULL)."""
    return func.coalesce(Evaluation.submitted_at, Evaluation.created_at)


SORT_COLUMNS = {"submitted": listed_at, "contact": lambda: Contact.occurred_at}
DEFAULT_SORT = keyset.Sort("submitted", "desc")


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: int | None
    has_previous: bool


def _rows_statement() -> Select:
    return (
        select(
            Evaluation.id,
            Evaluation.status,
            Evaluation.resolution,
            Evaluation.score_exact,
            Evaluation.critical_failed,
            Evaluation.submitted_at,
            Evaluation.created_at,
            Person.id,
            Person.name,
            Evaluator.name,
            Contact.channel,
            Contact.external_id,
            Contact.occurred_at,
            Scorecard.name,
            ScorecardVersion.number,
        )
        .join(Person, Person.id == Evaluation.person_id)
        .join(Evaluator, Evaluator.id == Evaluation.evaluator_id)
        .join(Contact, Contact.id == Evaluation.contact_id)
        .join(ScorecardVersion, ScorecardVersion.id == Evaluation.scorecard_version_id)
        .join(Scorecard, Scorecard.id == ScorecardVersion.scorecard_id)
    )


def _filtered(stmt: Select, viewer: Person, filters: EvaluationFilters) -> Select:
    """The evaluations list's scope and filters over `stmt` (shared by the list and its count)."""
    stmt = policy.scoped_evaluations(stmt, Evaluation, viewer)
    if filters.status:
        stmt = stmt.where(Evaluation.status == filters.status)
    if filters.person_id:
        stmt = stmt.where(Evaluation.person_id == filters.person_id)
    if filters.evaluator_id:
        stmt = stmt.where(Evaluation.evaluator_id == filters.evaluator_id)
    if filters.scorecard_id:
        stmt = stmt.where(
            Evaluation.scorecard_version_id.in_(
                select(ScorecardVersion.id).where(
                    ScorecardVersion.scorecard_id == filters.scorecard_id
                )
            )
        )
    if filters.dated_from is not None:
        stmt = stmt.where(listed_at() >= filters.dated_from)
    if filters.dated_before is not None:
        stmt = stmt.where(listed_at() < filters.dated_before)
    if filters.critical_only:
        stmt = stmt.where(Evaluation.critical_failed.is_(True))
    if filters.resolved_since is not None:
        stmt = stmt.where(Evaluation.resolved_at >= filters.resolved_since)
    return stmt


def evaluations_for(
    viewer: Person,
    filters: EvaluationFilters,
    *,
    sort: keyset.Sort = DEFAULT_SORT,
    after: str | None = None,
    limit: int = 25,
) -> Page:
    """The evaluations the viewer may read in the sort's order (by date, then id), one page
    after the cursor `after` ("<date>|<id>", BadCursor when damaged)."""
    cursor = keyset.read_cursor(after)
    column = SORT_COLUMNS[sort.key]()
    stmt = keyset.ordered_page(
        _filtered(_rows_statement(), viewer, filters),
        column,
        Evaluation.id,
        sort,
        cursor,
        limit,
    )
    rows = [EvaluationRow(*row) for row in db.session.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        at = last.occurred_at if sort.key == "contact" else (last.submitted_at or last.created_at)
        next_cursor = keyset.cursor_text(at, last.id)
    return Page(rows, next_cursor, cursor is not None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def agent_choices(
    viewer: Person,
    *,
    search: str | None = None,
    ids: list[int] | None = None,
    limit: int | None = None,
) -> list[Choice]:
    """The people whose evaluations the viewer may read (the agent picker), by name; narrowed
    to a name or employee id containing `search`, or to `ids`, and to `limit` rows."""
    stmt = select(Person.id, Person.name).where(
        Person.id.in_(policy.visible_person_ids(viewer, policy.Area.QA))
    )
    if search:
        stmt = stmt.where(
            or_(
                Person.name.icontains(search, autoescape=True),
                Person.name_romanised.icontains(search, autoescape=True),
                Person.employee_id.icontains(search, autoescape=True),
            )
        )
    if ids is not None:
        stmt = stmt.where(Person.id.in_(ids))
    stmt = stmt.order_by(Person.name, Person.id).limit(limit)
    return [Choice(*row) for row in db.session.execute(stmt)]


def agent_count(viewer: Person, cap: int) -> int:
    """How many people the agent picker would list, counted up to `cap` + 1 (enough to tell a
    short list, offered whole, from a long one, searched)."""
    visible = policy.visible_person_ids(viewer, policy.Area.QA).limit(cap + 1).subquery()
    return db.session.execute(select(func.count()).select_from(visible)).scalar_one()


def evaluator_choices(viewer: Person, asked: int | None = None) -> list[Choice]:
    """The evaluator picker, by name: the people who may score contacts the viewer sees (those
    with reports among the people visible in QA) and the QA analysts; plus `asked` (an id in
    the URL, e.g. a link from the Evaluators page) when they wrote an evaluation the viewer may
    read. Read from the people, not from the evaluations: listing who wrote the visible
    evaluations would read every one of them for a viewer who sees the whole organisation."""
    reports = aliased(Person)
    may_score = or_(
        and_(
            Person.id.in_(policy.visible_person_ids(viewer, policy.Area.QA)),
            select(reports.id).where(reports.manager_id == Person.id).exists(),
        ),
        Person.id.in_(select(Grant.person_id).where(Grant.role == StaffRole.QA_ANALYST.value)),
    )
    if asked is not None:
        wrote = policy.scoped_evaluations(
            select(Evaluation.id).where(Evaluation.evaluator_id == asked), Evaluation, viewer
        )
        may_score = or_(may_score, and_(Person.id == asked, wrote.exists()))
    stmt = select(Person.id, Person.name).where(may_score).order_by(Person.name, Person.id)
    return [Choice(*row) for row in db.session.execute(stmt)]


def scorecard_choices() -> list[Choice]:
    """Every scorecard, by name (the scorecard picker)."""
    stmt = select(Scorecard.id, Scorecard.name).order_by(Scorecard.name, Scorecard.id)
    return [Choice(*row) for row in db.session.execute(stmt)]


def _capped_count(stmt: Select, cap: int | None) -> int:
    """COUNT(*) of a statement's rows, reading at most `cap` of them when a cap is given."""
    if cap is not None:
        stmt = stmt.limit(cap)
    return int(db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def count_evaluations(viewer: Person, filters: EvaluationFilters, *, cap: int | None = None) -> int:
    """How many rows `evaluations_for` lists over all its pages (at most `cap`)."""
    base = select(Evaluation.id).join(Person, Person.id == Evaluation.person_id)
    return _capped_count(_filtered(base, viewer, filters), cap)


@dataclass(frozen=True)
class QueueRow:
    contact_id: int
    occurred_at: datetime
    channel: str
    direction: str
    external_id: str
    duration_seconds: int | None
    agent_id: int
    agent_name: str


QUEUE_SORT_KEYS = ("occurred",)
QUEUE_SORT = keyset.Sort("occurred", "desc")


def queue_for(
    viewer: Person,
    *,
    sort: keyset.Sort = QUEUE_SORT,
    after: str | None = None,
    limit: int = 25,
) -> Page:
    """Contacts of the people the viewer may evaluate that nobody has reviewed yet (no
    evaluation, not even a draft), newest first unless the sort says oldest first; keyset on
    (occurred_at, id)."""
    stmt = select(
        Contact.id,
        Contact.occurred_at,
        Contact.channel,
        Contact.direction,
        Contact.external_id,
        Contact.duration_seconds,
        Person.id,
        Person.name,
    ).join(Person, Person.id == Contact.person_id)
    cursor = keyset.read_cursor(after)
    stmt = keyset.ordered_page(
        _queue_where(stmt, viewer), Contact.occurred_at, Contact.id, sort, cursor, limit
    )
    rows = [QueueRow(*row) for row in db.session.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    cursor_out = keyset.cursor_text(last.occurred_at, last.contact_id) if last else None
    return Page(rows, cursor_out, cursor is not None)  # type: ignore[arg-type]


def _queue_where(stmt: Select, viewer: Person) -> Select:
    return stmt.where(
        Contact.person_id.in_(policy.evaluable_person_ids(viewer)), ~contact_reviewed()
    )


def count_queue(viewer: Person, *, since: datetime | None = None, cap: int | None = None) -> int:
    """How many contacts `queue_for` lists (at most `cap`); with `since`, only those that
    occurred from then on: the first rows of the queue, which is newest first. (Proving that a
    large subtree has no unreviewed contact at all reads every one of its contacts.)"""
    stmt = _queue_where(select(Contact.id), viewer)
    if since is not None:
        stmt = stmt.where(Contact.occurred_at >= since)
    return _capped_count(stmt, cap)


def drafts_for(viewer: Person, limit: int = 50) -> list[EvaluationRow]:
    """The viewer's own drafts, newest first, to pick up again (a draft is its evaluator's
    alone)."""
    stmt = (
        _drafts_where(_rows_statement(), viewer)
        .where(Evaluation.evaluator_id == viewer.id)
        .order_by(Evaluation.id.desc())
        .limit(limit)
    )
    return [EvaluationRow(*row) for row in db.session.execute(stmt)]


def started_by_colleagues(viewer: Person, limit: int = 50) -> list[EvaluationRow]:
    """Contacts of the viewer's people that a colleague's draft holds: out of the viewer's
    queue (one evaluation per contact), listed so they do not silently vanish. The rows say
    who started them and when; the answers stay the colleague's."""
    stmt = (
        _drafts_where(_rows_statement(), viewer)
        .where(Evaluation.evaluator_id != viewer.id)
        .order_by(Evaluation.id.desc())
        .limit(limit)
    )
    return [EvaluationRow(*row) for row in db.session.execute(stmt)]


def _drafts_where(stmt: Select, viewer: Person) -> Select:
    return stmt.where(
        Evaluation.status == EvaluationStatus.DRAFT,
        Evaluation.person_id.in_(policy.evaluable_person_ids(viewer)),
    )


def count_drafts(viewer: Person, *, cap: int | None = None) -> int:
    """How many drafts `drafts_for` would list without its limit (at most `cap`)."""
    stmt = _drafts_where(select(Evaluation.id), viewer).where(Evaluation.evaluator_id == viewer.id)
    return _capped_count(stmt, cap)


def agent_summary(viewer: Person, person: Person, zone: ZoneInfo) -> tuple[QaSummary, list]:
    """The person's QA summary (submitted evaluations only) and their last 10 evaluations."""
    stmt = policy.scoped_evaluations(
        select(
            Evaluation.evaluator_id,
            Evaluation.status,
            Evaluation.disputed_at.is_not(None),
            Evaluation.resolution,
            Evaluation.score_exact,
            Evaluation.critical_failed,
            Evaluation.submitted_at,
        ).where(Evaluation.person_id == person.id, Evaluation.status != EvaluationStatus.DRAFT),
        Evaluation,
        viewer,
    )
    facts = [
        EvaluationFacts(e, s, bool(d), r, Fraction(x) if x else None, bool(c), at)
        for e, s, d, r, x, c, at in db.session.execute(stmt)
    ]
    last = evaluations_for(viewer, EvaluationFilters(person_id=person.id), limit=10).rows
    return qa_summary(facts, zone), [r for r in last if r.status != EvaluationStatus.DRAFT]


@dataclass(frozen=True)
class OverturnLine:
    evaluator_id: int
    evaluator_name: str
    rate: OverturnRate


def overturns(viewer: Person) -> list[OverturnLine]:
    """Per evaluator, over the submitted evaluations the viewer may read: how many were
    disputed, resolved, and re-scored (overturned). The counts per (evaluator, agent) come from
    the overturn roll-up up to its usable boundary (`qa.overturn_rollup`) and from the raw
    rows after it (all raw without a roll-up); the viewer's scope is applied to the agents of
    both, then the pairs are summed per evaluator and named: one statement after the one
    that finds the boundary."""
    before_on = overturn_rollup.usable_boundary()
    if before_on is None:
        parts = _raw_pairs(None)
    else:
        since = overturn_rollup.midnight(before_on)
        parts = [overturn_rollup.rolled_pairs(before_on), *_raw_pairs(since)]
    pairs = union_all(*parts).subquery("pairs")
    visible = policy.visible_person_ids(viewer, policy.Area.QA)
    totals = (
        select(
            pairs.c.evaluator_id,
            func.sum(pairs.c.n).label("n"),
            func.sum(pairs.c.disputed).label("disputed"),
            func.sum(pairs.c.resolved).label("resolved"),
            func.sum(pairs.c.rescored).label("rescored"),
        )
        .where(pairs.c.person_id.in_(visible))
        .group_by(pairs.c.evaluator_id)
        .subquery("totals")
    )
    stmt = select(
        Evaluator.id,
        Evaluator.name,
        totals.c.n,
        totals.c.disputed,
        totals.c.resolved,
        totals.c.rescored,
    ).join(totals, totals.c.evaluator_id == Evaluator.id)
    lines = {
        eid: (name, OverturnRate(eid, int(n), int(d or 0), int(r or 0), int(k or 0)))
        for eid, name, n, d, r, k in db.session.execute(stmt)
    }
    ordered = by_overturn_rate(rate for _name, rate in lines.values())
    return [OverturnLine(r.evaluator_id, lines[r.evaluator_id][0], r) for r in ordered]


def _raw_pairs(since: datetime | None) -> list[Select]:
    """The submitted evaluations counted per (evaluator, agent) from the raw rows. All of
    them: counted first (an index-only scan of a partial index), the disputed ones (a few per
    cent) on their own. From `since` on (and any without a submission moment): a few days'
    evaluations, counted in one pass along the submission index."""
    submitted = Evaluation.status != EvaluationStatus.DRAFT
    rescored = func.sum(case((Evaluation.resolution == "rescored", 1), else_=0))
    if since is not None:
        undated = and_(submitted, Evaluation.submitted_at.is_(None))  # ix_evaluation_undated
        recent = or_(Evaluation.submitted_at >= since, undated)
        return [
            select(
                Evaluation.evaluator_id.label("evaluator_id"),
                Evaluation.person_id.label("person_id"),
                func.count().label("n"),
                func.count(Evaluation.disputed_at).label("disputed"),
                func.count(Evaluation.resolution).label("resolved"),
                rescored.label("rescored"),
            )
            .where(submitted, recent)
            .group_by(Evaluation.evaluator_id, Evaluation.person_id)
        ]
    zero = literal(0, Integer)
    counted = (
        select(
            Evaluation.evaluator_id.label("evaluator_id"),
            Evaluation.person_id.label("person_id"),
            func.count().label("n"),
            zero.label("disputed"),
            zero.label("resolved"),
            zero.label("rescored"),
        )
        .where(submitted)
        .group_by(Evaluation.evaluator_id, Evaluation.person_id)
    )
    disputes = (
        select(
            Evaluation.evaluator_id,
            Evaluation.person_id,
            zero,
            func.count(),
            func.sum(case((Evaluation.resolution.is_not(None), 1), else_=0)),
            rescored,
        )
        .where(submitted, Evaluation.disputed_at.is_not(None))
        .group_by(Evaluation.evaluator_id, Evaluation.person_id)
    )
    return [counted, disputes]
