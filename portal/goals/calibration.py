"""Calibration: the proposed and final ratings of the reviews a viewer calibrates (those written
by reviewers below them; every review for HR), filtered by team, reviewer and position, their
distribution against the cycle's guideline as warnings that never block, a what-if preview that
stores nothing, the evidence behind each rating, the log of changes, and changes that each carry
a reason (change_rating: the one way a rating changes at calibration)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal import audit, policy
from portal.errors import InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.goals import calibration_figures as shown
from portal.goals import figures, rating, sharing
from portal.goals.goals import plan_summary
from portal.goals.models import Author, CalibrationChange, Review, ReviewCycle, ReviewState
from portal.goals.reviews import (
    Entry,
    _check_version,
    _commit,
    _ensure_in_progress,
    entries,
    goal_subject,
    overall_of,
    tell,
)
from portal.notify.service import register_kind
from portal.org.models import Person, Position, Team

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
class CalibrationFilters:
    """Which reviews the room looks at (team, reviewer, the person's position) and whether
    names are hidden (the blind preview). Kept in the page's URL."""

    team_id: int | None = None
    reviewer_id: int | None = None
    position_id: int | None = None
    blind: bool = False

    def as_args(self) -> dict[str, int]:
        """The filters as URL arguments (those set only)."""
        args = {"team": self.team_id, "reviewer": self.reviewer_id, "position": self.position_id}
        values = {name: value for name, value in args.items() if value}
        if self.blind:
            values["blind"] = 1
        return values


@dataclass(frozen=True)
class Choices:
    """What the filters offer: the teams, reviewers and positions of the viewer's calibration
    (every review of the cycle they calibrate, whatever the filters chosen)."""

    teams: list[Team]
    reviewers: list[Person]
    positions: list[Position]


@dataclass(frozen=True)
class Calibration:
    reviews: list[Review]  # by name; in the blind preview by "Person n"
    distribution: dict[int, tuple[int, Fraction]]
    warnings: list[rating.GuidelineWarning]
    guideline: dict[int, Fraction]
    choices: Choices
    numbers: dict[int, int]  # review id -> n of "Person n" in the blind preview; else empty

    @property
    def total(self) -> int:
        return sum(count for count, _share in self.distribution.values())

    @property
    def finals(self) -> dict[int, int | None]:
        return {review.id: review.final_rating for review in self.reviews}


def _calibrated_by(viewer: Person, cycle: ReviewCycle | None, filters: CalibrationFilters | None):
    """The reviews the viewer calibrates (of one cycle, or of every cycle with None): in a
    calibrated state, that policy.scoped_calibrated_reviews lets them calibrate."""
    stmt = (
        select(Review)
        .join(Person, Person.id == Review.person_id)
        .where(Review.state.in_([s.value for s in CALIBRATED_STATES]))
    )
    if cycle is not None:
        stmt = stmt.where(Review.cycle_id == cycle.id)
    stmt = policy.scoped_calibrated_reviews(stmt, Review, viewer)
    if filters is not None:
        if filters.team_id:
            stmt = stmt.where(Review.team_id == filters.team_id)
        if filters.reviewer_id:
            stmt = stmt.where(Review.reviewer_id == filters.reviewer_id)
        if filters.position_id:
            stmt = stmt.where(Person.position_id == filters.position_id)
    return stmt


def to_calibrate_count(viewer: Person, cycle: ReviewCycle) -> int:
    """How many of the reviews calibration_for lists (every team) are still in calibration and
    not closed: the rows the page offers a rating change on. One statement."""
    stmt = (
        _calibrated_by(viewer, cycle, None)
        .where(Review.state == ReviewState.CALIBRATION.value, ~sharing.closed_condition())
        .with_only_columns(func.count(Review.id))
    )
    return int(db.session.execute(stmt).scalar_one())


def changeable_ids(reviews: list[Review]) -> set[int]:
    """The reviews whose rating may still change at calibration: in calibration and not
    covered by a close (sharing.closed_condition). One statement, none without reviews."""
    ids = [r.id for r in reviews if r.state == ReviewState.CALIBRATION]
    if not ids:
        return set()
    stmt = select(Review.id).where(Review.id.in_(ids), ~sharing.closed_condition())
    return set(db.session.execute(stmt).scalars())


def _choices(viewer: Person, cycle: ReviewCycle) -> Choices:
    """Three statements, whatever the number of reviews."""
    base = _calibrated_by(viewer, cycle, None)

    def ids(column):
        return base.with_only_columns(column).correlate(None)

    teams = select(Team).where(Team.id.in_(ids(Review.team_id))).order_by(Team.name, Team.id)
    reviewers = (
        select(Person)
        .where(Person.id.in_(ids(Review.reviewer_id)))
        .order_by(Person.name, Person.id)
    )
    positions = (
        select(Position)
        .where(Position.id.in_(ids(Person.position_id)))
        .order_by(Position.rank, Position.name)
    )
    return Choices(
        teams=list(db.session.execute(teams).scalars()),
        reviewers=list(db.session.execute(reviewers).unique().scalars()),
        positions=list(db.session.execute(positions).scalars()),
    )


def calibration_for(
    viewer: Person, cycle: ReviewCycle, filters: CalibrationFilters | int | None = None
) -> Calibration:
    """The reviews the viewer calibrates in the cycle, filtered, with their distribution
    against the guideline. A fixed number of statements, whatever the number of reviews."""
    if not isinstance(filters, CalibrationFilters):
        filters = CalibrationFilters(team_id=filters)
    stmt = _calibrated_by(viewer, cycle, filters).options(
        selectinload(Review.person), selectinload(Review.reviewer), selectinload(Review.team)
    )
    reviews = list(db.session.execute(stmt.order_by(Person.name, Review.id)).scalars())
    scale = cycle.scale_values
    finals = [r.final_rating for r in reviews if r.final_rating in scale]
    distribution = rating.rating_distribution(finals, scale)
    numbers: dict[int, int] = {}
    if filters.blind:
        numbers = shown.blind_numbers([r.id for r in reviews], salt=f"cycle-{cycle.id}")
        reviews.sort(key=lambda r: numbers[r.id])
    guideline = guideline_of(cycle)
    return Calibration(
        reviews=reviews,
        distribution=distribution,
        warnings=rating.guideline_warnings(distribution, guideline),
        guideline=guideline,
        choices=_choices(viewer, cycle),
        numbers=numbers,
    )


def guideline_of(cycle: ReviewCycle) -> dict[int, Fraction]:
    return {int(k): Fraction(v) for k, v in cycle.guideline.items()}


def get_calibrated(viewer: Person, review_id: int) -> Review:
    """One review the viewer calibrates (any state the page lists); NotFound otherwise, so a
    review outside one's calibration looks like one that does not exist."""
    stmt = _calibrated_by(viewer, None, None).where(Review.id == review_id)
    review = db.session.execute(stmt).scalar_one_or_none()
    if review is None:
        raise NotFound()
    return review


def what_if(
    viewer: Person, cycle: ReviewCycle, filters: CalibrationFilters, tried: dict[int, int]
) -> tuple[Calibration, shown.Preview]:
    """The distribution and warnings if the tried ratings were saved. Nothing is stored: a
    rating is tried only on a review still in calibration, among those the viewer calibrates."""
    board = calibration_for(viewer, cycle, filters)
    open_ids = {r.id for r in board.reviews if r.state == ReviewState.CALIBRATION}
    tried = {review_id: value for review_id, value in tried.items() if review_id in open_ids}
    scale = cycle.scale_values
    finals = {rid: (value if value in scale else None) for rid, value in board.finals.items()}
    return board, shown.preview(finals, tried, scale, board.guideline)


# ---- evidence ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalLine:
    number: int
    title: str
    weight: int
    percent: Decimal | None  # None: no check-in yet ("no data")
    self_rating: int | None
    manager_rating: int | None


@dataclass(frozen=True)
class Evidence:
    review: Review
    goals: list[GoalLine]
    achievement: Decimal | None  # weighted goal achievement in %, rounded for display
    suggestion: figures.Suggestion  # what the suggestion is based on (covered weight, cap)
    suggested: rating.RatingBand | None
    self_mean: Decimal | None
    self_n: int
    manager_overall: Decimal | None


def evidence(viewer: Person, review: Review) -> Evidence:
    """The figures behind a rating: goal achievement, the suggested rating, the self ratings,
    the manager's computed overall and the person's QA average over the cycle (with n and a
    95 % interval). The review must come from get_calibrated (the caller's check)."""
    views, _total, _achieved = plan_summary(review)
    self_entries = entries(review, Author.SELF) if review.self_submitted_at else {}
    manager_entries = entries(review, Author.MANAGER)
    goals = [
        GoalLine(
            number=index,
            title=v.goal.title,
            weight=v.goal.weight,
            percent=v.figures.percent,
            self_rating=self_entries.get(goal_subject(v.goal.id), Entry(None, "")).rating,
            manager_rating=manager_entries.get(goal_subject(v.goal.id), Entry(None, "")).rating,
        )
        for index, v in enumerate(views, start=1)
    ]
    self_values = [e.rating for e in self_entries.values() if e.rating is not None]
    self_mean = rating.average_rating(self_values)
    # The same suggestion as the review page: each goal capped, over the weight with data.
    suggestion = figures.suggestion(
        [(v.goal.weight, v.figures.progress) for v in views],
        figures.bands_of(review.cycle.bands),
        review.cycle.achievement_cap_percent,
    )
    return Evidence(
        review=review,
        goals=goals,
        achievement=suggestion.achievement_percent,
        suggestion=suggestion,
        suggested=suggestion.band,
        self_mean=figures.display(self_mean, 1),
        self_n=len(self_values),
        manager_overall=overall_of(review, manager_entries).shown,
    )


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    review_id: int
    person: Person
    team_name: str | None
    by: Person
    before: int | None
    after: int
    reason: str


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    next_cursor: int | None
    has_previous: bool


def change_log(
    viewer: Person,
    cycle: ReviewCycle,
    filters: CalibrationFilters,
    *,
    by_id: int | None = None,
    after: int | None = None,
    limit: int = 25,
) -> LogPage:
    """The calibration changes of the cycle on the reviews the viewer calibrates (filtered, and
    by one calibrator with by_id), newest first, keyset-paged by id: one statement a page."""
    calibrator = aliased(Person)
    reviewed = _calibrated_by(viewer, cycle, filters).with_only_columns(Review.id).correlate(None)
    stmt = (
        select(CalibrationChange, Review, calibrator, Team.name)
        .join(Review, Review.id == CalibrationChange.review_id)
        .join(calibrator, calibrator.id == CalibrationChange.by_id)
        .outerjoin(Team, Team.id == Review.team_id)
        .where(CalibrationChange.review_id.in_(reviewed))
        .options(joinedload(Review.person))
        .order_by(CalibrationChange.id.desc())
        .limit(limit + 1)
    )
    if by_id:
        stmt = stmt.where(CalibrationChange.by_id == by_id)
    if after is not None:
        stmt = stmt.where(CalibrationChange.id < after)
    found = db.session.execute(stmt).unique().all()
    rows = [
        LogRow(
            id=change.id,
            at=change.created_at,
            review_id=review.id,
            person=review.person,
            team_name=team_name,
            by=by,
            before=change.before_rating,
            after=change.after_rating,
            reason=change.reason,
        )
        for change, review, by, team_name in found[:limit]
    ]
    next_cursor = rows[-1].id if len(found) > limit else None
    return LogPage(rows=rows, next_cursor=next_cursor, has_previous=after is not None)


def calibrators(viewer: Person, cycle: ReviewCycle) -> list[Person]:
    """Who changed ratings on the reviews the viewer calibrates in the cycle (the log's
    "changed by" filter). One statement."""
    reviewed = _calibrated_by(viewer, cycle, None).with_only_columns(Review.id).correlate(None)
    stmt = (
        select(Person)
        .where(
            Person.id.in_(
                select(CalibrationChange.by_id).where(CalibrationChange.review_id.in_(reviewed))
            )
        )
        .order_by(Person.name, Person.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


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
