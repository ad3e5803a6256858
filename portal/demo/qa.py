"""Demo QA: two published scorecards, contacts over the last 12 weeks and evaluations in every
state (drafts, submitted, acknowledged, disputed, upheld, re-scored), scored by the same pure
function the pages use. Dates are spread over the weeks so trends and roll-ups have a shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from portal.demo.context import DemoContext
from portal.extensions import db
from portal.notify.models import Notification
from portal.org.models import Person
from portal.qa import scoring
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationRevision,
    EvaluationStatus,
    Resolution,
)
from portal.qa.evaluations import answer_rows, result_fields
from portal.qa.models import (
    Contact,
    QuestionChoice,
    Scorecard,
    ScorecardChannel,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)

WEEKS = 12
CONTACTS_PER_AGENT_WEEK = (2, 5)
REVIEWED_SHARE = 0.22  # of contacts older than a few days

# (title, weight, [(text, type, points/max, na_allowed, critical, guidance, choices)])
PHONE_CARD = [
    (
        "Opening",
        15,
        [
            (
                "Greeted the customer and gave their name",
                "yes_no",
                2,
                False,
                None,
                "Within the first 10 seconds.",
                None,
            ),
            (
                "Verified the caller's identity before discussing the account",
                "yes_no",
                5,
                True,
                "evaluation",
                "Two of: registered phone, date of birth, last transaction. N/A when no "
                "account was discussed.",
                None,
            ),
        ],
    ),
    (
        "Discovery",
        25,
        [
            (
                "Understood the customer's need",
                "scale",
                4,
                False,
                None,
                "4: restated the need and the customer agreed; 0: worked on the wrong problem.",
                None,
            ),
            ("Asked the questions needed to resolve", "scale", 3, True, None, "", None),
        ],
    ),
    (
        "Resolution",
        40,
        [
            (
                "Gave a correct and complete solution",
                "choice",
                None,
                False,
                "section",
                "Check against the knowledge base article in force on the day of the call.",
                [
                    ("Complete and correct", 10, False),
                    ("Partly correct", 5, False),
                    ("Wrong or none", 0, True),
                ],
            ),
            (
                "Kept confidential information confidential",
                "yes_no",
                5,
                False,
                "evaluation",
                "No card numbers, passwords or third parties' data read out.",
                None,
            ),
        ],
    ),
    (
        "Closing",
        20,
        [
            ("Summarised the next steps", "yes_no", 3, False, None, "", None),
            ("Offered further help", "yes_no", 2, True, None, "", None),
            ("Tone: courteous and confident", "scale", 4, False, None, "", None),
        ],
    ),
]

EMAIL_CARD = [
    (
        "Accuracy",
        50,
        [
            (
                "Answered every question the customer asked",
                "choice",
                None,
                False,
                "section",
                "",
                [
                    ("All of them", 10, False),
                    ("Most of them", 6, False),
                    ("Missed the main one", 0, True),
                ],
            ),
            (
                "Kept confidential information confidential",
                "yes_no",
                5,
                False,
                "evaluation",
                "No full card numbers or passwords in the reply.",
                None,
            ),
        ],
    ),
    (
        "Writing",
        30,
        [
            ("Grammar and spelling", "scale", 4, False, None, "", None),
            ("Tone fits the customer and the brand", "scale", 4, False, None, "", None),
            ("Personalised, not a bare template", "yes_no", 3, False, None, "", None),
        ],
    ),
    (
        "Process",
        20,
        [
            ("Ticket categorised correctly", "yes_no", 2, False, None, "", None),
            (
                "Replied within the service level",
                "yes_no",
                2,
                True,
                None,
                "N/A for tickets reopened by the customer.",
                None,
            ),
        ],
    ),
]

TRANSCRIPTS = [
    "Customer: Hi, my payout has not arrived.\nAgent: I'm sorry to hear that. Let me check.\n"
    "Agent: I can see it was sent yesterday; it should arrive today.\nCustomer: Thanks.",
    "Customer: The card terminal shows an error 05.\nAgent: Could you restart the terminal?\n"
    "Customer: Done, it works now.\nAgent: Great, anything else I can help with?",
    "Customer: I'd like to change the bank account for settlements.\nAgent: I can help; first "
    "I need to verify your identity.\nAgent: Thank you, the change is submitted.",
]


@dataclass
class _Card:
    scorecard: Scorecard
    version: ScorecardVersion
    spec: scoring.CardSpec
    questions: list[ScorecardQuestion]


def _build_card(ctx: DemoContext, name: str, channels: list[str], plan: list, author) -> _Card:
    card = Scorecard(name=name, description="", version=1)
    card.channel_links = [ScorecardChannel(channel=c) for c in channels]
    version = ScorecardVersion(
        number=1,
        created_by=author,
        published_at=ctx.now - timedelta(days=7 * WEEKS + 14),
        is_locked=True,
    )
    for s_pos, (title, weight, questions) in enumerate(plan, 1):
        section = ScorecardSection(position=s_pos, title=title, weight=Decimal(weight))
        for q_pos, (text, kind, points, na, critical, guidance, choices) in enumerate(questions, 1):
            question = ScorecardQuestion(
                position=q_pos,
                text=text,
                guidance=guidance,
                answer_type=kind,
                points=points if kind == "yes_no" else None,
                scale_max=points if kind == "scale" else None,
                na_allowed=na,
                critical_scope=critical,
            )
            for c_pos, (label, c_points, failing) in enumerate(choices or [], 1):
                question.choices.append(
                    QuestionChoice(position=c_pos, label=label, points=c_points, is_failing=failing)
                )
            section.questions.append(question)
        version.sections.append(section)
    card.versions.append(version)
    db.session.add(card)
    db.session.flush()
    card.current_version_id = version.id
    db.session.flush()
    questions = [q for s in version.sections for q in s.questions]
    return _Card(card, version, version.spec(), questions)


def _answer(ctx: DemoContext, question: scoring.QuestionSpec, skill: float):
    rng = ctx.rng
    if question.na_allowed and rng.random() < 0.1:
        return scoring.NA
    if question.critical is not None and rng.random() < 0.035:
        # A critical failure.
        if question.type == scoring.QuestionType.YES_NO:
            return "no"
        return next(iter(question.failing_choices))
    if question.type == scoring.QuestionType.YES_NO:
        return "yes" if rng.random() < skill else "no"
    if question.type == scoring.QuestionType.SCALE:
        top = question.max or 0
        return max(0, min(top, round(top * rng.gauss(skill, 0.15))))
    passing = sorted(
        (k for k in question.choices if k not in question.failing_choices),
        key=lambda k: -question.choices[k],
    )
    return passing[0] if rng.random() < skill else passing[-1]


def _answers(ctx: DemoContext, card: _Card, skill: float) -> dict:
    return {q.id: _answer(ctx, q, skill) for q in card.spec.questions()}


def _revision(number, author, answers, card: _Card, at, reason=None, comment=""):
    """A submitted revision, stored exactly as the evaluation pages store one."""
    return EvaluationRevision(
        number=number,
        author_id=author.id,
        reason=reason,
        overall_comment=comment,
        created_at=at,
        submitted_at=at,
        answers=answer_rows(card.spec, answers),
        **result_fields(scoring.score(card.spec, answers)),
    )


COMMENTS = [
    "Clear and friendly call; the summary at the end helped.",
    "Good resolution. Remember to verify identity before opening the account.",
    "Solid. Tone could be warmer at the start.",
    "The solution was only partly right: check the settlement article.",
    "",
]


def load_qa(ctx: DemoContext) -> None:
    qa_analyst = ctx.logins["qa"]
    phone = _build_card(
        ctx, "Phone and voicemail quality", ["phone", "voicemail"], PHONE_CARD, qa_analyst
    )
    email = _build_card(ctx, "E-mail and chat quality", ["email", "chat"], EMAIL_CARD, qa_analyst)
    cards = {"phone": phone, "voicemail": phone, "email": email, "chat": email}

    supervisor_of = {p.id: sup_id for sup_id, group in ctx.reports.items() for p in group}
    people = {p.id: p for p in ctx.people}
    qa_markets = {"HK", "TW"}
    contacts = _contacts(ctx)
    db.session.execute(insert(Contact), contacts)
    stored = db.session.execute(
        select(Contact.id, Contact.person_id, Contact.channel, Contact.occurred_at)
        .where(Contact.source == "demo")
        .order_by(Contact.id)
    ).all()
    skill = {pid: min(0.98, max(0.55, ctx.rng.gauss(0.84, 0.07))) for pid in supervisor_of}
    fixed_agent = ctx.logins["agent.hk"]
    evaluations = notes = 0
    pending: list[tuple[Evaluation, Notification]] = []
    cutoff = ctx.now - timedelta(days=3)
    for contact_id, person_id, channel, occurred_at in stored:
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=UTC)
        agent = people[person_id]
        is_fixed = person_id == fixed_agent.id
        recent = occurred_at > cutoff
        share = 0.5 if is_fixed else REVIEWED_SHARE
        if recent or ctx.rng.random() > share:
            continue
        evaluator = people[supervisor_of[person_id]]
        if agent.market.code in qa_markets and ctx.rng.random() < 0.3:
            evaluator = qa_analyst
        card = cards[channel]
        at = occurred_at + timedelta(hours=ctx.rng.randint(4, 60))
        evaluation = _evaluation(ctx, contact_id, agent, evaluator, card, skill[person_id], at)
        db.session.add(evaluation)
        evaluations += 1
        if is_fixed and evaluation.status != EvaluationStatus.DRAFT:
            notes += 1
            pending.append(
                (
                    evaluation,
                    Notification(
                        person_id=agent.id,
                        actor_id=evaluator.id,
                        kind="evaluation.submitted",
                        record_type="evaluation",
                        record_id=0,
                        url="/qa/my-evaluations",
                        params={
                            "actor": evaluator.display_name,
                            "contact": f"{channel} {occurred_at:%Y-%m-%d}",
                            "score": scoring.format_score(evaluation.score_exact),
                        },
                        created_at=at,
                        read_at=None if at > ctx.now - timedelta(days=14) else at,
                    ),
                )
            )
    db.session.flush()
    for evaluation, note in pending:  # the evaluations have their ids now
        note.record_id = evaluation.id
        note.url = f"/qa/evaluations/{evaluation.id}"
        db.session.add(note)
    db.session.flush()
    ctx.counts["contacts"] = len(contacts)
    ctx.counts["evaluations"] = evaluations


def _contacts(ctx: DemoContext) -> list[dict]:
    rows = []
    start = ctx.now - timedelta(days=7 * WEEKS)
    channels = ["phone"] * 11 + ["email"] * 5 + ["voicemail"] * 2 + ["chat"] * 2
    number = 0
    for agent in ctx.frontline:
        if not agent.is_active:
            continue
        low, high = CONTACTS_PER_AGENT_WEEK
        for week in range(WEEKS):
            for _ in range(ctx.rng.randint(low, high)):
                number += 1
                day = start + timedelta(days=7 * week + ctx.rng.randint(0, 6))
                at = datetime.combine(
                    day.date(), time(ctx.rng.randint(1, 14), ctx.rng.randint(0, 59)), UTC
                )
                if at > ctx.now:
                    continue
                channel = ctx.rng.choice(channels)
                rows.append(
                    {
                        "channel": channel,
                        "source": "demo",
                        "external_id": f"D{number:07d}",
                        "person_id": agent.id,
                        "occurred_at": at,
                        "direction": "inbound" if ctx.rng.random() < 0.8 else "outbound",
                        "customer_ref": f"M-{ctx.rng.randint(10000, 99999)}",
                        "duration_seconds": ctx.rng.randint(60, 900)
                        if channel in ("phone", "voicemail")
                        else None,
                        "market_id": agent.market_id,
                        "segment_id": agent.segment_id,
                        "transcript": ctx.rng.choice(TRANSCRIPTS),
                        "recording_url": None,
                        "created_at": at,
                    }
                )
    return rows


def _evaluation(ctx, contact_id, agent: Person, evaluator: Person, card: _Card, skill, at):
    rng = ctx.rng
    roll = rng.random()
    answers = _answers(ctx, card, skill)
    revision = _revision(1, evaluator, answers, card, at, comment=rng.choice(COMMENTS))
    evaluation = Evaluation(
        contact_id=contact_id,
        person_id=agent.id,
        evaluator_id=evaluator.id,
        scorecard_version_id=card.version.id,
        created_at=at,
        updated_at=at,
    )
    evaluation.revisions.append(revision)
    if roll < 0.05:  # a draft: not scored yet
        revision.submitted_at = None
        evaluation.status = EvaluationStatus.DRAFT
        return evaluation
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = at
    evaluation.score, evaluation.score_exact = revision.score, revision.score_exact
    evaluation.critical_failed = revision.critical_failed
    if roll < 0.22:  # waiting for the agent
        return evaluation
    later = at + timedelta(hours=rng.randint(2, 48))
    if roll < 0.78:
        evaluation.status = EvaluationStatus.ACKNOWLEDGED
        evaluation.acknowledged_at = later
        return evaluation
    evaluation.status = EvaluationStatus.DISPUTED
    evaluation.disputed_at = later
    evaluation.dispute_reason = rng.choice(
        [
            "I did verify the caller: it is at 0:40 in the recording.",
            "The customer asked me not to summarise, they were in a hurry.",
            "The knowledge base article changed that week.",
        ]
    )
    if roll < 0.86:  # still open
        return evaluation
    resolved = later + timedelta(hours=rng.randint(4, 72))
    evaluation.status = EvaluationStatus.RESOLVED
    evaluation.resolved_at = resolved
    evaluation.resolved_by_id = evaluator.id
    if roll < 0.93:
        evaluation.resolution = Resolution.UPHELD
        evaluation.resolution_reason = "Listened again: the score stands."
        return evaluation
    better = dict(answers)
    for question in card.spec.questions():
        value = better[question.id]
        if value in ("no",) or question.id in question.failing_choices:
            better[question.id] = "yes"
            break
    for question in card.spec.questions():
        if question.type == scoring.QuestionType.SCALE and better[question.id] != scoring.NA:
            better[question.id] = question.max
            break
    second = _revision(
        2, evaluator, better, card, resolved, reason="Agreed on review: the answer was right."
    )
    evaluation.revisions.append(second)
    evaluation.revision_number = 2
    evaluation.resolution = Resolution.RESCORED
    evaluation.resolution_reason = "Agreed on review: the answer was right."
    evaluation.score, evaluation.score_exact = second.score, second.score_exact
    evaluation.critical_failed = second.critical_failed
    return evaluation
