"""Demo training and recognition: courses (the general knowledge assessment among them),
assignments by position, market, team and person, completions, assessment attempts (passed,
failed then passed, out of attempts), classroom sessions with attendance, overdue mandatory
training, a skill-gap assignment when QA evaluations exist, and kudos.

Everything is drawn from the context's seeded generator; dates are relative to ctx.today.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import case, func, select

from portal.demo.context import DemoContext
from portal.extensions import db
from portal.notify.service import notify
from portal.org.models import Person
from portal.training import programme_rules, scoring
from portal.training.models import (
    AssessmentAttempt,
    AssessmentChoice,
    AssessmentQuestion,
    Assignment,
    Certification,
    ClassSession,
    Completion,
    Course,
    CourseQaQuestion,
    Kudos,
    Nomination,
    RecognitionProgramme,
    SessionSeat,
)

# The seed's "must pass the general knowledge assessment": (question, choices, correct ones).
GENERAL_KNOWLEDGE = [
    (
        "A merchant asks why a payout is on hold. What do you check first?",
        ["The account's risk and verification status", "The merchant's favourite colour",
         "Nothing: holds clear themselves", "The weather in the merchant's city"],
        {0},
    ),
    (
        "Which of these are personal data you must never read back in full on a call?",
        ["Full card number", "Password or one-time code", "The merchant's shop name",
         "The order number"],
        {0, 1},
    ),
    (
        "A buyer opens a case for an item not received. How long may the seller take to respond?",
        ["3 business days", "30 days", "There is no limit", "1 hour"],
        {0},
    ),
    (
        "What does first contact resolution mean?",
        ["The issue is solved in the first contact, with no follow-up needed",
         "The first customer of the day", "Answering within the first ring",
         "Resolving the first question only"],
        {0},
    ),
    (
        "Which channels does the contact centre handle?",
        ["Phone", "E-mail", "Chat", "Fax"],
        {0, 1, 2},
    ),
    (
        "A VIP merchant's monthly volume drops 40%. What do you do?",
        ["Reach out, review account health and agree an action plan",
         "Wait for the quarterly review", "Close the account", "Nothing"],
        {0},
    ),
    (
        "When may you share a customer's details with another customer?",
        ["Never", "When they ask politely", "When it saves time", "On Fridays"],
        {0},
    ),
    (
        "Which are signs of a phishing message a merchant forwards to you?",
        ["Urgent request to sign in through a link", "Sender domain that is not ours",
         "A request for a password", "Our usual monthly statement"],
        {0, 1, 2},
    ),
]  # fmt: skip

COURSES = [
    # title, kind, minutes, competencies, mandatory, has GK assessment
    ("General knowledge assessment", "elearning", 30, "Product knowledge, Policies", True),
    ("Customer data privacy", "elearning", 45, "Compliance, Data protection", True),
    ("Handling escalations", "classroom", 180, "De-escalation, Empathy", True),
    ("Empathy on the phone", "elearning", 25, "Empathy, Communication", False),
    ("Shadowing a senior agent", "on_the_job", 480, "Product knowledge, Tools", False),
    ("Account health reviews", "classroom", 120, "Account management, Analysis", False),
    ("Closing the contact well", "elearning", 20, "Communication", False),
]

VALUES_USED = ("Customer first", "Ownership", "Teamwork", "Product knowledge", "Empathy")
KUDOS_MESSAGES = [
    "Thank you for covering the late shift.",
    "Great save with that angry merchant today.",
    "Your notes on the refund policy helped the whole team.",
    "You turned a complaint into a five-star review.",
    "Thanks for mentoring the new joiners this week.",
    "Brilliant account review with the VIP merchant.",
]


def _token() -> str:
    return secrets.token_hex(12)


def _at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), UTC)


def load_training(ctx: DemoContext) -> None:
    rng = ctx.rng
    trainer = ctx.logins.get("trainer") or ctx.role("trainer")[0]
    hr = ctx.logins.get("hr") or ctx.role("hr")[0]
    courses = {}
    for title, kind, minutes, competencies, mandatory in COURSES:
        course = Course(
            title=title,
            kind=kind,
            duration_minutes=minutes,
            competencies=competencies,
            is_mandatory=mandatory,
            description="",
            url="https://learning.example.com/" + title.lower().replace(" ", "-")
            if kind == "elearning"
            else None,
            created_by_id=trainer.id,
        )
        courses[title] = course
        db.session.add(course)
    archived = Course(
        title="Legacy CRM basics", kind="elearning", duration_minutes=60, competencies="Tools",
        is_archived=True, created_by_id=trainer.id, description="",
    )  # fmt: skip
    db.session.add(archived)
    gk = courses["General knowledge assessment"]
    gk.pass_mark, gk.attempts_allowed, gk.time_limit_minutes = 75, 3, 20
    db.session.flush()
    keys = []
    for position, (text, labels, correct) in enumerate(GENERAL_KNOWLEDGE, start=1):
        question = AssessmentQuestion(
            course_id=gk.id, position=position, text=text, is_multiple=len(correct) > 1
        )
        question.choices = [
            AssessmentChoice(position=i, label=label, is_correct=i in correct)
            for i, label in enumerate(labels)
        ]
        db.session.add(question)
        keys.append(question)
    db.session.flush()
    key = [
        scoring.QuestionKey(
            q.id, frozenset(c.id for c in q.choices if c.is_correct), tuple(c.id for c in q.choices)
        )
        for q in keys
    ]

    frontline = [p for p in ctx.frontline if p.is_active]
    today = ctx.today
    # The general knowledge assessment: every agent, org-wide, by HR; due three weeks ago for
    # people hired before this year, so the ones who have not passed are overdue.
    assignments = [
        Assignment(course_id=gk.id, position_id=ctx.positions["agent"].id,
                   due_on=today - timedelta(days=21), assigned_by_id=hr.id, token=_token()),
        Assignment(course_id=gk.id, position_id=ctx.positions["senior_agent"].id,
                   due_on=today + timedelta(days=14), assigned_by_id=hr.id, token=_token()),
    ]  # fmt: skip
    privacy = courses["Customer data privacy"]
    for market in ctx.markets.values():
        assignments.append(
            Assignment(course_id=privacy.id, market_id=market.id,
                       due_on=today - timedelta(days=rng.randint(-20, 20)),
                       assigned_by_id=hr.id, token=_token())
        )  # fmt: skip
    escalations = courses["Handling escalations"]
    trainer_teams = [
        t for t in ctx.teams if t.market is not None and t.market.code in ("JP", "KR", "VN")
    ]
    for team in trainer_teams[:3]:
        assignments.append(
            Assignment(course_id=escalations.id, team_id=team.id,
                       due_on=today - timedelta(days=rng.randint(-10, 10)),
                       assigned_by_id=trainer.id, token=_token())
        )  # fmt: skip
    shadowing = courses["Shadowing a senior agent"]
    newest = sorted(frontline, key=lambda p: p.hire_on or today, reverse=True)[:6]
    for person in newest:
        assignments.append(
            Assignment(course_id=shadowing.id, person_id=person.id,
                       due_on=today + timedelta(days=rng.randint(-5, 30)),
                       assigned_by_id=trainer.id, token=_token())
        )  # fmt: skip
    db.session.add_all(assignments)
    db.session.flush()

    # Completions and attempts.
    completions, attempts = [], []
    for person in frontline:
        if rng.random() < 0.7:
            completions.append(
                Completion(person_id=person.id, course_id=privacy.id,
                           completed_on=today - timedelta(days=rng.randint(1, 60)),
                           source="self_reported")
            )  # fmt: skip
        if person.position.code not in ("agent", "senior_agent"):
            continue
        roll = rng.random()
        if roll < 0.15:
            continue  # not started: overdue for agents
        plan = [True] if roll < 0.6 else [False, True] if roll < 0.85 else [False, False, False]
        day = today - timedelta(days=rng.randint(5, 40))
        for number, passes in enumerate(plan, start=1):
            started = _at(day + timedelta(days=number - 1), 9 + number)
            answers = {}
            for q in key:
                right = rng.random() < (0.95 if passes else 0.4)
                wrong = [c for c in q.choices if c not in q.correct][:1]
                answers[q.question_id] = q.correct if right or not wrong else frozenset(wrong)
            result = scoring.score_attempt(key, answers, gk.pass_mark or 75)
            attempts.append(
                AssessmentAttempt(
                    person_id=person.id, course_id=gk.id, number=number, started_at=started,
                    deadline_at=scoring.deadline(started, gk.time_limit_minutes),
                    submitted_at=started + timedelta(minutes=rng.randint(6, 18)),
                    layout=[[q.question_id, list(q.choices)] for q in key],
                    answers={str(k): sorted(v) for k, v in answers.items()},
                    correct=result.correct, total=result.total, percent=result.percent,
                    is_passed=result.is_passed, pass_mark=gk.pass_mark or 75,
                )
            )  # fmt: skip
            if result.is_passed:
                completions.append(
                    Completion(person_id=person.id, course_id=gk.id,
                               completed_on=started.date(), source="assessment")
                )  # fmt: skip
                break
    db.session.add_all(completions + attempts)

    # Classroom sessions: one held last month (attendance taken), one next week.
    done = {(c.person_id, c.course_id) for c in completions}
    for team in trainer_teams[:3]:
        members = [p for p in frontline if p.team_id == team.id]
        past = ClassSession(course_id=escalations.id, starts_at=_at(today - timedelta(days=20)),
                            place=f"{team.market.name} training room", seats=12,
                            trainer_id=trainer.id)  # fmt: skip
        future = ClassSession(course_id=escalations.id, starts_at=_at(today + timedelta(days=7)),
                              place=f"{team.market.name} training room", seats=12,
                              trainer_id=trainer.id)  # fmt: skip
        db.session.add_all([past, future])
        db.session.flush()
        half = len(members) // 2
        for person in members[:half]:
            attended = rng.random() < 0.85
            db.session.add(SessionSeat(session_id=past.id, person_id=person.id, attended=attended))
            if attended and (person.id, escalations.id) not in done:
                db.session.add(
                    Completion(person_id=person.id, course_id=escalations.id,
                               completed_on=today - timedelta(days=20), source="confirmed",
                               confirmed_by_id=trainer.id)
                )  # fmt: skip
        for person in members[half : half + 3]:
            db.session.add(SessionSeat(session_id=future.id, person_id=person.id))

    _skill_gap(ctx, courses, trainer)
    _kudos(ctx, frontline)
    _programmes(ctx, frontline)
    _certifications(ctx, frontline, courses, trainer)

    agent = ctx.logins.get("agent.hk")
    if agent is not None:
        notify(agent, hr, "training.assigned", "assignment", assignments[0].id, "/training/",
               course=gk.title, due=assignments[0].due_on.isoformat())  # fmt: skip
    db.session.flush()
    ctx.counts["courses"] = len(courses) + 1
    ctx.counts["assignments"] = len(assignments)
    ctx.counts["completions"] = len(completions)
    ctx.counts["assessment_attempts"] = len(attempts)


def _skill_gap(ctx: DemoContext, courses: dict[str, Course], trainer: Person) -> None:
    """Map courses to the QA questions failed most (when QA evaluations exist) and assign the
    matching course to the agent who fails that question most in the trainer's markets."""
    from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision

    failed = func.sum(case((EvaluationAnswer.failed.is_(True), 1), else_=0))
    worst = db.session.execute(
        select(EvaluationAnswer.question_id, failed)
        .join(EvaluationRevision, EvaluationRevision.id == EvaluationAnswer.revision_id)
        .join(Evaluation, Evaluation.id == EvaluationRevision.evaluation_id)
        .where(Evaluation.status != "draft", EvaluationAnswer.possible.is_not(None))
        .group_by(EvaluationAnswer.question_id)
        .order_by(failed.desc(), EvaluationAnswer.question_id)
        .limit(3)
    ).all()
    if not worst:
        return  # no QA evaluations in this demo: the skill-gap page starts empty
    targets = [courses["Empathy on the phone"], courses["Closing the contact well"],
               courses["Handling escalations"]]  # fmt: skip
    for (question_id, _n), course in zip(worst, targets, strict=False):
        db.session.add(CourseQaQuestion(course_id=course.id, question_id=question_id))
    question_id = worst[0][0]
    row = db.session.execute(
        select(Evaluation.person_id, failed)
        .join(EvaluationRevision, EvaluationRevision.evaluation_id == Evaluation.id)
        .join(EvaluationAnswer, EvaluationAnswer.revision_id == EvaluationRevision.id)
        .join(Person, Person.id == Evaluation.person_id)
        .where(
            EvaluationAnswer.question_id == question_id,
            Person.market_id.in_(
                [m.id for code, m in ctx.markets.items() if code in ("JP", "KR", "VN")]
            ),
        )
        .group_by(Evaluation.person_id)
        .order_by(failed.desc(), Evaluation.person_id)
        .limit(1)
    ).first()
    if row is not None:
        db.session.add(
            Assignment(course_id=targets[0].id, person_id=row[0],
                       due_on=ctx.today + timedelta(days=14), assigned_by_id=trainer.id,
                       token=_token())
        )  # fmt: skip


def _kudos(ctx: DemoContext, frontline: list[Person]) -> None:
    rng = ctx.rng
    givers = frontline + ctx.supervisors
    agent = ctx.logins.get("agent.hk")
    rows = []
    for i in range(60):
        giver = rng.choice(givers)
        # Kudos within the team mostly, so team feeds have something to show.
        team = [p for p in frontline if p.team_id == giver.team_id and p.id != giver.id]
        recipient = rng.choice(team or frontline)
        if i < 4 and agent is not None and giver.id != agent.id:
            recipient = agent
        if recipient.id == giver.id:
            continue
        rows.append(
            Kudos(person_id=recipient.id, giver_id=giver.id, value=rng.choice(VALUES_USED),
                  message=rng.choice(KUDOS_MESSAGES), is_public=rng.random() < 0.6,
                  token=_token(), created_at=_at(ctx.today - timedelta(days=rng.randint(0, 60))))
        )  # fmt: skip
    db.session.add_all(rows)
    ctx.counts["kudos"] = len(rows)


REASONS = [
    "Highest CSAT in the team this period.",
    "Stayed late to clear the escalation queue.",
    "Coached two new joiners through their first week.",
    "Closed a difficult VIP case with a thank-you note from the merchant.",
    "Zero critical QA failures and great notes.",
]


def _programmes(ctx: DemoContext, frontline: list[Person]) -> None:
    """Two programmes with past winners: a monthly one for the HK market run by the HK
    manager, a bi-weekly one for a JP team run by the JP manager."""
    rng = ctx.rng
    managers = {p.market.code: p for p in ctx.role("manager") if p.market is not None}
    plans = []
    hk_manager = ctx.logins.get("manager.hk") or managers.get("HK")
    if hk_manager is not None:
        plans.append(("HK Merchant Care star of the month", "monthly", None,
                      ctx.markets["HK"], hk_manager, 2))  # fmt: skip
    jp_team = next((t for t in ctx.teams if t.market is not None and t.market.code == "JP"), None)
    if jp_team is not None and "JP" in managers:
        plans.append(("JP fortnightly shout-out", "biweekly", jp_team, None, managers["JP"], 1))
    nominations = 0
    for name, cadence, team, market, owner, winners in plans:
        programme = RecognitionProgramme(
            name=name, cadence=cadence, team_id=team.id if team else None,
            market_id=market.id if market else None, owner_id=owner.id,
            winners_per_period=winners,
        )  # fmt: skip
        db.session.add(programme)
        db.session.flush()
        audience = [
            p for p in frontline
            if (team is not None and p.team_id == team.id)
            or (market is not None and p.market_id == market.id)
        ]  # fmt: skip
        if len(audience) < 3:
            continue
        start = programme_rules.period_start(cadence, ctx.today)
        periods = []
        for _ in range(6):
            start = programme_rules.period_start(cadence, start - timedelta(days=1))
            periods.append(start)
        for period in [*periods, programme_rules.period_start(cadence, ctx.today)]:
            current = period > periods[0]
            picked = rng.sample(audience, 3)
            for i, person in enumerate(picked):
                nominator = rng.choice([p for p in audience if p.id != person.id] or [owner])
                if current:
                    status = "pending"
                elif i < winners:
                    status = "winner"
                else:
                    status = rng.choice(["approved", "declined"])
                if current and i == 0:
                    status = "approved"
                db.session.add(
                    Nomination(programme_id=programme.id, period_start=period,
                               person_id=person.id, nominated_by_id=nominator.id,
                               reason=rng.choice(REASONS), status=status,
                               decided_by_id=None if status == "pending" else owner.id,
                               decided_at=None if status == "pending" else _at(period))
                )  # fmt: skip
                nominations += 1
    ctx.counts["nominations"] = nominations


def _certifications(
    ctx: DemoContext, frontline: list[Person], courses: dict[str, Course], trainer: Person
) -> None:
    """Escalation handling certifies for a year; some certificates are expiring or expired."""
    rng = ctx.rng
    courses["Handling escalations"].certification_months = 12
    rows = []
    for person in rng.sample(frontline, min(30, len(frontline))):
        earned = ctx.today - timedelta(days=rng.randint(20, 400))
        rows.append(
            Certification(person_id=person.id, name="Escalation handling",
                          course_id=courses["Handling escalations"].id, source="course",
                          earned_on=earned, expires_on=earned + timedelta(days=365))
        )  # fmt: skip
    for person in rng.sample(frontline, min(8, len(frontline))):
        rows.append(
            Certification(person_id=person.id, name="Payments compliance (external)",
                          source="granted", granted_by_id=trainer.id,
                          earned_on=ctx.today - timedelta(days=340),
                          expires_on=ctx.today + timedelta(days=rng.randint(-10, 25)))
        )  # fmt: skip
    agent = ctx.logins.get("agent.hk")
    if agent is not None:
        rows.append(
            Certification(person_id=agent.id, name="Payments compliance (external)",
                          source="granted", granted_by_id=trainer.id,
                          earned_on=ctx.today - timedelta(days=350),
                          expires_on=ctx.today + timedelta(days=15))
        )  # fmt: skip
    db.session.add_all(rows)
    ctx.counts["certifications"] = len(rows)
