"""Demo business reviews: each market manager's monthly review (last month held, with its
figures frozen, decisions and action items; this month scheduled), weekly reviews of the
Hong Kong team 1 supervisor (the last three weeks held, open items carried over, this week
scheduled) and a Hong Kong market MBR by the head of operations. Records are made directly
(sections only flush); held reviews freeze the figures the KPI and QA sections produced."""

from __future__ import annotations

from datetime import timedelta

from portal.business.figures import to_json
from portal.business.live import compute_figures
from portal.business.models import (
    PERIOD_OF_KIND,
    BusinessActionItem,
    BusinessDecision,
    BusinessReview,
    ReviewKind,
    ReviewStatus,
    scope_key,
)
from portal.business.reviews import default_title
from portal.demo.context import DemoContext
from portal.extensions import db
from portal.kpis.periods import period_containing
from portal.org.models import Market, Person

QA_MINIMUM = 5

MBR_DECISIONS = [
    "Move two agents to the VIP queue during the peak weeks",
    "Callbacks promised to merchants are logged in the CRM the same day",
    "Handle time target stays; coach on hold usage instead",
    "Pilot a weekly refund-macro review with QA",
]
WBR_DECISIONS = [
    "Saturday cover: two agents on rotation",
    "Escalations older than 48 hours are reviewed daily at 10:00",
    "Share the top three failed QA questions in Monday's huddle",
    "First response on e-mail within 30 minutes before lunch",
]
ACTIONS = [
    "Call the ten merchants with open chargebacks",
    "Prepare the roster for the next fortnight",
    "Listen to three calls with low CSAT and share notes",
    "Update the refund macro and send it to QA",
    "Book the escalation refresher for the new joiners",
    "Review the VIP accounts with falling volume",
]


def _review(
    ctx: DemoContext,
    kind: ReviewKind,
    node: Person,
    author: Person,
    day,
    *,
    market: Market | None = None,
    held: bool,
    notes: str = "",
) -> BusinessReview:
    period = period_containing(PERIOD_OF_KIND[kind], day)
    review = BusinessReview(
        kind=kind,
        person_id=node.id,
        market_id=market.id if market else None,
        period_start=period.start,
        period_end=period.end,
        scope_key=scope_key(kind, node.id, market.id if market else None, period.start),
        title=default_title(kind, node, market, period.start),
        created_by_id=author.id,
        notes=notes,
    )
    if held:
        met = ctx.now - timedelta(days=max((ctx.today - period.end).days - 1, 0))
        figures = compute_figures(
            author, node, review.market_id, period, minimum=QA_MINIMUM, now=met
        )
        review.status = ReviewStatus.HELD
        review.snapshot = to_json(figures)
        review.snapshot_at = review.held_at = met
        review.held_by_id = author.id
    db.session.add(review)
    db.session.flush()
    return review


def _decide(ctx: DemoContext, review: BusinessReview, author: Person, texts: list[str]) -> None:
    when = review.held_at or ctx.now
    for text in ctx.rng.sample(texts, 2):
        db.session.add(
            BusinessDecision(
                review_id=review.id,
                person_id=review.person_id,
                body=text,
                recorded_by_id=author.id,
                recorded_at=when,
            )
        )


def _act(
    ctx: DemoContext, review: BusinessReview, author: Person, owners: list[Person], done: int
) -> None:
    for index, text in enumerate(ctx.rng.sample(ACTIONS, 3)):
        is_done = index < done
        db.session.add(
            BusinessActionItem(
                review_id=review.id,
                person_id=review.person_id,
                owner_id=ctx.rng.choice(owners).id,
                created_by_id=author.id,
                body=text,
                due_on=review.period_end + timedelta(days=7 + 3 * index),
                is_done=is_done,
                done_at=(review.held_at or ctx.now) + timedelta(days=3) if is_done else None,
            )
        )


def load_business(ctx: DemoContext) -> None:
    reviews = 0
    head = ctx.role("head")[0] if ctx.role("head") else None
    last_month = ctx.today.replace(day=1) - timedelta(days=1)
    for manager in ctx.role("manager"):
        supervisors = [p for p in ctx.supervisors if p.manager_id == manager.id]
        owners = supervisors or [manager]
        held = _review(
            ctx,
            ReviewKind.MBR,
            manager,
            manager,
            last_month,
            held=True,
            notes="Month closed; see decisions. Next MBR on the first Tuesday.",
        )
        _decide(ctx, held, manager, MBR_DECISIONS)
        _act(ctx, held, manager, owners, done=1)
        _review(ctx, ReviewKind.MBR, manager, manager, ctx.today, held=False)
        reviews += 2
    supervisor = ctx.logins.get("supervisor.hk")
    if supervisor is not None:
        team = ctx.reports.get(supervisor.id, [])[:4] + [supervisor]
        for weeks in (3, 2, 1):
            review = _review(
                ctx,
                ReviewKind.WBR,
                supervisor,
                supervisor,
                ctx.today - timedelta(weeks=weeks),
                held=True,
                notes="Huddle notes: queue was busy on Monday; two escalations closed.",
            )
            _decide(ctx, review, supervisor, WBR_DECISIONS)
            _act(ctx, review, supervisor, team, done=weeks - 1)
        _review(ctx, ReviewKind.WBR, supervisor, supervisor, ctx.today, held=False)
        reviews += 4
    if head is not None and "HK" in ctx.markets:
        review = _review(
            ctx, ReviewKind.MBR, head, head, last_month, market=ctx.markets["HK"], held=True
        )
        _decide(ctx, review, head, MBR_DECISIONS)
        reviews += 1
    db.session.flush()
    ctx.counts["business_reviews"] = reviews
