"""Demo QA: two published scorecards, contacts over the last 12 weeks and evaluations in every
state (drafts, submitted, acknowledged, disputed, upheld, re-scored), scored by the same pure
function the pages use. Dates are spread over the weeks so trends and roll-ups have a shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from portal.demo import qa_answers, qa_feedback
from portal.demo.context import DemoContext
from portal.demo.improvement import plan_agent
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
    facts: dict[int, qa_feedback.QuestionFacts]


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
    return _Card(card, version, version.spec(), questions, qa_feedback.question_facts(questions))


def _revision(ctx, number, author, answers, card: _Card, channel, at, reason=None):
    """A submitted revision, stored exactly as the evaluation pages store one, with the comment
    an evaluator would write on these answers. Returns it with its answers' outcomes."""
    result = scoring.score(card.spec, answers)
    rows = answer_rows(card.spec, answers)
    outcomes = qa_feedback.outcomes_of(card.facts, rows)
    overall = float(result.overall) if result.overall is not None else 0.0
    revision = EvaluationRevision(
        number=number,
        author_id=author.id,
        reason=reason,
        overall_comment=qa_feedback.comment(ctx.rng, channel, outcomes, overall),
        created_at=at,
        submitted_at=at,
        answers=rows,
        **result_fields(result),
    )
    return revision, outcomes


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
    skill = {pid: qa_answers.agent_skill(ctx.rng) for pid in supervisor_of}
    on_plan = plan_agent(ctx)  # the improvement plan's agent: visibly weak, improving
    on_plan_id = on_plan.id if on_plan is not None else None
    if on_plan is not None:
        skill[on_plan.id] = 0.68
    start = ctx.now - timedelta(days=7 * WEEKS)
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
        # agent.hk has plenty to look at; the plan's agent the ~24 evaluations its reason cites.
        share = 0.5 if is_fixed or person_id == on_plan_id else REVIEWED_SHARE
        if recent or ctx.rng.random() > share:
            continue
        evaluator = people[supervisor_of[person_id]]
        if agent.market.code in qa_markets and ctx.rng.random() < 0.3:
            evaluator = qa_analyst
        card = cards[channel]
        at = occurred_at + timedelta(hours=ctx.rng.randint(4, 60))
        progress = (occurred_at - start) / timedelta(days=7 * WEEKS)
        agent_skill = qa_answers.skill_on(skill[person_id], progress)
        evaluation = _evaluation(ctx, contact_id, agent, evaluator, card, channel, agent_skill, at)
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


def _evaluation(ctx, contact_id, agent: Person, evaluator: Person, card: _Card, channel, skill, at):
    rng = ctx.rng
    roll = rng.random()
    answers = qa_answers.answers(rng, card.spec, skill)
    revision, outcomes = _revision(ctx, 1, evaluator, answers, card, channel, at)
    evaluation = Evaluation(
        contact_id=contact_id,
        person_id=agent.id,
        evaluator_id=evaluator.id,
        scorecard_version_id=card.version.id,
        created_at=at,
        updated_at=at,
    )
    evaluation.revisions.append(revision)
    if roll < 0.05:  # a draft: not scored yet, no comment written yet
        revision.submitted_at = None
        revision.overall_comment = ""
        evaluation.status = EvaluationStatus.DRAFT
        return evaluation
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = at
    evaluation.score, evaluation.score_exact = revision.score, revision.score_exact
    evaluation.critical_failed = revision.critical_failed
    if roll < 0.22:  # waiting for the agent
        return evaluation
    later = at + timedelta(hours=rng.randint(2, 48))
    to_dispute = qa_feedback.to_work_on(outcomes)
    if roll < 0.78 or not to_dispute:  # nothing lost: nothing to dispute
        evaluation.status = EvaluationStatus.ACKNOWLEDGED
        evaluation.acknowledged_at = later
        return evaluation
    disputed = to_dispute[0]
    evaluation.status = EvaluationStatus.DISPUTED
    evaluation.disputed_at = later
    evaluation.dispute_reason, on_question = qa_feedback.dispute(channel, disputed)
    evaluation.dispute_questions = {str(disputed.question_id): on_question}
    if roll < 0.86:  # still open
        return evaluation
    resolved = later + timedelta(hours=rng.randint(4, 72))
    evaluation.status = EvaluationStatus.RESOLVED
    evaluation.resolved_at = resolved
    evaluation.resolved_by_id = evaluator.id
    if roll < 0.93:
        evaluation.resolution = Resolution.UPHELD
        evaluation.resolution_reason = qa_feedback.upheld(channel, disputed)
        return evaluation
    question = next(q for q in card.spec.questions() if q.id == disputed.question_id)
    better = {**answers, question.id: _best(question)}
    reason = qa_feedback.rescored(channel, disputed)
    second, _ = _revision(ctx, 2, evaluator, better, card, channel, resolved, reason=reason)
    evaluation.revisions.append(second)
    evaluation.revision_number = 2
    evaluation.resolution = Resolution.RESCORED
    evaluation.resolution_reason = reason
    evaluation.score, evaluation.score_exact = second.score, second.score_exact
    evaluation.critical_failed = second.critical_failed
    return evaluation


def _best(question: scoring.QuestionSpec):
    """The answer earning every point of the question."""
    if question.type == scoring.QuestionType.YES_NO:
        return "yes"
    if question.type == scoring.QuestionType.SCALE:
        return question.max
    return max(question.choices, key=lambda key: question.choices[key])
