"""Reviews: the self-assessment, the manager assessment, the steps of the lifecycle (start,
share, acknowledge, lock), and HR reopening one with a reason.

Drafts are private: the employee's ratings are seen by others only once submitted, the
reviewer's by others only once submitted, and by the employee only once the review is shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import audit, policy
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.goals import figures, rating, sharing
from portal.goals import progress as maths
from portal.goals.cycles import ensure_open
from portal.goals.goals import plan_summary
from portal.goals.models import (
    Author,
    CalibrationChange,
    CycleState,
    Review,
    ReviewCycle,
    ReviewRating,
    ReviewReopening,
    ReviewState,
)
from portal.goals.transitions import (
    MANAGER_EDITABLE,
    SELF_EDITABLE,
    STEP_RULE,
    next_state,
    reopen_state,
)
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.web import path_for

Area = policy.Area

register_kind(
    "review.started",
    _l("%(actor)s opened your self-assessment for %(cycle)s"),
    label=_l("My self-assessment is open"),
)
register_kind(
    "review.self_submitted",
    _l("%(person)s submitted their self-assessment in %(cycle)s: your assessment is next"),
    label=_l("A self-assessment of someone I review was submitted"),
)
register_kind(
    "review.shared",
    _l("%(actor)s shared your review of %(cycle)s with you: read it and acknowledge it"),
    label=_l("My review was shared with me"),
    urgent=True,
)
register_kind(
    "review.acknowledged",
    _l("%(person)s acknowledged their review of %(cycle)s"),
    label=_l("A review I wrote was acknowledged"),
)
register_kind(
    "review.reopened",
    _l("%(actor)s reopened the review of %(person)s in %(cycle)s for you to act on: %(reason)s"),
    label=_l("A review was reopened for me to act on"),
    urgent=True,
)
register_kind(
    "review.signed_off",
    _l("%(actor)s signed off the review of %(person)s in %(cycle)s"),
    label=_l("A review of mine, or one I wrote, was signed off"),
)


@dataclass(frozen=True)
class Entry:
    rating: int | None
    comment: str


def goal_subject(goal_id: int) -> str:
    return f"goal:{goal_id}"


def competency_subject(key: str) -> str:
    return f"competency:{key}"


# ---- reading --------------------------------------------------------------------------------


def get_review(viewer: Person, review_id: int) -> Review:
    return policy.get_visible_or_404(Review, review_id, viewer, Area.REVIEWS)


def reviews_i_write(viewer: Person) -> list[Review]:
    """The reviews the viewer writes as reviewer, newest cycle first, then by name."""
    stmt = policy.scoped(
        select(Review)
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .join(Person, Person.id == Review.person_id)
        .where(Review.reviewer_id == viewer.id)
        .options(selectinload(Review.person), selectinload(Review.cycle)),
        Review,
        viewer,
        Area.REVIEWS,
    )
    stmt = stmt.order_by(ReviewCycle.starts_on.desc(), Person.name, Review.id)
    return list(db.session.execute(stmt).scalars())


def my_reviews(viewer: Person) -> list[Review]:
    stmt = (
        select(Review)
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .where(Review.person_id == viewer.id)
        .options(selectinload(Review.cycle))
        .order_by(ReviewCycle.starts_on.desc())
    )
    return list(db.session.execute(stmt).scalars())


def sees_self_ratings(viewer: Person, review: Review) -> bool:
    return review.person_id == viewer.id or review.self_submitted_at is not None


def sees_manager_ratings(viewer: Person, review: Review) -> bool:
    """The reviewer always; the employee once shared; others once the reviewer submitted."""
    if review.reviewer_id == viewer.id:
        return True
    if review.person_id == viewer.id:
        return review.is_shared
    return review.manager_submitted_at is not None


def entries(review: Review, author: str) -> dict[str, Entry]:
    return {r.subject: Entry(r.rating, r.comment) for r in review.ratings if r.author == author}


@dataclass(frozen=True)
class Sheet:
    """Everything the review page shows, already filtered for the viewer."""

    self_entries: dict[str, Entry] | None  # None: not visible to this viewer
    manager_entries: dict[str, Entry] | None
    computed: figures.Overall | None  # from the manager's ratings, when visible
    achievement: Fraction | None  # capped, over the covered weight: what the suggestion uses
    suggested: rating.RatingBand | None
    # The suggested rating with what it is based on (capped achievement, covered weight, goals
    # without data), rounded for display; None when the viewer may not see ratings.
    suggestion: figures.Suggestion | None
    show_rating: bool  # the final rating visible (the employee: once shared)
    weights_total: Fraction
    # Calibration is confidential (policy "review.see_calibration"): the proposal, the changes,
    # the computed overall beside them and the close are for the reviewer line and HR only.
    show_calibration: bool = False
    final_rating: int | None = None  # None when not visible to this viewer
    proposed_rating: int | None = None  # None unless show_calibration


def sheet(viewer: Person, review: Review) -> Sheet:
    views, total, _progress = plan_summary(review)
    cycle = review.cycle
    mine = entries(review, Author.MANAGER) if sees_manager_ratings(viewer, review) else None
    computed = None
    if mine is not None:
        computed = overall_of(review, mine)
    suggestion = None
    if mine is not None:
        suggestion = figures.suggestion(
            [(v.goal.weight, v.figures.progress) for v in views],
            figures.bands_of(cycle.bands),
            cycle.achievement_cap_percent,
        )
    calibration_shown = policy.can(viewer, "review.see_calibration", review)
    return Sheet(
        self_entries=entries(review, Author.SELF) if sees_self_ratings(viewer, review) else None,
        manager_entries=mine,
        computed=computed,
        achievement=suggestion.achievement.value if suggestion else None,
        suggested=suggestion.band if suggestion else None,
        suggestion=suggestion,
        show_rating=mine is not None,
        weights_total=total,
        show_calibration=calibration_shown,
        final_rating=review.final_rating if mine is not None else None,
        proposed_rating=review.proposed_rating if calibration_shown and mine is not None else None,
    )


def calibration_changes(viewer: Person, review: Review) -> list[CalibrationChange]:
    """The review's calibration changes (who, before -> after, why) for those who may see
    calibration once the reviewer has submitted; nothing for anyone else, the employee above
    all (their page, print view and PDF show the final rating only)."""
    if not policy.can(viewer, "review.see_calibration", review):
        return []
    if not sees_manager_ratings(viewer, review):
        return []
    return list(
        db.session.execute(
            select(CalibrationChange)
            .where(CalibrationChange.review_id == review.id)
            .options(selectinload(CalibrationChange.by))
            .order_by(CalibrationChange.id)
        ).scalars()
    )


def overall_of(review: Review, given: Mapping[str, Entry]) -> figures.Overall:
    cycle = review.cycle
    goal_ratings = [
        (goal.weight, given.get(goal_subject(goal.id), Entry(None, "")).rating)
        for goal in review.goals
    ]
    competency_ratings = [
        given.get(competency_subject(c["key"]), Entry(None, "")).rating for c in cycle.competencies
    ]
    return figures.review_overall(
        goal_ratings, competency_ratings, cycle.goals_weight, cycle.competencies_weight
    )


# ---- writing the assessments ----------------------------------------------------------------


def _subjects(review: Review) -> list[str]:
    return [goal_subject(g.id) for g in review.goals] + [
        competency_subject(c["key"]) for c in review.cycle.competencies
    ]


def _ensure_in_progress(review: Review) -> None:
    ensure_open(review.cycle)
    if review.cycle.state != CycleState.IN_PROGRESS:
        raise InvalidTransition(_("The cycle has not started yet."))


def _store(review: Review, author: str, given: Mapping[str, Entry]) -> dict[str, list[str]]:
    """Write the entries; return field errors for ratings off the cycle's scale."""
    scale = review.cycle.scale_values
    errors: dict[str, list[str]] = {}
    existing = {(r.author, r.subject): r for r in review.ratings}
    for subject in _subjects(review):
        entry = given.get(subject, Entry(None, ""))
        if entry.rating is not None and entry.rating not in scale:
            errors[f"rating-{subject}"] = [_("Choose a rating on the cycle's scale.")]
            continue
        row = existing.get((author, subject))
        if row is None:
            row = ReviewRating(review_id=review.id, author=author, subject=subject)
            review.ratings.append(row)
        row.rating, row.comment = entry.rating, entry.comment.strip()
    return errors


def draft_unchanged(
    review: Review,
    author: str,
    *,
    given: Mapping[str, Entry],
    overall_comment: str,
    proposed_rating: int | None = None,
) -> bool:
    """Whether the typed assessment is exactly what the author's draft already holds (an
    autosave then has nothing to write, whatever version the page carries)."""
    stored = entries(review, author)
    for subject in _subjects(review):
        typed = given.get(subject, Entry(None, ""))
        kept = stored.get(subject, Entry(None, ""))
        if (typed.rating, typed.comment.strip()) != (kept.rating, kept.comment):
            return False
    if author == Author.SELF:
        return overall_comment.strip() == review.self_comment
    return (
        overall_comment.strip() == review.manager_comment
        and proposed_rating == review.proposed_rating
    )


def _missing(review: Review, given: Mapping[str, Entry]) -> dict[str, list[str]]:
    return {
        f"rating-{subject}": [_("Give a rating before submitting.")]
        for subject in _subjects(review)
        if given.get(subject, Entry(None, "")).rating is None
    }


def save_self(
    review: Review,
    by: Person,
    *,
    given: Mapping[str, Entry],
    overall_comment: str,
    submit: bool,
    expected_version: int,
) -> None:
    """Save the employee's draft; with submit, hand it to the manager (every item rated)."""
    policy.require(by, "review.self", review)
    _ensure_in_progress(review)
    if review.state not in SELF_EDITABLE:
        raise InvalidTransition(_("The self-assessment is not open."))
    _check_version(review, expected_version)
    errors = _store(review, Author.SELF, given)
    if submit:
        errors = {**_missing(review, given), **errors}
    if errors:
        db.session.rollback()
        raise ValidationFailed(field_errors=errors)
    review.self_comment = overall_comment.strip()
    before = review.snapshot()
    action = "review.self_save"
    if submit:
        review.state = next_state(review.state, "submit_self")
        review.self_submitted_at = utcnow()
        action = "review.submit_self"
        tell(review.reviewer_id, by, review, "review.self_submitted")
    audit.record(by, action, "review", review.id, before, _with_ratings(review, Author.SELF))
    _commit(review)


def _with_ratings(review: Review, author: str) -> dict:
    """The review's snapshot plus the author's ratings, for the audit log."""
    ratings = {r.subject: r.rating for r in review.ratings if r.author == author}
    return {**review.snapshot(), f"{author}_ratings": ratings}


def save_manager(
    review: Review,
    by: Person,
    *,
    given: Mapping[str, Entry],
    overall_comment: str,
    proposed_rating: int | None,
    submit: bool,
    expected_version: int,
) -> None:
    """Save the reviewer's private draft; with submit, send it to calibration with a proposed
    overall rating (every item rated)."""
    policy.require(by, "review.manager", review)
    _ensure_in_progress(review)
    if review.state not in MANAGER_EDITABLE:
        raise InvalidTransition(_("The manager assessment is not open."))
    _check_version(review, expected_version)
    errors = _store(review, Author.MANAGER, given)
    if proposed_rating is not None and proposed_rating not in review.cycle.scale_values:
        errors["proposed_rating"] = [_("Choose a rating on the cycle's scale.")]
    if submit:
        if review.state != ReviewState.MANAGER_REVIEW:
            errors.setdefault("proposed_rating", []).append(
                _("Wait for the employee's self-assessment before submitting.")
            )
        if proposed_rating is None:
            errors.setdefault("proposed_rating", []).append(_("Propose an overall rating."))
        errors = {**_missing(review, given), **errors}
    if errors:
        db.session.rollback()
        raise ValidationFailed(field_errors=errors)
    before = review.snapshot()
    review.manager_comment = overall_comment.strip()
    review.proposed_rating = proposed_rating
    action = "review.manager_save"
    if submit:
        review.state = next_state(review.state, "submit_manager")
        review.manager_submitted_at = utcnow()
        review.final_rating = proposed_rating
        action = "review.submit_manager"
    audit.record(by, action, "review", review.id, before, _with_ratings(review, Author.MANAGER))
    _commit(review)


# ---- steps ----------------------------------------------------------------------------------


def take_step(
    review: Review, by: Person, step: str, *, expected_version: int, comment: str = ""
) -> None:
    """start / share / acknowledge / lock: check the role and the state, move, audit."""
    if step not in STEP_RULE or step in ("submit_self", "submit_manager"):
        raise InvalidTransition()
    policy.require(by, STEP_RULE[step], review)
    _ensure_in_progress(review)
    _check_version(review, expected_version)
    target = next_state(review.state, step)
    before = review.snapshot()
    now = utcnow()
    if step == "start":
        check = maths.check_weights([goal.weight for goal in review.goals])
        if not check.is_valid:
            raise ValidationFailed(
                _(
                    "The goals' weights total %(total)s %%; they must sum to exactly 100 %% "
                    "before the self-assessment opens.",
                    total=figures.display(check.total, 0),
                )
            )
    elif step == "share":
        sharing.require_open_gate(review)  # calibration closed (or none in the cycle)
        review.shared_at = now
    elif step == "acknowledge":
        review.acknowledged_at = now
        review.acknowledgement_comment = comment.strip()
    elif step == "lock":
        review.locked_at = now
    review.state = target
    audit.record(by, f"review.{step}", "review", review.id, before, review.snapshot())
    if step == "start":
        tell(review.person_id, by, review, "review.started")
    elif step == "share":
        tell(review.person_id, by, review, "review.shared")
    elif step == "acknowledge":
        tell(review.reviewer_id, by, review, "review.acknowledged")
    elif step == "lock":
        for recipient in dict.fromkeys((review.person_id, review.reviewer_id)):
            tell(recipient, by, review, "review.signed_off")
    _commit(review)


def reopen(review: Review, by: Person, *, to: str, reason: str, expected_version: int) -> None:
    """HR sends a review back to the self- or manager assessment, with a reason."""
    policy.require(by, "review.reopen", review)
    _ensure_in_progress(review)
    _check_version(review, expected_version)
    if not reason.strip():
        raise ValidationFailed(field_errors={"reason": [_("Say why the review is reopened.")]})
    target = reopen_state(review.state, to)
    before = review.snapshot()
    db.session.add(
        ReviewReopening(
            review_id=review.id,
            by_id=by.id,
            from_state=review.state,
            to_state=target,
            reason=reason.strip(),
        )
    )
    review.state = target
    review.manager_submitted_at = review.shared_at = None
    review.acknowledged_at = review.locked_at = None
    review.final_rating = None
    if target == ReviewState.SELF_REVIEW:
        review.self_submitted_at = None
    after = {**review.snapshot(), "reason": reason.strip()}
    audit.record(by, "review.reopen", "review", review.id, before, after)
    # Whoever must act next: the employee back at their self-assessment, else the reviewer.
    owner = review.person_id if target == ReviewState.SELF_REVIEW else review.reviewer_id
    tell(owner, by, review, "review.reopened", reason=reason.strip()[:200])
    _commit(review)


def tell(recipient_id: int | None, by: Person | None, review: Review, kind: str, **params) -> None:
    """Notify one person about the review (nobody when there is no such person: a review
    without a reviewer), linking to the review's page."""
    if recipient_id is None:
        return
    notify(
        recipient_id,
        by,
        kind,
        "review",
        review.id,
        path_for("goals.review_detail", review_id=review.id),
        cycle=review.cycle.name,
        person=review.person.display_name,
        **params,
    )


def _check_version(review: Review, expected_version: int) -> None:
    if review.version != expected_version:
        raise Conflict()


def _commit(review: Review) -> None:
    review.updated_at = utcnow()
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


from portal.goals import reminders  # noqa: E402, F401  (registers the reminders' kinds)
