"""The records a corrective action may refer to: the person's own QA evaluations, reviews, KPIs
and 1:1s, each offered only when the author reaches it through the policy's scopes, and shown to
readers as words ("QA evaluation #12 of 3 Mar 2026: 72.5 %"), with a link when they may open it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select

from portal import policy, time_format
from portal.coaching.models import OneOnOne
from portal.conduct.models import ActionLink, LinkType
from portal.extensions import db
from portal.goals.models import Review, ReviewCycle
from portal.kpis.models import Kpi, KpiValue
from portal.org.models import Person
from portal.policy import Area
from portal.qa.evaluation_models import Evaluation, EvaluationStatus
from portal.qa.scoring import format_score
from portal.web import path_for

CHOICES_PER_TYPE = 40  # the most recent of each kind are offered


@dataclass(frozen=True)
class LinkedRecord:
    record_type: str
    record_id: int
    label: str
    url: str | None  # None: the reader may not open it (or it no longer exists)


def _evaluations(viewer: Person, person_id: int) -> Select:
    stmt = select(Evaluation).where(
        Evaluation.person_id == person_id, Evaluation.status != EvaluationStatus.DRAFT
    )
    return policy.scoped_evaluations(stmt, Evaluation, viewer)


def _reviews(viewer: Person, person_id: int) -> Select:
    stmt = (
        select(Review, ReviewCycle.name)
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .where(Review.person_id == person_id)
    )
    return policy.scoped(stmt, Review, viewer, Area.REVIEWS)


def _kpis(viewer: Person, person_id: int) -> Select:
    values = policy.scoped(
        select(KpiValue.kpi_id).where(KpiValue.person_id == person_id), KpiValue, viewer, Area.KPIS
    )
    return select(Kpi).where(Kpi.id.in_(values))


def _meetings(viewer: Person, person_id: int) -> Select:
    stmt = select(OneOnOne).where(OneOnOne.person_id == person_id)
    return policy.scoped(stmt, OneOnOne, viewer, Area.COACHING)


def _evaluation_label(evaluation: Evaluation) -> str:
    return _(
        "QA evaluation #%(id)d of %(day)s: %(score)s",
        id=evaluation.id,
        day=time_format.fmt_date(evaluation.submitted_at),
        score=format_score(evaluation.score_exact),
    )


def _review_label(cycle_name: str) -> str:
    return _("Performance review %(cycle)s", cycle=cycle_name)


def _kpi_label(kpi: Kpi) -> str:
    return _("KPI %(name)s", name=kpi.name)


def _meeting_label(meeting: OneOnOne) -> str:
    return _("1:1 of %(day)s", day=time_format.fmt_date(meeting.scheduled_at))


def choices_for(viewer: Person, person: Person) -> dict[str, list[tuple[int, str]]]:
    """(id, words) of the person's records the viewer may refer to, newest first, per type."""
    pid = person.id
    evaluations = db.session.scalars(
        _evaluations(viewer, pid)
        .order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())
        .limit(CHOICES_PER_TYPE)
    )
    reviews = db.session.execute(
        _reviews(viewer, pid).order_by(ReviewCycle.starts_on.desc()).limit(CHOICES_PER_TYPE)
    )
    kpis = db.session.scalars(_kpis(viewer, pid).order_by(Kpi.name).limit(CHOICES_PER_TYPE))
    meetings = db.session.scalars(
        _meetings(viewer, pid)
        .order_by(OneOnOne.scheduled_at.desc(), OneOnOne.id.desc())
        .limit(CHOICES_PER_TYPE)
    )
    return {
        LinkType.EVALUATION: [(e.id, _evaluation_label(e)) for e in evaluations],
        LinkType.REVIEW: [(r.id, _review_label(name)) for r, name in reviews],
        LinkType.KPI: [(k.id, _kpi_label(k)) for k in kpis],
        LinkType.ONE_ON_ONE: [(m.id, _meeting_label(m)) for m in meetings],
    }


def reachable_ids(viewer: Person, person_id: int, record_type: str, ids: Iterable[int]) -> set[int]:
    """Which of `ids` (of `record_type`, about the person) the viewer reaches: one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    if record_type == LinkType.EVALUATION:
        stmt = _evaluations(viewer, person_id).with_only_columns(Evaluation.id)
        stmt = stmt.where(Evaluation.id.in_(wanted))
    elif record_type == LinkType.REVIEW:
        stmt = _reviews(viewer, person_id).with_only_columns(Review.id)
        stmt = stmt.where(Review.id.in_(wanted))
    elif record_type == LinkType.KPI:
        stmt = _kpis(viewer, person_id).with_only_columns(Kpi.id).where(Kpi.id.in_(wanted))
    elif record_type == LinkType.ONE_ON_ONE:
        stmt = _meetings(viewer, person_id).with_only_columns(OneOnOne.id)
        stmt = stmt.where(OneOnOne.id.in_(wanted))
    else:
        return set()
    return set(db.session.scalars(stmt))


def shown_links(viewer: Person, person_id: int, links: list[ActionLink]) -> list[LinkedRecord]:
    """The action's links in words for this reader: at most one query per type of record."""
    by_type: dict[str, list[int]] = {}
    for link in links:
        by_type.setdefault(link.record_type, []).append(link.record_id)
    shown: list[LinkedRecord] = []
    if ids := by_type.get(LinkType.EVALUATION):
        seen = reachable_ids(viewer, person_id, LinkType.EVALUATION, ids)
        rows = db.session.scalars(select(Evaluation).where(Evaluation.id.in_(ids)))
        for e in sorted(rows, key=lambda e: e.id):
            url = path_for("qa.evaluation_detail", evaluation_id=e.id) if e.id in seen else None
            shown.append(LinkedRecord(LinkType.EVALUATION, e.id, _evaluation_label(e), url))
    if ids := by_type.get(LinkType.REVIEW):
        seen = reachable_ids(viewer, person_id, LinkType.REVIEW, ids)
        rows = db.session.execute(
            select(Review.id, ReviewCycle.name)
            .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
            .where(Review.id.in_(ids))
            .order_by(ReviewCycle.starts_on)
        )
        for rid, name in rows:
            url = path_for("goals.review_detail", review_id=rid) if rid in seen else None
            shown.append(LinkedRecord(LinkType.REVIEW, rid, _review_label(name), url))
    if ids := by_type.get(LinkType.KPI):
        opens = policy.can(viewer, "kpi.list")
        for k in db.session.scalars(select(Kpi).where(Kpi.id.in_(ids)).order_by(Kpi.name)):
            url = path_for("kpis.kpi_detail", kpi_id=k.id) if opens else None
            shown.append(LinkedRecord(LinkType.KPI, k.id, _kpi_label(k), url))
    if ids := by_type.get(LinkType.ONE_ON_ONE):
        seen = reachable_ids(viewer, person_id, LinkType.ONE_ON_ONE, ids)
        rows = db.session.scalars(
            select(OneOnOne).where(OneOnOne.id.in_(ids)).order_by(OneOnOne.scheduled_at)
        )
        for m in rows:
            url = path_for("coaching.meeting_detail", meeting_id=m.id) if m.id in seen else None
            shown.append(LinkedRecord(LinkType.ONE_ON_ONE, m.id, _meeting_label(m), url))
    return shown
