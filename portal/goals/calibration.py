"""Calibration: the proposed and final ratings of the reviews a viewer calibrates (those written
by reviewers below them; every review for HR), their distribution against the cycle's
guideline as warnings that never block, and changes that each carry a reason."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from portal import audit, policy
from portal.errors import InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals import rating, sharing
from portal.goals.models import CalibrationChange, Review, ReviewCycle, ReviewState
from portal.goals.reviews import _check_version, _commit, _ensure_in_progress, tell
from portal.notify.service import register_kind
from portal.org.models import Person, Team

# To the reviewer (the person's manager) only: the employee sees ratings once shared.
register_kind(
    "review.rating_calibrated",
    _l(
        "%(actor)s changed the rating of %(person)s in %(cycle)s from %(before)s to %(after)s: "
        "%(reason)s"
    ),
    label=_l("A rating I proposed was changed at calibration"),
)

# Reviews whose manager assessment is in: they take part in the distribution.
CALIBRATED_STATES = (
    ReviewState.CALIBRATION,
    ReviewState.SHARED,
    ReviewState.ACKNOWLEDGED,
    ReviewState.LOCKED,
)


@dataclass(frozen=True)
class Calibration:
    reviews: list[Review]
    distribution: dict[int, tuple[int, Fraction]]
    warnings: list[rating.GuidelineWarning]
    guideline: dict[int, Fraction]
    changes: dict[int, list[CalibrationChange]]
    teams: list[Team]


def _calibrated_by(viewer: Person, cycle: ReviewCycle, team_id: int | None):
    reviewer = aliased(Person)
    stmt = (
        select(Review)
        .join(Person, Person.id == Review.person_id)
        .where(Review.cycle_id == cycle.id, Review.state.in_([s.value for s in CALIBRATED_STATES]))
    )
    stmt = policy.scoped(stmt, Review, viewer, policy.Area.REVIEWS)
    if not policy.is_hr(viewer):
        stmt = stmt.join(reviewer, reviewer.id == Review.reviewer_id).where(
            reviewer.path.startswith(viewer.path, autoescape=True),
            reviewer.id != viewer.id,
        )
    if team_id:
        stmt = stmt.where(Review.team_id == team_id)
    return stmt


def to_calibrate_count(viewer: Person, cycle: ReviewCycle) -> int:
    """How many of the reviews calibration_for lists (every team) are still in calibration:
    the rows the page offers a rating change on. One statement."""
    stmt = (
        _calibrated_by(viewer, cycle, None)
        .where(Review.state == ReviewState.CALIBRATION.value)
        .with_only_columns(func.count(Review.id))
    )
    return int(db.session.execute(stmt).scalar_one())


def calibration_for(viewer: Person, cycle: ReviewCycle, team_id: int | None) -> Calibration:
    stmt = _calibrated_by(viewer, cycle, team_id).options(
        selectinload(Review.person), selectinload(Review.reviewer), selectinload(Review.team)
    )
    reviews = list(db.session.execute(stmt.order_by(Person.name, Review.id)).scalars())
    scale = cycle.scale_values
    finals = [r.final_rating for r in reviews if r.final_rating in scale]
    distribution = rating.rating_distribution(finals, scale)
    guideline = {int(k): Fraction(v) for k, v in cycle.guideline.items()}
    ids = [r.id for r in reviews]
    changes: dict[int, list[CalibrationChange]] = {rid: [] for rid in ids}
    if ids:
        for change in db.session.execute(
            select(CalibrationChange)
            .where(CalibrationChange.review_id.in_(ids))
            .options(selectinload(CalibrationChange.by))
            .order_by(CalibrationChange.id)
        ).scalars():
            changes[change.review_id].append(change)
    team_ids = {r.team_id for r in reviews if r.team_id}
    all_team_ids = (
        set(
            db.session.execute(
                _calibrated_by(viewer, cycle, None).with_only_columns(Review.team_id).distinct()
            ).scalars()
        )
        | team_ids
    )
    teams = list(
        db.session.execute(
            select(Team).where(Team.id.in_([t for t in all_team_ids if t])).order_by(Team.name)
        ).scalars()
    )
    return Calibration(
        reviews=reviews,
        distribution=distribution,
        warnings=rating.guideline_warnings(distribution, guideline),
        guideline=guideline,
        changes=changes,
        teams=teams,
    )


def change_rating(
    review: Review, by: Person, *, new_rating: int, reason: str, expected_version: int
) -> CalibrationChange:
    """Change a review's rating at calibration; the reason is required and the change is kept
    (before -> after) and audited. The employee sees ratings only once the review is shared."""
    policy.require(by, "review.calibrate", review)
    _ensure_in_progress(review)
    if review.state != ReviewState.CALIBRATION:
        raise InvalidTransition(_("Ratings change at calibration only."))
    if sharing.is_closed_for(review):
        raise InvalidTransition(_("Calibration is closed for this review."))
    _check_version(review, expected_version)
    errors: dict[str, list[str]] = {}
    if new_rating not in review.cycle.scale_values:
        errors["rating"] = [_("Choose a rating on the cycle's scale.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the change.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    before = review.final_rating
    change = CalibrationChange(
        review_id=review.id,
        by_id=by.id,
        before_rating=before,
        after_rating=new_rating,
        reason=reason.strip(),
    )
    db.session.add(change)
    review.final_rating = new_rating
    db.session.flush()
    audit.record(
        by,
        "review.calibrate",
        "review",
        review.id,
        {"final_rating": before},
        {"final_rating": new_rating, "reason": reason.strip(), "change_id": change.id},
    )
    scale = review.cycle
    tell(
        review.reviewer_id,
        by,
        review,
        "review.rating_calibrated",
        before=f"{before} {scale.scale_label(before)}".strip() if before is not None else "—",
        after=f"{new_rating} {scale.scale_label(new_rating)}".strip(),
        reason=reason.strip()[:200],
    )
    _commit(review)
    return change
