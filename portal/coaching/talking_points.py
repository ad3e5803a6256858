"""Suggested talking points for a meeting, built from data since the last held meeting.

A small registry of providers: each is one function taking the meeting's context and returning
items (a label, a link, the record). Goals and training add their own with `register_provider`.
Points already on the agenda (same key) are not suggested again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.coaching.models import (
    ActionItem,
    AgendaItem,
    CoachingSession,
    MeetingStatus,
    OneOnOne,
    OneOnOneSeries,
)
from portal.extensions import db
from portal.qa.evaluation_models import Evaluation, EvaluationStatus
from portal.qa.scoring import format_score
from portal.web import path_for


@dataclass(frozen=True)
class TalkingPoint:
    key: str  # unique per record and source, e.g. "qa.new:12"
    source: str
    label: str
    link: str
    record: Any


@dataclass(frozen=True)
class MeetingContext:
    meeting: OneOnOne
    since: datetime | None  # the last held meeting before this one; None: never held


Provider = Callable[[MeetingContext], list[TalkingPoint]]
PROVIDERS: dict[str, Provider] = {}


def register_provider(source: str, provider: Provider) -> None:
    PROVIDERS[source] = provider


def last_held_before(meeting: OneOnOne) -> datetime | None:
    return db.session.scalar(
        select(OneOnOne.scheduled_at)
        .where(
            OneOnOne.series_id == meeting.series_id,
            OneOnOne.status == MeetingStatus.HELD,
            OneOnOne.scheduled_at < meeting.scheduled_at,
        )
        .order_by(OneOnOne.scheduled_at.desc())
        .limit(1)
    )


def talking_points_for(meeting: OneOnOne) -> list[TalkingPoint]:
    """Every provider's points for the meeting, minus those already on its agenda."""
    context = MeetingContext(meeting, last_held_before(meeting))
    on_agenda = set(
        db.session.scalars(
            select(AgendaItem.source_key).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.source_key.is_not(None)
            )
        )
    )
    points = []
    for provider in PROVIDERS.values():
        points.extend(p for p in provider(context) if p.key not in on_agenda)
    return points


def point_by_key(meeting: OneOnOne, key: str) -> TalkingPoint | None:
    """The talking point with this key, if the meeting still suggests it."""
    return next((p for p in talking_points_for(meeting) if p.key == key), None)


# ---- providers -----------------------------------------------------------------------------


def open_action_items(context: MeetingContext) -> list[TalkingPoint]:
    """The series' open items, and those still open from the report's earlier series (a report
    who moved to another supervisor brings their open commitments along)."""
    meeting = context.meeting
    series_of_report = select(OneOnOneSeries.id).where(
        OneOnOneSeries.person_id == meeting.person_id
    )
    items = db.session.scalars(
        select(ActionItem)
        .where(
            ActionItem.series_id.in_(series_of_report),
            ActionItem.is_done.is_(False),
            # Items agreed in this meeting are on its action list already.
            ActionItem.meeting_id != meeting.id,
        )
        .order_by(ActionItem.id)
    ).all()
    link = path_for("coaching.action_list")
    return [
        TalkingPoint(
            f"action:{item.id}",
            "action_items",
            _("Open action item: %(body)s", body=item.body),
            link,
            item,
        )
        for item in items
    ]


def qa_points(context: MeetingContext) -> list[TalkingPoint]:
    """New evaluations since the last held meeting, open disputes, critical fails."""
    meeting = context.meeting
    shared = Evaluation.status != EvaluationStatus.DRAFT
    recent = Evaluation.submitted_at > context.since if context.since else True
    rows = db.session.scalars(
        select(Evaluation)
        .where(
            Evaluation.person_id == meeting.person_id,
            shared,
            Evaluation.submitted_at <= meeting.scheduled_at,
            or_(recent, Evaluation.status == EvaluationStatus.DISPUTED),
        )
        .order_by(Evaluation.submitted_at, Evaluation.id)
    ).all()
    points = []
    for ev in rows:
        link = path_for("qa.evaluation_detail", evaluation_id=ev.id)
        score = format_score(ev.score_exact)
        is_new = context.since is None or (ev.submitted_at and ev.submitted_at > context.since)
        if ev.status == EvaluationStatus.DISPUTED:
            points.append(
                TalkingPoint(
                    f"qa.dispute:{ev.id}",
                    "qa_disputes",
                    _("Open dispute on evaluation #%(id)d", id=ev.id),
                    link,
                    ev,
                )
            )
        if is_new and ev.critical_failed:
            points.append(
                TalkingPoint(
                    f"qa.critical:{ev.id}",
                    "qa_critical",
                    _("Critical fail in evaluation #%(id)d", id=ev.id),
                    link,
                    ev,
                )
            )
        elif is_new:
            points.append(
                TalkingPoint(
                    f"qa.new:{ev.id}",
                    "qa_new",
                    _("New evaluation #%(id)d: %(score)s", id=ev.id, score=score),
                    link,
                    ev,
                )
            )
    return points


def coaching_follow_ups(context: MeetingContext) -> list[TalkingPoint]:
    """Coaching sessions whose follow-up date has come by this meeting (and not before the last
    held one): time to look at whether the results moved."""
    meeting = context.meeting
    day = meeting.scheduled_at.date()
    stmt = select(CoachingSession).where(
        CoachingSession.person_id == meeting.person_id,
        CoachingSession.follow_up_on.is_not(None),
        CoachingSession.follow_up_on <= day,
    )
    if context.since is not None:
        stmt = stmt.where(CoachingSession.follow_up_on > context.since.date())
    return [
        TalkingPoint(
            f"coaching.follow_up:{s.id}",
            "coaching_follow_ups",
            _("Coaching follow-up due: %(behaviour)s", behaviour=s.behaviour[:80]),
            path_for("coaching.session_detail", session_id=s.id),
            s,
        )
        for s in db.session.scalars(stmt.order_by(CoachingSession.follow_up_on))
    ]


register_provider("action_items", open_action_items)
register_provider("coaching_follow_ups", coaching_follow_ups)
register_provider("qa", qa_points)

from portal.coaching import talking_points_more  # noqa: E402, F401  (goals and training)
