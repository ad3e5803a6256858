"""The agent section: what waits for anyone on their own records.

Every count comes from the service the linked page lists with (evaluations, 1:1s, goals,
reviews, training, certifications, kudos), so the number is what the page shows.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from portal import policy, time_format
from portal.coaching import meetings as meeting_service
from portal.coaching import queries as coaching_queries
from portal.coaching.schedule import local_date
from portal.db import utcnow
from portal.goals import goals as goal_service
from portal.goals import reviews as review_service
from portal.goals.models import CycleState, PhaseKind, ReviewState
from portal.goals.transitions import CHECK_INS_OPEN
from portal.home.items import Item, Section, Urgency, urgency_of
from portal.home.shared import CAP, RECENT, earliest, once, phase_dues, start_of
from portal.org.models import Person
from portal.qa import evaluation_queries
from portal.qa.evaluation_models import EvaluationStatus
from portal.training import assignments, cert_rules, kudos
from portal.training.certifications import certifications_for
from portal.training.status import Status
from portal.web import path_for


def open_action_items(person: Person):
    """The 1:1 action list's items (both sides), read once per request."""
    return once("open_action_items", lambda: coaching_queries.open_action_items(person))


def _item(key: str, label: str, count: int, url: str, today: date, due=None, **kw) -> Item:
    urgency = kw.pop("urgency", None)
    if urgency is None:
        urgency = urgency_of(due, today)
    return Item(key, label, count, url, urgency, due, **kw)


def _evaluations(person: Person, today: date) -> list[Item]:
    filters = evaluation_queries.EvaluationFilters
    to_ack = evaluation_queries.count_evaluations(
        person, filters(status=EvaluationStatus.SUBMITTED, person_id=person.id), cap=CAP
    )
    answered = evaluation_queries.count_evaluations(
        person,
        filters(
            status=EvaluationStatus.RESOLVED,
            person_id=person.id,
            resolved_since=start_of(today - RECENT),
        ),
        cap=CAP,
    )
    return [
        _item(
            "agent.acknowledge",
            _("Evaluations to acknowledge or dispute"),
            to_ack,
            path_for("qa.my_evaluations", status=EvaluationStatus.SUBMITTED.value),
            today,
            urgency=Urgency.THIS_WEEK,
        ),
        _item(
            "agent.disputes_answered",
            _("Disputes answered in the last two weeks"),
            answered,
            path_for("qa.my_evaluations", status=EvaluationStatus.RESOLVED.value),
            today,
            urgency=Urgency.INFO,
        ),
    ]


def _one_on_one(person: Person, today: date) -> list[Item]:
    now = utcnow()
    lines = [line for line in coaching_queries.own_series(person, now) if line.next_meeting]
    items = []
    if lines:
        line = min(lines, key=lambda x: x.next_meeting.scheduled_at)
        meeting = line.next_meeting
        agenda = len(meeting_service.agenda_for(meeting))  # as the meeting page lists it
        due = local_date(meeting.scheduled_at, person.time_zone or "UTC")
        detail = _("%(when)s with %(who)s", when=time_format.fmt_datetime(meeting.scheduled_at),
                   who=line.series.supervisor.name)  # fmt: skip
        detail += " · " + ngettext("%(num)d agenda item", "%(num)d agenda items", agenda)
        detail += " · " + ngettext(
            "%(num)d open action item", "%(num)d open action items", line.open_items
        )
        items.append(
            _item(
                "agent.one_on_one",
                _("Next 1:1"),
                1,
                path_for("coaching.meeting_detail", meeting_id=meeting.id),
                today,
                due,
                detail=detail,
            )
        )
    mine = [entry.item for entry in open_action_items(person) if entry.mine]
    due = earliest(item.due_on for item in mine)
    items.append(
        _item(
            "agent.actions",
            _("My open action items"),
            len(mine),
            path_for("coaching.action_list"),
            today,
            due,
        )
    )
    return items


def _goals(person: Person, today: date) -> list[Item]:
    plans = goal_service.my_plans(person)
    reviews = review_service.my_reviews(person)
    dues = phase_dues({plan.cycle_id for plan in plans} | {r.cycle_id for r in reviews})
    open_plans = [
        plan
        for plan in plans
        if plan.state in CHECK_INS_OPEN and plan.cycle.state == CycleState.IN_PROGRESS
    ]
    unchecked = [
        (plan, goal) for plan in open_plans for goal in plan.goals if goal.latest_value is None
    ]
    check_due = earliest(dues.get((plan.cycle_id, PhaseKind.MID_CYCLE)) for plan, _g in unchecked)
    selfs = [r for r in reviews if r.state == ReviewState.SELF_REVIEW]
    shared = [r for r in reviews if r.state == ReviewState.SHARED]

    def review_url(found) -> str:
        if len(found) == 1:
            return path_for("goals.review_detail", review_id=found[0].id)
        return path_for("goals.review_list")

    return [
        _item(
            "agent.checkins",
            _("Goals without a check-in yet"),
            len(unchecked),
            path_for("goals.my_goals"),
            today,
            check_due,
        ),
        _item(
            "agent.self_assessment",
            _("Self-assessment to write"),
            len(selfs),
            review_url(selfs),
            today,
            earliest(dues.get((r.cycle_id, PhaseKind.SELF_ASSESSMENT)) for r in selfs),
        ),
        _item(
            "agent.review_acknowledge",
            _("Review to acknowledge"),
            len(shared),
            review_url(shared),
            today,
            earliest(dues.get((r.cycle_id, PhaseKind.SIGN_OFF)) for r in shared),
        ),
    ]


def _training(person: Person, today: date) -> list[Item]:
    me = policy.scoped(
        select(Person.id).where(Person.id == person.id), Person, person, policy.Area.TRAINING
    )
    open_items = [
        item
        for item in assignments.training_items(me, today)
        if item.standing.status != Status.COMPLETED
    ]
    certs = [
        cert
        for cert in certifications_for(person.id)
        if cert_rules.state(cert.expires_on, today) != cert_rules.CertState.VALID
    ]
    url = path_for("training.my_training")
    return [
        _item(
            "agent.training",
            _("Training due or overdue"),
            len(open_items),
            url,
            today,
            earliest(item.due_on for item in open_items),
        ),
        _item(
            "agent.certifications",
            _("Certifications expiring or expired"),
            len(certs),
            url,
            today,
            earliest(cert.expires_on for cert in certs),
        ),
    ]


def _kudos(person: Person, today: date) -> list[Item]:
    count = kudos.count_received(person, start_of(today - RECENT))
    return [
        _item(
            "agent.kudos",
            _("Kudos received in the last two weeks"),
            count,
            path_for("recognition.kudos_list"),
            today,
            urgency=Urgency.INFO,
        )
    ]


def section(person: Person, today: date) -> Section:
    """Everyone has their own records: the section always applies."""
    items = [
        *_evaluations(person, today),
        *_one_on_one(person, today),
        *_goals(person, today),
        *_training(person, today),
        *_kudos(person, today),
    ]
    return Section("agent", _("My work"), items)
