"""The supervisor section: the work of someone with direct reports (policy.has_reports).

The evaluate queue, sampled contacts, drafts and disputes come from the QA list queries; this
week's 1:1s from the completion grid; action items from the 1:1 action list; reviews from the
reviews page; calibration sessions from the calibration list. Counts equal the linked pages.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import policy
from portal.coaching import queries as coaching_queries
from portal.coaching.completion import Cell
from portal.coaching.schedule import week_start
from portal.db import utcnow
from portal.extensions import db
from portal.goals import reviews as review_service
from portal.goals import sharing
from portal.goals.models import PhaseKind, ReviewState
from portal.home.agent import open_action_items
from portal.home.items import Item, Section, Urgency, urgency_of
from portal.home.shared import CAP, earliest, phase_dues, start_of
from portal.org.models import Person
from portal.qa import calibration_service, evaluation_queries, sampling_service
from portal.qa.evaluation_models import EvaluationStatus
from portal.qa.programme_models import CalibrationScore
from portal.web import path_for

# The queue item counts the contacts of the last week: the top of the queue (newest first).
QUEUE_DAYS = timedelta(days=7)


def _qa(person: Person, today: date) -> list[Item]:
    queue = evaluation_queries.count_queue(person, since=start_of(today - QUEUE_DAYS), cap=CAP)
    drafts = evaluation_queries.count_drafts(person, cap=CAP)
    disputes = evaluation_queries.count_evaluations(
        person, evaluation_queries.EvaluationFilters(status=EvaluationStatus.DISPUTED), cap=CAP
    )
    sampled = sampling_service.assigned_contacts(person)
    sampled_due = earliest(a.due_on for a in sampled)
    return [
        Item(
            "supervisor.sampled",
            _("Sampled contacts to evaluate"),
            len(sampled),
            path_for("qaprog.sampling_queue"),
            urgency_of(sampled_due, today),
            sampled_due,
        ),
        Item(
            "supervisor.queue",
            _("Contacts of the past week not evaluated yet"),
            queue,
            path_for("qa.evaluate_queue"),
            Urgency.LATER,
        ),
        Item(
            "supervisor.drafts",
            _("Draft evaluations to finish"),
            drafts,
            path_for("qa.evaluate_queue"),
            Urgency.THIS_WEEK,
        ),
        Item(
            "supervisor.disputes",
            _("Disputes to resolve"),
            disputes,
            path_for("qa.evaluation_list", status=EvaluationStatus.DISPUTED.value),
            Urgency.THIS_WEEK,
        ),
    ]


def _one_on_ones(person: Person, today: date) -> list[Item]:
    now = utcnow()
    week = week_start(now, person.time_zone or "UTC")
    grid = coaching_queries.completion_grid(person, weeks=[week], now=now, supervisor_id=person.id)
    cells = [grid.cells[(row.series_id, week)] for row in grid.rows]
    held = sum(1 for c in cells if c == Cell.HELD)
    to_record = sum(1 for c in cells if c == Cell.NOT_RECORDED)
    upcoming = sum(1 for c in cells if c == Cell.UPCOMING)
    detail = _(
        "this week: %(held)d held, %(open)d to record, %(upcoming)d to come",
        held=held,
        open=to_record,
        upcoming=upcoming,
    )
    theirs = [entry.item for entry in open_action_items(person) if not entry.mine]
    theirs_due = earliest(item.due_on for item in theirs)
    return [
        Item(
            "supervisor.one_on_ones",
            _("1:1s this week to record"),
            to_record,
            path_for("coaching.completion_view", supervisor=person.id, weeks=4),
            Urgency.TODAY,
            None,
            detail,
        ),
        Item(
            "supervisor.actions",
            _("Action items others owe in your 1:1s"),
            len(theirs),
            path_for("coaching.action_list"),
            urgency_of(theirs_due, today),
            theirs_due,
        ),
    ]


def _reviews(person: Person, today: date) -> list[Item]:
    written = review_service.reviews_i_write(person)
    to_write = [r for r in written if r.state == ReviewState.MANAGER_REVIEW]
    # Calibration closed for them (goals.sharing.to_share): the employee is waiting.
    to_share = sharing.to_share(person)
    dues = phase_dues({r.cycle_id for r in to_write + to_share})  # one statement for both
    due = earliest(dues.get((r.cycle_id, PhaseKind.MANAGER_ASSESSMENT)) for r in to_write)
    share_due = earliest(dues.get((r.cycle_id, PhaseKind.SIGN_OFF)) for r in to_share)
    return [
        Item(
            "supervisor.reviews",
            _("Reviews to write"),
            len(to_write),
            path_for("goals.review_list"),
            urgency_of(due, today),
            due,
        ),
        Item(
            "supervisor.reviews_to_share",
            _("Reviews to share (calibration closed)"),
            len(to_share),
            path_for("goals.review_detail", review_id=to_share[0].id)
            if len(to_share) == 1
            else path_for("goals.review_list"),
            urgency_of(share_due, today),
            share_due,
        ),
    ]


def _calibration(person: Person, today: date) -> list[Item]:
    if not policy.can(person, "calibration.list"):
        return []
    sessions = [
        s
        for s in calibration_service.sessions_for(person)
        if s.is_open
        and (s.lead_id == person.id or any(p.evaluator_id == person.id for p in s.participants))
    ]
    scored = dict(
        db.session.execute(
            select(CalibrationScore.session_id, func.count(CalibrationScore.contact_id.distinct()))
            .where(
                CalibrationScore.evaluator_id == person.id,
                CalibrationScore.session_id.in_([s.id for s in sessions]),
            )
            .group_by(CalibrationScore.session_id)
        ).all()
        if sessions
        else []
    )
    to_score = [s for s in sessions if scored.get(s.id, 0) < len(s.contacts)]
    return [
        Item(
            "supervisor.calibration",
            _("Calibration sessions to score"),
            len(to_score),
            path_for("qaprog.calibration_list"),
            Urgency.THIS_WEEK,
        )
    ]


def section(person: Person, today: date) -> Section | None:
    if not policy.has_reports(person):
        return None
    items = [
        *_qa(person, today),
        *_one_on_ones(person, today),
        *_reviews(person, today),
        *_calibration(person, today),
    ]
    return Section("supervisor", _("My team"), items)
