"""Closing calibration and the share gate (transitions.share_gate): HR closes calibration for a
cycle or a team, which lets the reviewers share the reviews submitted before it; HR may open one
review early with a reason (an override). Every close is audited and tells the reviewers who
may now share. Who sees a close (and its reason) is policy's "review.see_calibration"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from portal import audit, policy, time_format
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals.cycles import ensure_open
from portal.goals.models import (
    CalibrationClose,
    CloseScope,
    CyclePhase,
    CycleState,
    PhaseKind,
    Review,
    ReviewCycle,
    ReviewState,
)
from portal.goals.transitions import CloseFact, ShareGate, share_gate
from portal.notify.service import notify, register_kind
from portal.org.models import Person, Team
from portal.web import path_for

register_kind(
    "review.calibration_closed",
    _l("%(actor)s closed calibration in %(cycle)s: %(count)s of your reviews can now be shared"),
    label=_l("Calibration closed: reviews I wrote can be shared"),
    urgent=True,
)
register_kind(
    "review.share_opened",
    _l(
        "%(actor)s let you share the review of %(person)s in %(cycle)s before calibration "
        "closed: %(reason)s"
    ),
    label=_l("HR let me share a review before calibration closed"),
    urgent=True,
)


def _has_calibration(cycle: ReviewCycle) -> bool:
    return any(phase.kind == PhaseKind.CALIBRATION for phase in cycle.phases)


def _fact(close: CalibrationClose) -> CloseFact:
    return CloseFact(close.scope, close.closed_at, close.by.name, close.reason)


def _covers(cycle_id, team_id, review_id):
    """The closes that cover a review of this cycle, team and id (values for one review, or
    Review's columns for a query over many): the cycle's, the team's, the review's own."""
    return and_(
        CalibrationClose.cycle_id == cycle_id,
        or_(
            CalibrationClose.scope == CloseScope.CYCLE,
            and_(CalibrationClose.scope == CloseScope.TEAM, CalibrationClose.team_id == team_id),
            and_(
                CalibrationClose.scope == CloseScope.REVIEW,
                CalibrationClose.review_id == review_id,
            ),
        ),
    )


def _concerning(review: Review):
    """The closes of the review's cycle that concern it: the cycle's, its team's, its own."""
    return select(CalibrationClose).where(_covers(review.cycle_id, review.team_id, review.id))


def gate_for(review: Review) -> ShareGate:
    """May the review be shared as far as calibration goes (the state is checked apart)?"""
    cycle = review.cycle
    if not _has_calibration(cycle):
        return share_gate(has_calibration=False, planned_on=None, submitted_at=None, closes=())
    closes = db.session.execute(
        _concerning(review).options(selectinload(CalibrationClose.by))
    ).scalars()
    return share_gate(
        has_calibration=True,
        planned_on=cycle.phase_due(PhaseKind.CALIBRATION),
        submitted_at=review.manager_submitted_at,
        closes=[_fact(c) for c in closes],
    )


def is_closed_for(review: Review) -> bool:
    """True when a close covers the review: its ratings no longer change at calibration."""
    gate = gate_for(review)
    return gate.close is not None


def require_open_gate(review: Review) -> None:
    """InvalidTransition, saying why and when, unless calibration lets the review be shared."""
    gate = gate_for(review)
    if not gate.is_open:
        raise InvalidTransition(gate_message(gate))


def gate_message(gate: ShareGate) -> str:
    """Why sharing waits, for the reviewer line (never shown to the employee)."""
    if gate.because == "late":
        return _(
            "This review was submitted after calibration closed: HR decides when it can be shared."
        )
    if gate.planned_on is not None:
        return _(
            "You can share this review once HR closes calibration (planned by %(day)s).",
            day=time_format.fmt_date(gate.planned_on),
        )
    return _("You can share this review once HR closes calibration.")


# ---- closing --------------------------------------------------------------------------------


def _ensure_in_progress(cycle: ReviewCycle) -> None:
    ensure_open(cycle)
    if cycle.state != CycleState.IN_PROGRESS:
        raise InvalidTransition(_("The cycle has not started yet."))


def _tell_reviewers(reviews: list[Review], by: Person, cycle: ReviewCycle, scope: str) -> None:
    """One notification per reviewer: how many of their reviews can now be shared."""
    per_reviewer: dict[int, int] = defaultdict(int)
    for review in reviews:
        if review.reviewer_id is not None:
            per_reviewer[review.reviewer_id] += 1
    for reviewer_id, count in per_reviewer.items():
        notify(
            reviewer_id,
            by,
            "review.calibration_closed",
            "review_cycle",
            cycle.id,
            path_for("goals.review_list"),
            cycle=cycle.name,
            team=scope,  # kept with the notification: "" for the whole cycle
            count=count,
        )


def close_calibration(
    cycle: ReviewCycle, by: Person, *, team_id: int | None = None
) -> CalibrationClose:
    """HR closes calibration for the whole cycle (team_id None) or one team of it. The reviews
    in calibration that the close opens are told to their reviewers. A second close of the same
    scope (a double submit) changes nothing and returns the first."""
    policy.require(by, "calibration.close_reviews")
    _ensure_in_progress(cycle)
    if not _has_calibration(cycle):
        raise InvalidTransition(
            _("This cycle has no calibration phase: reviews are shared once submitted.")
        )
    scope = CloseScope.TEAM if team_id else CloseScope.CYCLE
    team = None
    if team_id:
        team = db.session.get(Team, team_id)
        enrolled = db.session.execute(
            select(func.count(Review.id)).where(
                Review.cycle_id == cycle.id, Review.team_id == team_id
            )
        ).scalar_one()
        if team is None or not enrolled:
            raise ValidationFailed(field_errors={"team": [_("Nobody of this team is enrolled.")]})
    key = CalibrationClose.key_for(scope, team_id=team_id)
    existing = db.session.execute(
        select(CalibrationClose).where(
            CalibrationClose.cycle_id == cycle.id, CalibrationClose.scope_key == key
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    waiting = _waiting_reviews(cycle, team_id)
    close = CalibrationClose(
        cycle_id=cycle.id, scope=scope, scope_key=key, team_id=team_id, by_id=by.id, reason=""
    )
    close.closed_at = utcnow()
    db.session.add(close)
    db.session.flush()
    audit.record(
        by,
        "calibration.close",
        "review_cycle",
        cycle.id,
        {},
        {"scope": scope.value, "team_id": team_id, "close_id": close.id},
    )
    _tell_reviewers(waiting, by, cycle, team.name if team is not None else "")
    db.session.commit()
    return close


def _waiting_reviews(cycle: ReviewCycle, team_id: int | None) -> list[Review]:
    """The reviews in calibration (of the team, if given) whose gate is still shut: no close
    covers them (closed_condition; the caller checked that the cycle has calibration)."""
    stmt = (
        select(Review)
        .where(
            Review.cycle_id == cycle.id,
            Review.state == ReviewState.CALIBRATION,
            ~closed_condition(),
        )
        .options(selectinload(Review.cycle))
    )
    if team_id:
        stmt = stmt.where(Review.team_id == team_id)
    return list(db.session.execute(stmt).scalars())


def open_sharing(
    review: Review, by: Person, *, reason: str, expected_version: int
) -> CalibrationClose:
    """HR's override: this one review may be shared before calibration closes for it. The
    reason is required, kept and audited; the reviewer is told (the employee never is)."""
    policy.require(by, "review.share_override", review)
    _ensure_in_progress(review.cycle)
    if review.version != expected_version:
        raise Conflict()
    if not reason.strip():
        raise ValidationFailed(
            field_errors={"reason": [_("Say why this review may be shared now.")]}
        )
    if review.state != ReviewState.CALIBRATION:
        raise InvalidTransition(_("Only a review waiting in calibration can be opened early."))
    if gate_for(review).is_open:
        raise InvalidTransition(_("This review can already be shared."))
    submitted = review.manager_submitted_at
    stamp = int(submitted.timestamp()) if submitted else 0
    # One override per submission: a double submit finds the key taken.
    key = f"{CalibrationClose.key_for(CloseScope.REVIEW, review_id=review.id)}:{stamp}"
    existing = db.session.execute(
        select(CalibrationClose).where(
            CalibrationClose.cycle_id == review.cycle_id, CalibrationClose.scope_key == key
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    close = CalibrationClose(
        cycle_id=review.cycle_id,
        scope=CloseScope.REVIEW,
        scope_key=key,
        review_id=review.id,
        by_id=by.id,
        reason=reason.strip(),
    )
    close.closed_at = utcnow()
    db.session.add(close)
    db.session.flush()
    audit.record(
        by,
        "review.share_override",
        "review",
        review.id,
        {"state": review.state},
        {"state": review.state, "reason": reason.strip(), "close_id": close.id},
    )
    notify(
        review.reviewer_id or by.id,
        by,
        "review.share_opened",
        "review",
        review.id,
        path_for("goals.review_detail", review_id=review.id),
        cycle=review.cycle.name,
        person=review.person.display_name,
        reason=reason.strip()[:200],
    )
    db.session.commit()
    return close


# ---- reading --------------------------------------------------------------------------------


def closed_condition():
    """SQL: a close of the review's cycle, team or own, made after the manager submitted,
    covers it (its ratings no longer change at calibration; is_closed_for for many reviews)."""
    return (
        select(CalibrationClose.id)
        .where(
            _covers(Review.cycle_id, Review.team_id, Review.id),
            CalibrationClose.closed_at >= Review.manager_submitted_at,
        )
        .exists()
    )


def shareable_condition():
    """SQL: the review's gate is open (transitions.share_gate, for a query over many reviews):
    its cycle has no calibration phase, or a close covers it (closed_condition)."""
    no_phase = ~(
        select(CyclePhase.id)
        .where(CyclePhase.cycle_id == Review.cycle_id, CyclePhase.kind == PhaseKind.CALIBRATION)
        .exists()
    )
    return or_(no_phase, closed_condition())


def waiting_for_close_count(cycle: ReviewCycle) -> int:
    """How many reviews of the cycle wait in calibration for HR to close it: one statement."""
    return int(
        db.session.execute(
            select(func.count(Review.id)).where(
                Review.cycle_id == cycle.id,
                Review.state == ReviewState.CALIBRATION,
                ~shareable_condition(),
            )
        ).scalar_one()
    )


def to_share(viewer: Person) -> list[Review]:
    """The reviews the viewer writes that wait in calibration with the gate open: theirs to
    share now, in running cycles. One statement."""
    return list(
        db.session.execute(
            select(Review)
            .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
            .where(
                Review.reviewer_id == viewer.id,
                Review.state == ReviewState.CALIBRATION,
                ReviewCycle.state == CycleState.IN_PROGRESS,
                shareable_condition(),
            )
        ).scalars()
    )


def history_for(viewer: Person, review: Review) -> list[CalibrationClose]:
    """The closes concerning the review, for the reviewer line, calibrators and HR; nothing for
    anyone else (the employee above all)."""
    if not policy.can(viewer, "review.see_calibration", review):
        return []
    stmt = (
        _concerning(review)
        .options(selectinload(CalibrationClose.by), selectinload(CalibrationClose.team))
        .order_by(CalibrationClose.closed_at, CalibrationClose.id)
    )
    return list(db.session.execute(stmt).scalars())


@dataclass(frozen=True)
class TeamStatus:
    team_id: int | None
    team: str
    enrolled: int
    in_calibration: int
    closed: CalibrationClose | None


@dataclass(frozen=True)
class Closing:
    cycle: ReviewCycle
    has_calibration: bool
    cycle_close: CalibrationClose | None
    teams: list[TeamStatus]
    overrides: int


def closing_for(viewer: Person, cycle: ReviewCycle) -> Closing:
    """HR's view of a cycle's calibration: closed for the cycle? per team: enrolled, in
    calibration, closed. Three statements, whatever the number of teams."""
    policy.require(viewer, "calibration.close_reviews")
    counts = db.session.execute(
        select(
            Review.team_id,
            func.count(Review.id),
            func.sum(case((Review.state == ReviewState.CALIBRATION.value, 1), else_=0)),
        )
        .where(Review.cycle_id == cycle.id)
        .group_by(Review.team_id)
    ).all()
    closes = list(
        db.session.execute(
            select(CalibrationClose)
            .where(CalibrationClose.cycle_id == cycle.id)
            .options(selectinload(CalibrationClose.by))
        ).scalars()
    )
    names = dict(
        db.session.execute(
            select(Team.id, Team.name).where(Team.id.in_([t for t, _n, _c in counts if t]))
        ).all()
    )
    by_team = {c.team_id: c for c in closes if c.scope == CloseScope.TEAM}
    teams = [
        TeamStatus(
            team_id,
            names.get(team_id, "—") if team_id else _("No team"),
            int(enrolled),
            int(waiting or 0),
            by_team.get(team_id),
        )
        for team_id, enrolled, waiting in counts
    ]
    teams.sort(key=lambda t: t.team)
    return Closing(
        cycle=cycle,
        has_calibration=_has_calibration(cycle),
        cycle_close=next((c for c in closes if c.scope == CloseScope.CYCLE), None),
        teams=teams,
        overrides=sum(1 for c in closes if c.scope == CloseScope.REVIEW),
    )
