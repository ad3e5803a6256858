"""Business reviews: create one per kind, node, market and period; write the meeting notes;
mark it held, which freezes the figures; list them newest period first, keyset-paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from portal import audit, policy
from portal.business import figures as fig
from portal.business.live import compute_figures
from portal.business.models import (
    PERIOD_OF_KIND,
    TRANSITIONS,
    BusinessReview,
    ReviewKind,
    ReviewStatus,
    scope_key,
)
from portal.db import create_once
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.kpis.periods import period_containing
from portal.org.models import Market, Person
from portal.params import read_date_key, split_cursor
from portal.policy import Area

MAX_TITLE = 200
MAX_NOTES = 20000


def get_review(viewer: Person, review_id: int) -> BusinessReview:
    """The review if the viewer may see its node's KPIs, else 404."""
    return policy.get_visible_or_404(BusinessReview, review_id, viewer, Area.KPIS)


def check_version(record: object, expected: int | None) -> None:
    if expected is None or getattr(record, "version", None) != expected:
        raise Conflict(
            _(
                "Someone else changed this review while you were editing it. Reload to see "
                "their changes; what you typed is kept below."
            )
        )


def commit() -> None:
    """Commit; a concurrent writer that got there first turns into a 409."""
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


def default_title(kind: str, node: Person, market: Market | None, start: date) -> str:
    when = (
        _("week of %(day)s", day=start.isoformat())
        if kind == ReviewKind.WBR
        else start.strftime("%Y-%m")
    )
    label = _("WBR") if kind == ReviewKind.WBR else _("MBR")
    parts = [label, node.name]
    if market is not None:
        parts.append(market.code)
    parts.append(when)
    return " · ".join(parts)


def create_review(
    by: Person,
    *,
    kind: str,
    node: Person,
    market_id: int | None,
    on: date,
    title: str | None = None,
) -> tuple[BusinessReview, bool]:
    """Schedule a review of the node (and market) for the week or month holding `on`.
    Returns (review, created); the same kind, node, market and period finds the existing one."""
    policy.require(by, "business.create", node)
    errors: dict[str, list[str]] = {}
    if kind not in (ReviewKind.WBR, ReviewKind.MBR):
        errors["kind"] = [_("Choose a weekly or a monthly review.")]
    market = db.session.get(Market, market_id) if market_id else None
    if market_id and market is None:
        errors["market_id"] = [_("Unknown market.")]
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        errors["title"] = [_("At most %(n)d characters.", n=MAX_TITLE)]
    if errors:
        raise ValidationFailed(field_errors=errors)
    period = period_containing(PERIOD_OF_KIND[ReviewKind(kind)], on)
    key = scope_key(kind, node.id, market_id, period.start)

    def make() -> BusinessReview:
        return BusinessReview(
            kind=kind,
            person_id=node.id,
            market_id=market_id or None,
            period_start=period.start,
            period_end=period.end,
            scope_key=key,
            title=title or default_title(kind, node, market, period.start),
            created_by_id=by.id,
        )

    review, created = create_once(BusinessReview, make, scope_key=key)
    if not created:
        return review, False
    audit.record(
        by, "business_review.create", "business_review", review.id, None, review.audit_view()
    )
    db.session.commit()
    return review, True


def save_notes(
    by: Person, review: BusinessReview, notes: str, *, expected_version: int | None
) -> None:
    """The meeting notes; a stale version is refused (409), never overwritten."""
    policy.require(by, "business.edit", review)
    check_version(review, expected_version)
    notes = notes or ""
    if len(notes) > MAX_NOTES:
        raise ValidationFailed(
            field_errors={"notes": [_("At most %(n)d characters.", n=MAX_NOTES)]}
        )
    before = review.audit_view()
    review.notes = notes
    audit.record(
        by, "business_review.notes", "business_review", review.id, before, review.audit_view()
    )
    commit()


def hold_review(
    by: Person, review: BusinessReview, *, expected_version: int | None, minimum: int, now: datetime
) -> None:
    """Mark the review held and freeze its figures as they are now."""
    policy.require(by, "business.edit", review)
    check_version(review, expected_version)
    target = TRANSITIONS.get((ReviewStatus(review.status), "hold"))
    if target is None:
        raise InvalidTransition(_("This review is already held."))
    before = review.audit_view()
    figures = compute_figures(
        by, review.node, review.market_id, review.period, minimum=minimum, now=now
    )
    review.snapshot = fig.to_json(figures)
    review.snapshot_at = now
    review.status = target
    review.held_at = now
    review.held_by_id = by.id
    audit.record(
        by, "business_review.hold", "business_review", review.id, before, review.audit_view()
    )
    commit()


def reopen_review(
    by: Person, review: BusinessReview, *, expected_version: int | None, now: datetime
) -> None:
    """Back to scheduled (to correct or continue it): the frozen figures are dropped, so the
    page computes them live again until it is held anew. The audit entry keeps when it had
    been held and by whom."""
    policy.require(by, "business.edit", review)
    check_version(review, expected_version)
    target = TRANSITIONS.get((ReviewStatus(review.status), "reopen"))
    if target is None:
        raise InvalidTransition(_("Only a held review can be reopened."))
    before = {
        **review.audit_view(),
        "held_at": review.held_at.isoformat() if review.held_at else None,
        "held_by_id": review.held_by_id,
        "snapshot_at": review.snapshot_at.isoformat() if review.snapshot_at else None,
    }
    review.status = target
    review.snapshot = None
    review.snapshot_at = None
    review.held_at = None
    review.held_by_id = None
    after = {**review.audit_view(), "reopened_at": now.isoformat()}
    audit.record(by, "business_review.reopen", "business_review", review.id, before, after)
    commit()


def figures_for(
    viewer: Person, review: BusinessReview, *, minimum: int, now: datetime
) -> fig.Figures:
    """The frozen figures of a held review; live ones while it is scheduled."""
    if review.snapshot is not None:
        return fig.from_json(review.snapshot)
    return compute_figures(
        viewer, review.node, review.market_id, review.period, minimum=minimum, now=now
    )


def previous_review(review: BusinessReview) -> BusinessReview | None:
    """The review of the same kind, node and market just before this one."""
    market = (
        BusinessReview.market_id.is_(None)
        if review.market_id is None
        else BusinessReview.market_id == review.market_id
    )
    return db.session.scalar(
        select(BusinessReview)
        .where(
            BusinessReview.kind == review.kind,
            BusinessReview.person_id == review.person_id,
            market,
            BusinessReview.period_start < review.period_start,
        )
        .order_by(BusinessReview.period_start.desc())
        .limit(1)
    )


# ---- the list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFilters:
    kind: str | None = None
    status: str | None = None
    market_id: int | None = None

    def as_args(self) -> dict[str, str | int]:
        args: dict[str, str | int] = {}
        if self.kind:
            args["kind"] = self.kind
        if self.status:
            args["status"] = self.status
        if self.market_id:
            args["market"] = self.market_id
        return args


@dataclass(frozen=True)
class ReviewPage:
    rows: list[BusinessReview]
    next_cursor: str | None
    has_previous: bool


def _cursor(value: str | None) -> tuple[date, int] | None:
    return split_cursor(value, "_", read_date_key)


def review_page(
    viewer: Person, filters: ReviewFilters, *, after: str | None = None, limit: int = 25
) -> ReviewPage:
    """The reviews the viewer may see, newest period first; one statement per page."""
    stmt = policy.scoped(
        select(BusinessReview).options(
            joinedload(BusinessReview.node), joinedload(BusinessReview.market)
        ),
        BusinessReview,
        viewer,
        Area.KPIS,
    )
    if filters.kind:
        stmt = stmt.where(BusinessReview.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(BusinessReview.status == filters.status)
    if filters.market_id:
        stmt = stmt.where(BusinessReview.market_id == filters.market_id)
    cursor = _cursor(after)
    if cursor:
        day, last_id = cursor
        stmt = stmt.where(
            or_(
                BusinessReview.period_start < day,
                and_(BusinessReview.period_start == day, BusinessReview.id < last_id),
            )
        )
    stmt = stmt.order_by(BusinessReview.period_start.desc(), BusinessReview.id.desc())
    rows = list(db.session.scalars(stmt.limit(limit + 1)).unique())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = f"{rows[-1].period_start.isoformat()}_{rows[-1].id}"
    return ReviewPage(rows, next_cursor, cursor is not None)


def node_choices(viewer: Person, limit: int = 300) -> list[Person]:
    """Whom the viewer may run a review for: themselves and the people below them who lead
    someone (everyone who leads someone, for HR), by depth then name."""
    leads = select(Person.manager_id).where(Person.manager_id.is_not(None))
    stmt = select(Person).where(Person.is_active.is_(True), Person.id.in_(leads))
    if not policy.is_hr(viewer):
        stmt = stmt.where(policy.subtree_condition(viewer.path))
    people = list(
        db.session.scalars(stmt.order_by(Person.depth, Person.name, Person.id).limit(limit))
    )
    if viewer.id not in {p.id for p in people}:
        people.insert(0, viewer)
    return people
