"""Demo QA programme: a sampling rule with last week's run, calibration sessions with varied
agreement (three closed, one open) whose evaluators are visibly lenient, strict or on target.

Uses the published scorecards and contacts earlier sections made; when there are none (this
section running alone) it adds a small scorecard and a fortnight of contacts for Hong Kong.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.demo.context import DemoContext
from portal.extensions import db
from portal.org.models import Person
from portal.qa import sampling, scoring
from portal.qa.models import (
    Contact,
    QuestionChoice,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)
from portal.qa.programme_models import (
    CalibrationAnswer,
    CalibrationContact,
    CalibrationParticipant,
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
    SamplingAssignment,
    SamplingRule,
    SamplingRun,
)

CHANNELS = ("phone", "phone", "phone", "email", "email", "chat", "voicemail")

# Title, days ago closed (None: open), how often an evaluator copies the lead's answer.
SESSIONS = [
    ("Calibration: refunds and disputes", 40, 0.9),
    ("Calibration: account verification", 26, 0.7),
    ("Calibration: tone on escalations", 12, 0.45),
    ("Calibration: this week's hard calls", None, 0.7),
]
# Evaluator bias: +1 leans to the best answer (lenient), -1 to the worst (strict).
BIASES = (1, -1, 0, 1)


def load_qa_programme(ctx: DemoContext) -> None:
    """Sampling rule and run, calibration sessions. Flushes."""
    qa = ctx.logins.get("qa")
    manager = ctx.logins.get("manager.hk")
    if qa is None or manager is None:
        return
    version = _published_version(ctx, qa)
    hk_agents = [p for p in ctx.frontline if p.market_id == manager.market_id and p.is_active]
    _ensure_contacts(ctx, hk_agents)
    _sampling(ctx, manager, hk_agents)
    _calibration(ctx, qa, manager, version, hk_agents)


def _published_version(ctx: DemoContext, author: Person) -> ScorecardVersion:
    version = db.session.execute(
        select(ScorecardVersion)
        .where(ScorecardVersion.published_at.is_not(None))
        .order_by(ScorecardVersion.id)
        .limit(1)
    ).scalar_one_or_none()
    if version is not None:
        return version
    card = Scorecard(name="Merchant call quality (programme demo)", description="")
    version = ScorecardVersion(
        scorecard=card, number=1, created_by_id=author.id, published_at=ctx.now
    )
    opening = ScorecardSection(version=version, position=1, title="Opening", weight=Decimal(30))
    handling = ScorecardSection(version=version, position=2, title="Handling", weight=Decimal(70))
    ScorecardQuestion(
        section=opening,
        position=1,
        text="Verified the merchant's identity",
        answer_type="yes_no",
        points=10,
        critical_scope="evaluation",
    )
    ScorecardQuestion(
        section=opening, position=2, text="Greeted by name", answer_type="yes_no", points=5
    )
    ScorecardQuestion(
        section=handling, position=1, text="Empathy", answer_type="scale", scale_max=4
    )
    resolved = ScorecardQuestion(
        section=handling, position=2, text="Resolved the issue", answer_type="choice"
    )
    for position, (label, points) in enumerate((("Fully", 4), ("Partly", 2), ("No", 0)), 1):
        QuestionChoice(
            question=resolved,
            position=position,
            label=label,
            points=points,
            is_failing=points == 0,
        )
    ScorecardQuestion(
        section=handling,
        position=3,
        text="Offered further help",
        answer_type="yes_no",
        points=3,
        na_allowed=True,
    )
    db.session.add(card)
    db.session.flush()
    card.current_version_id = version.id
    return version


def _ensure_contacts(ctx: DemoContext, agents: list[Person]) -> None:
    """Two weeks of contacts for Hong Kong agents, unless earlier sections brought some."""
    if db.session.execute(select(func.count(Contact.id))).scalar_one():
        return
    rows = []
    for agent in agents:
        for day in range(1, 15):
            for _ in range(ctx.rng.randint(0, 2)):
                at = datetime.combine(ctx.today - timedelta(days=day), time(1), UTC)
                rows.append(
                    Contact(
                        channel=ctx.rng.choice(CHANNELS),
                        source="demo-programme",
                        external_id=f"P-{agent.id}-{day}-{len(rows)}",
                        person_id=agent.id,
                        occurred_at=at + timedelta(minutes=ctx.rng.randint(0, 600)),
                        direction=ctx.rng.choice(("inbound", "inbound", "outbound")),
                        duration_seconds=ctx.rng.randint(40, 1500),
                        market_id=agent.market_id,
                        segment_id=agent.segment_id,
                        customer_ref=f"M-{ctx.rng.randint(10000, 99999)}",
                    )
                )
    db.session.add_all(rows)
    db.session.flush()
    ctx.counts["programme_contacts"] = len(rows)


def _sampling(ctx: DemoContext, manager: Person, agents: list[Person]) -> None:
    rule = SamplingRule(
        name="Hong Kong weekly sample",
        created_by_id=manager.id,
        root_person_id=manager.id,
        per_agent=4,
        stratify="minimum",
        channel_minimums={"email": 1},
        assign_to="supervisor",
        due_days=7,
    )
    db.session.add(rule)
    db.session.flush()
    week_start = ctx.today - timedelta(days=ctx.today.weekday() + 7)
    start = datetime.combine(week_start, time(0), UTC)
    ids = [a.id for a in agents]
    rows = db.session.execute(
        select(Contact.id, Contact.person_id, Contact.channel).where(
            Contact.person_id.in_(ids),
            Contact.occurred_at >= start,
            Contact.occurred_at < start + timedelta(days=7),
        )
    ).all()
    reviewed = _reviewed_ids([r[0] for r in rows])
    candidates = [sampling.Candidate(*r) for r in rows if r[0] not in reviewed]
    seed = sampling.default_seed(rule.id, week_start.isoformat())
    sample = sampling.draw(candidates, rule.per_agent, seed, rule.channel_minimums)
    seen = {c.agent_id for c in candidates}
    short = [
        {"person_id": s.agent_id, "wanted": s.wanted, "available": s.available}
        for s in sample.short
    ]
    short += [{"person_id": a.id, "wanted": 4, "available": 0} for a in agents if a.id not in seen]
    run = SamplingRun(
        rule_id=rule.id,
        week_start_on=week_start,
        seed=seed,
        run_by_id=manager.id,
        rule_snapshot={**rule.snapshot(), "time_zone": "UTC"},
        short_agents=sorted(short, key=lambda s: s["person_id"]),
        agent_count=len(agents),
        picked_count=len(sample.picks),
    )
    db.session.add(run)
    db.session.flush()
    managers = {a.id: a.manager_id for a in agents}
    db.session.add_all(
        SamplingAssignment(
            run_id=run.id,
            contact_id=pick.contact_id,
            person_id=pick.agent_id,
            evaluator_id=managers.get(pick.agent_id),
            due_on=ctx.today + timedelta(days=rule.due_days - 7),
            channel=pick.channel,
            reason=pick.reason,
        )
        for pick in sample.picks
    )
    ctx.counts["sampled_contacts"] = len(sample.picks)


def _reviewed_ids(contact_ids: list[int]) -> set[int]:
    from portal.qa.evaluation_models import Evaluation

    if not contact_ids:
        return set()
    rows = db.session.execute(
        select(Evaluation.contact_id).where(Evaluation.contact_id.in_(contact_ids))
    ).scalars()
    return set(rows)


def _options(question: scoring.QuestionSpec) -> list:
    """Answers from best to worst."""
    if question.type == scoring.QuestionType.YES_NO:
        return ["yes", "no"]
    if question.type == scoring.QuestionType.SCALE:
        return list(range(question.max or 0, -1, -1))
    return sorted(question.choices, key=lambda key: -question.choices[key])


def _reference_answer(ctx: DemoContext, question):
    """The lead's answer: mostly good, sometimes middling, critical questions mostly passed."""
    options = _options(question)
    if question.critical is not None:
        return options[0] if ctx.rng.random() < 0.9 else options[-1]
    return options[min(len(options) - 1, ctx.rng.choice((0, 0, 1, 1, 2)))]


def _answer_like(ctx: DemoContext, reference, question, agree: float, bias: int):
    options = _options(question)
    # Critical questions are rarely disputed: one wrong "no" zeroes the whole score.
    if question.critical is not None:
        agree = 1 - (1 - agree) / 4
    if ctx.rng.random() < agree or reference == scoring.NA:
        return reference
    position = options.index(reference)
    if bias > 0:
        return options[max(0, position - 1)]
    if bias < 0:
        return options[min(len(options) - 1, position + 1)]
    return ctx.rng.choice(options)


def _calibration(ctx, qa: Person, manager: Person, version, agents: list[Person]) -> None:
    spec = version.spec()
    evaluators = [p for p in ctx.supervisors if p.market_id == manager.market_id][:4]
    contacts = (
        db.session.execute(
            select(Contact.id)
            .where(Contact.person_id.in_([a.id for a in agents]))
            .order_by(Contact.occurred_at.desc(), Contact.id)
            .limit(200)
        )
        .scalars()
        .all()
    )
    if not evaluators or len(contacts) < 4:
        return
    for title, closed_days, agree in SESSIONS:
        picked = ctx.rng.sample(list(contacts), 4)
        created = ctx.now - timedelta(days=(closed_days or 0) + 3)
        session = CalibrationSession(
            title=title,
            lead_id=qa.id,
            scorecard_version_id=version.id,
            status=CalibrationStatus.OPEN if closed_days is None else CalibrationStatus.CLOSED,
            closed_at=None if closed_days is None else ctx.now - timedelta(days=closed_days),
            created_at=created,
        )
        session.contacts = [
            CalibrationContact(contact_id=c, position=i) for i, c in enumerate(picked)
        ]
        session.participants = [CalibrationParticipant(evaluator_id=e.id) for e in evaluators]
        db.session.add(session)
        db.session.flush()
        for contact_id in picked:
            reference = {q.id: _reference_answer(ctx, q) for q in spec.questions()}
            _store(session, contact_id, qa.id, spec, reference, created)
            # In the open session only half the evaluators have scored so far.
            scorers = evaluators if closed_days is not None else evaluators[:2]
            for evaluator, bias in zip(scorers, BIASES, strict=False):
                answers = {
                    q.id: _answer_like(ctx, reference[q.id], q, agree, bias)
                    for q in spec.questions()
                }
                _store(session, contact_id, evaluator.id, spec, answers, created)
    ctx.counts["calibration_sessions"] = len(SESSIONS)


def _store(session, contact_id: int, evaluator_id: int, spec, answers: dict, at) -> None:
    result = scoring.score(spec, answers)
    overall = result.overall
    db.session.add(
        CalibrationScore(
            session_id=session.id,
            contact_id=contact_id,
            evaluator_id=evaluator_id,
            score=None
            if overall is None
            else (Decimal(overall.numerator) / Decimal(overall.denominator)).quantize(
                Decimal("1e-8")
            ),
            score_exact=None if overall is None else f"{overall.numerator}/{overall.denominator}",
            critical_failed=bool(result.critical_failures),
            submitted_at=at,
            answers=[CalibrationAnswer(question_id=q, value=str(v)) for q, v in answers.items()],
        )
    )
