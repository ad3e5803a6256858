"""Demo goals and reviews: the previous half-year's cycle completed (every review locked) and
the current one in progress, mid-cycle: goals on the seeds' KPIs aligned to team goals,
check-ins, and reviews in every state, so that every role has something to do today:

- Hong Kong's calibration is open: its frontline reviews go as far as calibration (several wait
  there, two carry changes with reasons by manager.hk), and HR has yet to close it;
- manager.hk has manager assessments to write: the HK supervisors submitted their
  self-assessments (agent.hk writes theirs, supervisor.hk assesses their team);
- in the other markets HR closed calibration team by team a week ago: reviews there are shared
  and waiting for acknowledgment, acknowledged, locked, or ready for their reviewer to share.

Records are built directly (not through the services, which audit one by one) but follow the
same rules: weights sum to 100, progress is derived, states move only forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from portal.demo.context import DemoContext
from portal.extensions import db
from portal.goals import cycle_config as config
from portal.goals import figures
from portal.goals.models import (
    Author,
    CalibrationChange,
    CalibrationClose,
    CheckIn,
    CloseScope,
    CyclePhase,
    CycleState,
    Goal,
    PhaseKind,
    Review,
    ReviewCycle,
    ReviewRating,
    ReviewState,
)
from portal.org.models import Person

S = ReviewState


@dataclass(frozen=True)
class Kpi:
    title: str
    metric: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str


RESPONSE = Kpi(
    "Faster first response", "First response time", "hours", Decimal(24), Decimal(12), "lower"
)
NPS = Kpi("Raise NPS", "Net promoter score", "points", Decimal(30), Decimal(45), "higher")
QA = Kpi("QA score", "Average QA score", "%", Decimal(82), Decimal(90), "higher")
RETURNING = Kpi(
    "Returning customers",
    "Customers returning within 90 days",
    "%",
    Decimal(40),
    Decimal(55),
    "higher",
)
ACCOUNTS = Kpi(
    "Accounts per manager",
    "Active accounts managed",
    "accounts",
    Decimal(60),
    Decimal(80),
    "higher",
)

# Position -> the KPIs and weights of a person's goals (weights sum to 100).
PLANS: dict[str, list[tuple[Kpi, int]]] = {
    "agent": [(RESPONSE, 40), (NPS, 30), (QA, 30)],
    "senior_agent": [(RESPONSE, 30), (NPS, 30), (QA, 40)],
    "account_manager": [(RETURNING, 40), (ACCOUNTS, 30), (QA, 30)],
    "supervisor": [(RESPONSE, 50), (QA, 50)],
    "manager": [(NPS, 60), (QA, 40)],
}

# States of the frontline reviews in the current cycle, handed out in turn within each team.
CURRENT_STATES = [
    S.SELF_REVIEW,
    S.MANAGER_REVIEW,
    S.CALIBRATION,
    S.DRAFT,
    S.SHARED,
    S.CALIBRATION,
    S.ACKNOWLEDGED,
    S.DRAFT,
    S.LOCKED,
    S.MANAGER_REVIEW,
    S.DRAFT,
    S.SELF_REVIEW,
]
ORDER = list(S)


def _half(day: date) -> tuple[date, date, str]:
    first = date(day.year, 1 if day.month <= 6 else 7, 1)
    last = date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)
    return first, last, f"{day.year} H{1 if day.month <= 6 else 2}"


def _cycle(starts_on: date, ends_on: date, name: str, state: str) -> ReviewCycle:
    cycle = ReviewCycle(
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        state=state,
        scale=config.DEFAULT_SCALE,
        bands=config.DEFAULT_BANDS,
        guideline=config.DEFAULT_GUIDELINE,
        competencies=config.DEFAULT_COMPETENCIES,
        goals_weight=70,
        competencies_weight=30,
        promotion_min_months=6,
    )
    offsets = {
        PhaseKind.GOAL_SETTING: 30,
        PhaseKind.MID_CYCLE: 91,
        PhaseKind.SELF_ASSESSMENT: 168,
        PhaseKind.MANAGER_ASSESSMENT: 182,
        PhaseKind.CALIBRATION: 196,
        PhaseKind.SIGN_OFF: 210,
    }
    cycle.phases = [
        CyclePhase(kind=kind.value, due_on=starts_on + timedelta(days=days))
        for kind, days in offsets.items()
    ]
    db.session.add(cycle)
    return cycle


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), UTC)


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.tokens = 0
        self.counts = {"reviews": 0, "goals": 0, "check_ins": 0}

    def enrol(self, cycle: ReviewCycle, people: list[Person]) -> dict[int, Review]:
        reviews = {}
        for person in people:
            review = Review(
                cycle=cycle,
                person_id=person.id,
                reviewer_id=person.manager_id,
                team_id=person.team_id,
                market_id=person.market_id,
                segment_id=person.segment_id,
                state=S.DRAFT,
            )
            db.session.add(review)
            reviews[person.id] = review
        self.counts["reviews"] += len(reviews)
        return reviews

    def goals(self, cycle: ReviewCycle, review: Review, person: Person, by: Person) -> None:
        for kpi, weight in PLANS.get(person.position.code, PLANS["agent"]):
            goal = Goal(
                person_id=person.id,
                title=kpi.title,
                metric=kpi.metric,
                unit=kpi.unit,
                baseline=kpi.baseline,
                target=kpi.target,
                direction=kpi.direction,
                weight=weight,
                due_on=cycle.ends_on,
                created_by_id=by.id,
            )
            goal.cycle_id = cycle.id
            review.goals.append(goal)
            self.counts["goals"] += 1

    def check_ins(self, goal: Goal, days: list[date], skill: float) -> None:
        """Values drifting from the baseline towards (or past) the target with the person's
        skill (about 0.3 to 1.3 of the way by the end)."""
        span = goal.target - goal.baseline
        for index, day in enumerate(days, start=1):
            share = skill * index / len(days) + self.rng.uniform(-0.08, 0.08)
            value = (goal.baseline + span * Decimal(str(round(share, 3)))).quantize(Decimal("0.1"))
            progress = figures.goal_figures(goal.direction, goal.baseline, goal.target, value)
            confidence = (
                "on_track"
                if (progress.progress or 0) >= Fraction(index, len(days) + 1)
                else self.rng.choice(["at_risk", "off_track"])
            )
            self.tokens += 1
            goal.check_ins.append(
                CheckIn(
                    by_id=goal.person_id,
                    value=value,
                    confidence=confidence,
                    comment=self.rng.choice(
                        ["", "", "Weekly report", "After the coaching session"]
                    ),
                    created_at=_at(day),
                    token=f"demo-{self.tokens}",
                )
            )
            goal.latest_value, goal.latest_confidence = value, confidence
            self.counts["check_ins"] += 1

    def assess(self, review: Review, cycle: ReviewCycle, upto: ReviewState, when: date) -> None:
        """Fill the review as far as `upto`, with ratings near the suggested one."""
        rank = ORDER.index(upto)
        views = [
            (
                g.weight,
                figures.goal_figures(g.direction, g.baseline, g.target, g.latest_value).progress,
            )
            for g in review.goals
        ]
        # The suggestion the review page shows (each goal capped, over the goals with data).
        band = figures.suggestion(
            views, figures.bands_of(cycle.bands), cycle.achievement_cap_percent
        ).band
        base = band.rating if band else 3

        def near(value: int) -> int:
            return min(5, max(1, value + self.rng.choice([-1, 0, 0, 0, 1])))

        subjects = [f"goal:{g.id}" for g in review.goals] + [
            f"competency:{c['key']}" for c in cycle.competencies
        ]
        if rank >= ORDER.index(S.SELF_REVIEW):
            complete = rank > ORDER.index(S.SELF_REVIEW)
            for subject in subjects if complete else subjects[:2]:
                review.ratings.append(
                    ReviewRating(author=Author.SELF, subject=subject, rating=near(base), comment="")
                )
            review.self_comment = "A good half: response times are down." if complete else ""
            if complete:
                review.self_submitted_at = _at(when - timedelta(days=20))
        if rank >= ORDER.index(S.MANAGER_REVIEW):
            complete = rank > ORDER.index(S.MANAGER_REVIEW)
            for subject in subjects if complete else subjects[:1]:
                review.ratings.append(
                    ReviewRating(
                        author=Author.MANAGER, subject=subject, rating=near(base), comment=""
                    )
                )
            if complete:
                review.manager_comment = "Solid results; keep coaching peers on QA."
                review.proposed_rating = review.final_rating = near(base)
                review.manager_submitted_at = _at(when - timedelta(days=12))
        if rank >= ORDER.index(S.SHARED):
            review.shared_at = _at(when - timedelta(days=6))
        if rank >= ORDER.index(S.ACKNOWLEDGED):
            review.acknowledged_at = _at(when - timedelta(days=3))
            review.acknowledgement_comment = self.rng.choice(
                ["", "Thanks, agreed on the next steps.", "Read; I see the NPS goal differently."]
            )
        if rank >= ORDER.index(S.LOCKED):
            review.locked_at = _at(when - timedelta(days=1))
        review.state = upto


def load_goals(ctx: DemoContext) -> None:
    """The previous half-year's cycle (completed) and the current one (in progress). Flushes."""
    build = _Builder(ctx)
    current_start, current_end, current_name = _half(ctx.today)
    previous_start, previous_end, previous_name = _half(current_start - timedelta(days=1))
    previous = _cycle(previous_start, previous_end, previous_name, CycleState.COMPLETED)
    current = _cycle(current_start, current_end, current_name, CycleState.IN_PROGRESS)
    db.session.flush()
    people = [
        p
        for p in ctx.people
        if p.is_active and p.position.code in PLANS and p.manager_id is not None
    ]
    by_id = {p.id: p for p in ctx.people}
    plans = {}
    for cycle in (previous, current):
        reviews = build.enrol(cycle, people)
        for person in people:
            build.goals(cycle, reviews[person.id], person, by_id[person.manager_id])
        plans[cycle.id] = reviews
    db.session.flush()
    for cycle in (previous, current):
        _align(plans[cycle.id], by_id)
    db.session.flush()

    skill = {p.id: ctx.rng.uniform(0.3, 1.3) for p in people}
    # The previous cycle: four check-ins, every review locked.
    previous_days = [previous_start + timedelta(days=d) for d in (40, 85, 130, 170)]
    for review in plans[previous.id].values():
        for goal in review.goals:
            build.check_ins(goal, previous_days, skill[review.person_id])
    # The current one: as many check-ins as months have passed, at most three.
    elapsed = (ctx.today - current_start).days
    current_days = [current_start + timedelta(days=d) for d in (35, 80, 125) if d < elapsed - 3]
    for number, review in enumerate(plans[current.id].values()):
        for position, goal in enumerate(review.goals):
            # Every fourth plan's last goal was agreed late and has no check-in yet: its review
            # shows the suggested rating's "no data" weight (rating.capped_achievement).
            if number % 4 == 3 and position == len(review.goals) - 1 and len(review.goals) > 1:
                continue
            build.check_ins(goal, current_days, skill[review.person_id])
    db.session.flush()

    previous_done = min(ctx.today, previous_end + timedelta(days=40))
    for review in plans[previous.id].values():
        build.assess(review, previous, S.LOCKED, previous_done)
    agent_hk = ctx.logins.get("agent.hk")
    manager_hk = ctx.logins.get("manager.hk")
    hk_market = manager_hk.market_id if manager_hk is not None else None
    for reports in ctx.reports.values():
        index = 0
        for person in reports:
            review = plans[current.id].get(person.id)
            if review is None:
                continue
            state = CURRENT_STATES[index % len(CURRENT_STATES)]
            index += 1
            if person.market_id == hk_market and ORDER.index(state) > ORDER.index(S.CALIBRATION):
                state = S.CALIBRATION  # Hong Kong's calibration is still open: nothing shared
            if agent_hk is not None and person.id == agent_hk.id:
                state = S.SELF_REVIEW  # the demo agent can write their self-assessment
            build.assess(review, current, state, ctx.today)
    # The supervisors: in Hong Kong their self-assessments are in (manager.hk assesses them);
    # elsewhere they write their own.
    for supervisor_id in ctx.reports:
        review = plans[current.id].get(supervisor_id)
        if review is not None:
            hk = by_id[supervisor_id].market_id == hk_market
            build.assess(review, current, S.MANAGER_REVIEW if hk else S.SELF_REVIEW, ctx.today)
    db.session.flush()
    _calibration(ctx, plans[current.id])
    _closes(ctx, previous, previous_done, current, hk_market)
    db.session.flush()
    ctx.counts.update({f"goals_{k}": v for k, v in build.counts.items()})


def _align(reviews: dict[int, Review], by_id: dict[int, Person]) -> None:
    """Frontline goals on response time and QA align to their supervisor's team goals."""
    for person_id, review in reviews.items():
        manager_review = reviews.get(by_id[person_id].manager_id or 0)
        if manager_review is None:
            continue
        team_goals = {g.metric: g for g in manager_review.goals}
        for goal in review.goals:
            parent = team_goals.get(goal.metric)
            if parent is not None:
                goal.parent_id = parent.id


def _calibration(ctx: DemoContext, reviews: dict[int, Review]) -> None:
    """manager.hk calibrates the HK reviews at calibration: two changes, each with a reason."""
    manager = ctx.logins.get("manager.hk")
    if manager is None:
        return
    candidates = [
        r
        for r in reviews.values()
        if r.state == S.CALIBRATION
        and r.reviewer_id is not None
        and r.final_rating is not None
        and r.market_id == manager.market_id
    ]
    reasons = [
        "Carried the team through the peak season; above the proposal.",
        "Below peers on QA with the same tenure; aligned with the team.",
    ]
    used: set[int] = set()
    for reason in reasons:
        up = "above" in reason
        # The first review whose rating can move that way (a 5 cannot go up).
        review = next(
            (
                r
                for r in candidates
                if r.id not in used and (r.final_rating < 5 if up else r.final_rating > 1)
            ),
            None,
        )
        if review is None:
            continue
        used.add(review.id)
        before = review.final_rating
        after = before + 1 if up else before - 1
        db.session.add(
            CalibrationChange(
                review_id=review.id,
                by_id=manager.id,
                before_rating=before,
                after_rating=after,
                reason=reason,
                created_at=ctx.now - timedelta(days=2),
            )
        )
        review.final_rating = after


def _closes(
    ctx: DemoContext,
    previous: ReviewCycle,
    previous_done: date,
    current: ReviewCycle,
    hk_market: int | None,
) -> None:
    """HR closed the previous cycle's calibration (between the submissions and the sharing),
    and the current one's for every team outside Hong Kong a week ago (after the reviewers
    submitted, 12 days ago, and before they shared, 6 days ago)."""
    hr = ctx.logins.get("hr")
    if hr is None:
        return
    db.session.add(
        CalibrationClose(
            cycle_id=previous.id,
            scope=CloseScope.CYCLE,
            scope_key=CalibrationClose.key_for(CloseScope.CYCLE),
            by_id=hr.id,
            reason="",
            closed_at=_at(previous_done - timedelta(days=8)),
        )
    )
    for team in ctx.teams:
        if team.market_id == hk_market:
            continue
        db.session.add(
            CalibrationClose(
                cycle_id=current.id,
                scope=CloseScope.TEAM,
                scope_key=CalibrationClose.key_for(CloseScope.TEAM, team_id=team.id),
                team_id=team.id,
                by_id=hr.id,
                reason="",
                closed_at=ctx.now - timedelta(days=8),
            )
        )
