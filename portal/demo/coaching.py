"""Demo 1:1s and coaching: a weekly series for every manager-report pair over the last 12 weeks
(mostly held, some missed, cancelled or rescheduled, a few left unrecorded), with agendas, shared
and private notes, action items (some carried over several times) and coaching sessions, linked
to the agent's evaluations when the QA section made any."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal.coaching import schedule
from portal.coaching.models import (
    ActionItem,
    AgendaItem,
    CoachingSession,
    MeetingStatus,
    OneOnOne,
    OneOnOneSeries,
    PrivateNote,
)
from portal.demo.context import DemoContext
from portal.extensions import db
from portal.org.models import Person
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationStatus
from portal.qa.models import ScorecardQuestion

WEEKS_BACK = 12

TOPICS = [
    "Weekly numbers: CSAT and handle time",
    "Callbacks still open from last week",
    "Roster for next week",
    "Merchant escalation from Tuesday",
    "Training plan progress",
    "Feedback from the last QA evaluation",
    "Ideas for the refund macro",
    "Career conversation: next step",
    "Workload and overtime",
    "VIP account review preparation",
]
ACTIONS = [
    "Shadow a senior agent for two calls",
    "Update the knowledge-base article on refunds",
    "Finish the de-escalation module",
    "Send the merchant summary before Friday",
    "Book annual leave in the roster tool",
    "Review three of your own recorded calls",
    "Prepare the account-health slides",
    "Check the roster swap with the team",
]
NOTES = [
    "Good week; volumes were high but quality held.",
    "Talked through the escalation; agreed to loop in the supervisor earlier next time.",
    "Discussed development goals for the half-year.",
    "Reviewed the QA feedback together; the greeting is solid, the closing needs work.",
]
PRIVATE = [
    "Seems tired; check in on workload next week.",
    "Ready for more responsibility; consider for senior agent.",
    "Follow up with HR about the leave request.",
]
CANCEL_REASONS = ["Public holiday", "Team training day", "Supervisor on leave", "System outage"]
BEHAVIOURS = [
    (
        "Confirms the fix with the merchant before closing",
        "Ask 'does that solve it for you?' on every call",
    ),
    ("Uses the customer's name and greets warmly", "Greet by name within the first 10 seconds"),
    ("Sets clear expectations on callback times", "Give a callback window and note it in CRM"),
]


def load_coaching(ctx: DemoContext) -> None:
    rng = ctx.rng
    by_manager: dict[int, list[Person]] = {}
    for person in ctx.people:
        if person.manager_id is not None and person.is_active:
            by_manager.setdefault(person.manager_id, []).append(person)
    people = {p.id: p for p in ctx.people}
    start = ctx.today - timedelta(weeks=WEEKS_BACK)
    series_list: list[tuple[OneOnOneSeries, Person, Person]] = []
    for manager_id, reports in by_manager.items():
        manager = people[manager_id]
        if not manager.is_active:
            continue
        weekday = rng.randint(0, 4)
        start_time = time(rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 30]))
        for report in reports:
            series = OneOnOneSeries(
                person_id=report.id,
                supervisor_id=manager.id,
                cadence="weekly",
                weekday=weekday,
                start_time=start_time,
                time_zone=manager.time_zone or "UTC",
                starts_on=start,
            )
            series_list.append((series, manager, report))
    db.session.add_all([s for s, _m, _r in series_list])
    db.session.flush()

    horizon = ctx.today + timedelta(days=schedule.HORIZON_DAYS)
    plan: list[tuple[OneOnOneSeries, list[OneOnOne]]] = []
    for series, manager, _report in series_list:
        days = schedule.occurrence_dates("weekly", series.weekday, start, start, horizon)
        ms = []
        for day in days:
            at = schedule.local_to_utc(day, series.start_time, series.time_zone)
            m = OneOnOne(
                series_id=series.id,
                person_id=series.person_id,
                supervisor_id=series.supervisor_id,
                scheduled_at=at,
                duration_minutes=30,
            )
            if at < ctx.now:
                roll = rng.random()
                if roll < 0.80:
                    m.status = MeetingStatus.HELD
                elif roll < 0.88:
                    m.status = MeetingStatus.MISSED
                elif roll < 0.95:
                    m.status = MeetingStatus.CANCELLED
                    m.cancel_reason = rng.choice(CANCEL_REASONS)
                # else: left "scheduled": a week nobody recorded
                if m.status != MeetingStatus.SCHEDULED:
                    m.status_recorded_at = at + timedelta(minutes=35)
                    m.status_recorded_by_id = manager.id
                if m.status == MeetingStatus.HELD and rng.random() < 0.6:
                    m.shared_notes = rng.choice(NOTES)
            ms.append(m)
        plan.append((series, ms))
    db.session.add_all([m for _s, ms in plan for m in ms])
    db.session.flush()

    extras: list = []
    action_count = 0
    for series, ms in plan:
        past = [m for m in ms if m.scheduled_at < ctx.now]
        open_items: list[ActionItem] = []
        for index, m in enumerate(past):
            for topic in rng.sample(TOPICS, rng.randint(1, 3)):
                who = rng.choice([series.person_id, series.supervisor_id])
                extras.append(
                    AgendaItem(
                        meeting_id=m.id,
                        person_id=series.person_id,
                        added_by_id=who,
                        body=topic,
                        is_done=m.status == MeetingStatus.HELD,
                        created_at=m.scheduled_at - timedelta(days=1),
                    )
                )
            if m.status != MeetingStatus.HELD:
                continue
            if rng.random() < 0.4:
                extras.append(
                    PrivateNote(
                        meeting_id=m.id, author_id=series.supervisor_id, body=rng.choice(PRIVATE)
                    )
                )
            # Close some items carried from before, in this meeting.
            for item in list(open_items):
                if rng.random() < 0.5:
                    item.is_done = True
                    item.done_at = m.scheduled_at + timedelta(minutes=20)
                    item.done_meeting_id = m.id
                    open_items.remove(item)
            if index < len(past) and rng.random() < 0.6:
                item = ActionItem(
                    series_id=series.id,
                    meeting_id=m.id,
                    person_id=series.person_id,
                    owner_id=rng.choice([series.person_id] * 3 + [series.supervisor_id]),
                    created_by_id=series.supervisor_id,
                    body=rng.choice(ACTIONS),
                    due_on=(m.scheduled_at + timedelta(days=rng.choice([3, 7, 14]))).date(),
                )
                open_items.append(item)
                extras.append(item)
                action_count += 1
    db.session.add_all(extras)
    db.session.flush()

    sessions = _coaching_sessions(ctx, [(s, ms) for s, ms in plan])
    ctx.counts["one_on_one_series"] = len(series_list)
    ctx.counts["one_on_ones"] = sum(len(ms) for _s, ms in plan)
    ctx.counts["action_items"] = action_count
    ctx.counts["coaching_sessions"] = sessions


def _questions_failed(evaluations: list[Evaluation], rng) -> list[ScorecardQuestion]:
    """The questions the linked evaluations failed (what the coaching is about), at most two;
    with none failed, one question of the card, so the before/after has something to show."""
    if not evaluations:
        return []
    revision_ids = [r.id for e in evaluations for r in e.revisions if r.number == e.revision_number]
    failed = db.session.scalars(
        select(ScorecardQuestion)
        .join(EvaluationAnswer, EvaluationAnswer.question_id == ScorecardQuestion.id)
        .where(EvaluationAnswer.revision_id.in_(revision_ids), EvaluationAnswer.failed.is_(True))
        .distinct()
        .order_by(ScorecardQuestion.id)
    ).all()
    if failed:
        return list(failed[:2])
    pool = [q for s in evaluations[0].scorecard_version.sections for q in s.questions]
    return [rng.choice(pool)] if pool else []


def _coaching_sessions(ctx: DemoContext, plan) -> int:
    """A coaching session in a held 1:1 about five weeks ago for about a third of the frontline,
    linked to the agent's evaluations before it when there are any."""
    rng = ctx.rng
    frontline = {p.id for p in ctx.frontline}
    evaluations: dict[int, list[Evaluation]] = {}
    for ev in db.session.scalars(
        select(Evaluation).where(Evaluation.status != EvaluationStatus.DRAFT)
    ):
        evaluations.setdefault(ev.person_id, []).append(ev)
    made = 0
    for series, ms in plan:
        if series.person_id not in frontline or rng.random() > 0.35:
            continue
        held = [
            m
            for m in ms
            if m.status == MeetingStatus.HELD
            and ctx.now - timedelta(weeks=7) < m.scheduled_at < ctx.now - timedelta(weeks=3)
        ]
        if not held:
            continue
        meeting = rng.choice(held)
        behaviour, commitment = rng.choice(BEHAVIOURS)
        session = CoachingSession(
            person_id=series.person_id,
            coach_id=series.supervisor_id,
            meeting_id=meeting.id,
            held_on=meeting.scheduled_at.date(),
            behaviour=behaviour,
            commitment=commitment,
            follow_up_on=meeting.scheduled_at.date() + timedelta(weeks=4),
        )
        earlier = [
            e
            for e in evaluations.get(series.person_id, [])
            if e.submitted_at and e.submitted_at < meeting.scheduled_at
        ]
        session.evaluations = earlier[-2:]
        session.questions = _questions_failed(session.evaluations, rng)
        db.session.add(session)
        made += 1
    db.session.flush()
    return made
