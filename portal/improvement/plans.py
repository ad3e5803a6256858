"""Improvement plans: reading them through their scope (every read of a plan, its PDF and the
export is audited), opening and editing a draft with its expectations, starting it, the
employee's acknowledgment, check-ins, extension and the outcome. Each public function that
changes something checks the policy and the plan's state, audits, notifies and commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit, policy
from portal.db import create_once, fresh_token, usable_token, utcnow
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.goals import progress as maths
from portal.improvement import rules
from portal.improvement.models import (
    CheckInValue,
    EventKind,
    Expectation,
    ImprovementPlan,
    Outcome,
    PlanCheckIn,
    PlanEvent,
    PlanState,
)
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.params import split_cursor
from portal.web import path_for

RECORD = "improvement_plan"

register_kind(
    "improvement.started",
    _l("%(actor)s started an improvement plan with you: read it and acknowledge it"),
    label=_l("An improvement plan with me started"),
    urgent=True,
)
register_kind(
    "improvement.acknowledged",
    _l("%(person)s acknowledged their improvement plan"),
    label=_l("An improvement plan I run was acknowledged"),
)
register_kind(
    "improvement.extended",
    _l("%(actor)s extended your improvement plan until %(ends)s"),
    label=_l("My improvement plan was extended"),
    urgent=True,
)
register_kind(
    "improvement.closed",
    _l("%(actor)s closed your improvement plan and recorded its outcome"),
    label=_l("My improvement plan was closed"),
    urgent=True,
)


@dataclass(frozen=True)
class PlanFields:
    reason: str
    support: str
    starts_on: date | None
    length_days: int | None
    check_in_every_days: int | None


@dataclass(frozen=True)
class ExpectationFields:
    title: str
    metric: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str
    due_on: date | None


# ---- reading --------------------------------------------------------------------------------


def _plans(viewer: Person):
    return policy.scoped_improvement_plans(select(ImprovementPlan), ImprovementPlan, viewer)


def get_plan(viewer: Person, plan_id: int) -> ImprovementPlan:
    """A plan the viewer may see (404 otherwise: out of reach, missing, or the person's own
    draft)."""
    stmt = _plans(viewer).where(ImprovementPlan.id == plan_id)
    plan = db.session.execute(stmt).scalar_one_or_none()
    if plan is None:
        raise NotFound()
    return plan


def read_plan(viewer: Person, plan_id: int, *, action: str = "pip.view") -> ImprovementPlan:
    """get_plan, recorded in the audit log (who read which plan, as a page or a PDF)."""
    plan = get_plan(viewer, plan_id)
    audit.record(viewer, action, RECORD, plan.id, None, {"person_id": plan.person_id})
    db.session.commit()
    return plan


@dataclass(frozen=True)
class ExpectationView:
    expectation: Expectation
    figures: rules.ExpectationFigures


@dataclass(frozen=True)
class PlanView:
    plan: ImprovementPlan
    expectations: list[ExpectationView]
    standing: rules.Standing
    check_ins: list[PlanCheckIn]  # newest first
    events: list[PlanEvent]  # oldest first
    next_due: date | None  # the next check-in, while the plan is active

    @property
    def extended_days(self) -> int:
        return sum(e.days or 0 for e in self.events if e.kind == EventKind.EXTENDED)

    @property
    def expectation_by_id(self) -> dict[int, Expectation]:
        return {v.expectation.id: v.expectation for v in self.expectations}


def expectation_views(expectations: list[Expectation]) -> list[ExpectationView]:
    return [
        ExpectationView(
            e, rules.expectation_figures(e.direction, e.baseline, e.target, e.latest_value)
        )
        for e in expectations
    ]


def plan_view(plan: ImprovementPlan) -> PlanView:
    """Everything the plan page and its PDF show (a fixed number of queries)."""
    views = expectation_views(plan.expectations)
    check_ins = list(
        db.session.execute(
            select(PlanCheckIn)
            .where(PlanCheckIn.plan_id == plan.id)
            .options(selectinload(PlanCheckIn.values), selectinload(PlanCheckIn.by))
            .order_by(PlanCheckIn.held_on.desc(), PlanCheckIn.id.desc())
        ).scalars()
    )
    events = list(
        db.session.execute(
            select(PlanEvent)
            .where(PlanEvent.plan_id == plan.id)
            .options(selectinload(PlanEvent.by))
            .order_by(PlanEvent.at, PlanEvent.id)
        ).scalars()
    )
    next_due = None
    if plan.is_active:
        last = check_ins[0].held_on if check_ins else None
        next_due = rules.next_check_in_due(
            plan.starts_on, plan.check_in_every_days, last, plan.ends_on
        )
    return PlanView(
        plan=plan,
        expectations=views,
        standing=rules.standing([v.figures for v in views]),
        check_ins=check_ins,
        events=events,
        next_due=next_due,
    )


def my_plans(viewer: Person) -> list[ImprovementPlan]:
    """The viewer's own plans once started, newest first."""
    stmt = (
        select(ImprovementPlan)
        .where(ImprovementPlan.person_id == viewer.id, ImprovementPlan.state != PlanState.DRAFT)
        .options(selectinload(ImprovementPlan.expectations))
        .order_by(ImprovementPlan.starts_on.desc(), ImprovementPlan.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


@dataclass(frozen=True)
class TeamRow:
    plan: ImprovementPlan
    person: Person
    standing: rules.Standing


@dataclass(frozen=True)
class TeamPage:
    rows: list[TeamRow]
    next_cursor: str | None
    has_previous: bool


def team_plans(
    viewer: Person,
    *,
    state: str | None = None,
    person_id: int | None = None,
    after: str | None = None,
    limit: int = 25,
) -> TeamPage:
    """The plans of other people the viewer may see (everyone's for HR), by name then plan;
    keyset paged; filtered by state and person. Two statements whatever the number of rows."""
    stmt = (
        _plans(viewer)
        .add_columns(Person)
        .join(Person, Person.id == ImprovementPlan.person_id)
        .where(ImprovementPlan.person_id != viewer.id)
        .options(selectinload(ImprovementPlan.expectations))
    )
    if state in {s.value for s in PlanState}:
        stmt = stmt.where(ImprovementPlan.state == state)
    if person_id is not None:
        stmt = stmt.where(ImprovementPlan.person_id == person_id)
    cursor = split_cursor(after, ":", str, id_first=True)
    if cursor:
        name, last_id = cursor
        stmt = stmt.where(
            or_(Person.name > name, and_(Person.name == name, ImprovementPlan.id > last_id))
        )
    rows = db.session.execute(stmt.order_by(Person.name, ImprovementPlan.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    result = [
        TeamRow(
            plan, person, rules.standing([v.figures for v in expectation_views(plan.expectations)])
        )
        for plan, person in rows
    ]
    next_cursor = None
    if more and rows:
        last_plan, last_person = rows[-1]
        next_cursor = f"{last_plan.id}:{last_person.name}"
    return TeamPage(result, next_cursor, cursor is not None)


def people_with_plans(viewer: Person) -> list[Person]:
    """The other people whose plans the viewer sees (the list's person filter), by name."""
    ids = _plans(viewer).with_only_columns(ImprovementPlan.person_id)
    stmt = (
        select(Person)
        .where(Person.id.in_(ids), Person.id != viewer.id)
        .order_by(Person.name, Person.id)
    )
    return list(db.session.execute(stmt).scalars())


def people_for_new_plan(viewer: Person) -> list[Person]:
    """The active people the viewer may open a plan for: everyone below them (everyone but
    themselves for HR), by name."""
    stmt = policy.line_or_hr_people(viewer).order_by(Person.name, Person.id)
    return list(db.session.execute(stmt).scalars())


def export_rows(viewer: Person) -> list[tuple[ImprovementPlan, Person]]:
    """Every plan the viewer may see, for the CSV export (audited as "pip.export")."""
    stmt = (
        _plans(viewer)
        .add_columns(Person)
        .join(Person, Person.id == ImprovementPlan.person_id)
        .options(selectinload(ImprovementPlan.expectations))
        .order_by(Person.name, ImprovementPlan.id)
    )
    rows = [(plan, person) for plan, person in db.session.execute(stmt).all()]
    audit.record(viewer, "pip.export", RECORD, None, None, {"plans": len(rows)})
    db.session.commit()
    return rows


def person_for_new_plan(viewer: Person, person_id: int) -> Person:
    """The person a new plan is for: one the viewer sees in Area.IMPROVEMENT (404 otherwise);
    Forbidden when the viewer may not open a plan for them (themselves)."""
    person = policy.get_visible_or_404(Person, person_id, viewer, policy.Area.IMPROVEMENT)
    policy.require(viewer, "improvement.open", person)
    return person


# ---- opening and editing a draft -------------------------------------------------------------


def _plan_errors(fields: PlanFields) -> dict[str, list[str]]:
    codes = rules.plan_errors(
        starts_on=fields.starts_on,
        length_days=fields.length_days,
        every_days=fields.check_in_every_days,
        reason=fields.reason,
    )
    messages = {
        "reason": _("Say why the plan is needed."),
        "starts_on": _("Choose the day the plan starts."),
        "length_days": _("A plan runs 30, 60 or 90 days."),
        "check_in_every_days": _("Check in every 1 to 31 days."),
    }
    return {field: [messages[field]] for field in codes}


def _apply(plan: ImprovementPlan, fields: PlanFields) -> None:
    assert fields.starts_on is not None and fields.length_days is not None
    plan.reason = fields.reason.strip()
    plan.support = fields.support.strip()
    plan.starts_on = fields.starts_on
    plan.length_days = fields.length_days
    plan.check_in_every_days = fields.check_in_every_days or rules.CHECK_IN_EVERY_DEFAULT
    plan.ends_on = rules.end_date(fields.starts_on, fields.length_days)


def _event(plan: ImprovementPlan, by: Person | None, kind: EventKind, **values) -> None:
    db.session.add(
        PlanEvent(
            plan_id=plan.id,
            person_id=plan.person_id,
            by_id=by.id if by else None,
            kind=kind,
            at=utcnow(),
            **values,
        )
    )


def create_plan(
    person: Person, by: Person, fields: PlanFields, *, token: str | None
) -> ImprovementPlan:
    """A draft plan for `person`, opened by their manager line or HR. The form's token makes a
    double submit open one plan (the second gets the first)."""
    policy.require(by, "improvement.open", person)
    errors = _plan_errors(fields)
    if errors:
        raise ValidationFailed(field_errors=errors)

    def make() -> ImprovementPlan:
        plan = ImprovementPlan(person_id=person.id, opened_by_id=by.id, token=usable_token(token))
        _apply(plan, fields)
        return plan

    plan, created = create_once(ImprovementPlan, make, token=usable_token(token))
    if not created:
        if plan.opened_by_id != by.id:
            raise Conflict()
        return plan
    _event(plan, by, EventKind.OPENED)
    audit.record(by, "pip.create", RECORD, plan.id, None, plan.snapshot())
    db.session.commit()
    return plan


def _ensure_draft(plan: ImprovementPlan) -> None:
    if not plan.is_draft:
        raise InvalidTransition(_("Only a draft plan can be changed; this one has started."))


def _check_version(plan: ImprovementPlan, expected_version: int) -> None:
    if plan.version != expected_version:
        raise Conflict()


def edit_plan(
    plan: ImprovementPlan, by: Person, fields: PlanFields, *, expected_version: int
) -> None:
    policy.require(by, "improvement.edit", plan)
    _ensure_draft(plan)
    _check_version(plan, expected_version)
    errors = _plan_errors(fields)
    if errors:
        raise ValidationFailed(field_errors=errors)
    before = plan.snapshot()
    _apply(plan, fields)
    _event(plan, by, EventKind.EDITED)
    audit.record(by, "pip.edit", RECORD, plan.id, before, plan.snapshot())
    _commit(plan)


def _expectation_errors(plan: ImprovementPlan, fields: ExpectationFields) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        maths.validate_goal(fields.direction, fields.baseline, fields.target)
    except maths.GoalRefused as refused:
        if refused.field == "direction":
            errors["direction"] = [_("Choose higher or lower is better.")]
        elif fields.direction == maths.Direction.HIGHER:
            errors["target"] = [_("Higher is better: the target must be at or above the baseline.")]
        else:
            errors["target"] = [_("Lower is better: the target must be at or below the baseline.")]
    if not fields.title.strip():
        errors["title"] = [_("Name the expectation.")]
    elif any(e.title.lower() == fields.title.strip().lower() for e in plan.expectations):
        errors["title"] = [_("This plan already has an expectation with this title.")]
    if fields.due_on is not None and not plan.starts_on <= fields.due_on <= plan.ends_on:
        errors["due_on"] = [_("The due date must fall inside the plan's period.")]
    return errors


def add_expectation(
    plan: ImprovementPlan, by: Person, fields: ExpectationFields, *, expected_version: int
) -> Expectation:
    """A measurable expectation on a draft plan."""
    policy.require(by, "improvement.edit", plan)
    _ensure_draft(plan)
    _check_version(plan, expected_version)
    errors = _expectation_errors(plan, fields)
    if errors:
        raise ValidationFailed(field_errors=errors)
    expectation = Expectation(
        plan_id=plan.id,
        person_id=plan.person_id,
        title=fields.title.strip(),
        metric=fields.metric.strip(),
        unit=fields.unit.strip(),
        baseline=fields.baseline,
        target=fields.target,
        direction=fields.direction,
        due_on=fields.due_on,
    )
    plan.expectations.append(expectation)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form sent twice: the unique title refuses it
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"title": [_("This plan already has an expectation with this title.")]}
        ) from error
    audit.record(
        by, "pip.expectation_add", RECORD, plan.id, None, {"expectation": expectation.snapshot()}
    )
    _commit(plan)  # the plan's version moves: a page opened before shows the change
    return expectation


def remove_expectation(
    plan: ImprovementPlan, by: Person, expectation_id: int, *, expected_version: int
) -> None:
    policy.require(by, "improvement.edit", plan)
    _ensure_draft(plan)
    _check_version(plan, expected_version)
    expectation = next((e for e in plan.expectations if e.id == expectation_id), None)
    if expectation is None:
        raise NotFound()
    before = {"expectation": expectation.snapshot()}
    plan.expectations.remove(expectation)
    audit.record(by, "pip.expectation_remove", RECORD, plan.id, before, None)
    _commit(plan)


def _commit(plan: ImprovementPlan) -> None:
    plan.updated_at = utcnow()  # moves the version: concurrent edits of the plan are told
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


# ---- lifecycle --------------------------------------------------------------------------------


def start_plan(plan: ImprovementPlan, by: Person, *, expected_version: int) -> None:
    """Draft -> active: the employee is told and asked to acknowledge."""
    policy.require(by, "improvement.edit", plan)
    _check_version(plan, expected_version)
    target = rules.next_state(plan.state, "start")
    if not plan.expectations:
        raise ValidationFailed(_("Add at least one measurable expectation before starting."))
    before = plan.snapshot()
    plan.state = target
    plan.started_at = utcnow()
    _event(plan, by, EventKind.STARTED, ends_on=plan.ends_on)
    audit.record(by, "pip.start", RECORD, plan.id, before, plan.snapshot())
    tell(plan.person_id, by, plan, "improvement.started")
    _commit(plan)


def line_recipients(plan: ImprovementPlan) -> list[int]:
    """Who in the manager line hears from the employee: their manager now, and whoever
    opened the plan while they still run it."""
    person = plan.person
    found: list[int] = []
    if person.manager_id is not None:
        found.append(person.manager_id)
    opener = plan.opened_by
    if opener.id not in found and policy.can(opener, "improvement.edit", plan):
        found.append(opener.id)
    return found


def acknowledge_plan(
    plan: ImprovementPlan, by: Person, *, comment: str, expected_version: int
) -> None:
    """The employee says they have read the plan (not that they agree), with an optional
    comment; their manager line is told."""
    policy.require(by, "improvement.acknowledge", plan)
    _check_version(plan, expected_version)
    if not rules.can_acknowledge(plan.state, plan.acknowledged_at is not None):
        raise InvalidTransition(_("This plan is not waiting for your acknowledgment."))
    before = plan.snapshot()
    plan.acknowledged_at = utcnow()
    plan.acknowledgement_comment = comment.strip()
    _event(plan, by, EventKind.ACKNOWLEDGED, note=plan.acknowledgement_comment)
    audit.record(by, "pip.acknowledge", RECORD, plan.id, before, plan.snapshot())
    for recipient in line_recipients(plan):
        tell(recipient, by, plan, "improvement.acknowledged")
    _commit(plan)


def add_check_in(
    plan: ImprovementPlan,
    by: Person,
    *,
    held_on: date,
    note: str,
    values: Mapping[int, Decimal],
    token: str | None,
    today: date,
) -> PlanCheckIn | None:
    """A check-in held on an active plan: a note and a value per expectation measured. The
    form's token makes a double submit record it once (the second answers None)."""
    policy.require(by, "improvement.check_in", plan)
    if not plan.is_active:
        raise InvalidTransition(_("Check-ins are recorded while the plan is active."))
    errors: dict[str, list[str]] = {}
    problem = rules.check_in_date_error(held_on, plan.starts_on, today)
    if problem == "before_start":
        errors["held_on"] = [_("The check-in cannot be before the plan starts.")]
    elif problem == "future":
        errors["held_on"] = [_("The check-in cannot be in the future.")]
    if not note.strip():
        errors["note"] = [_("Write what was discussed.")]
    known = {e.id: e for e in plan.expectations}
    if any(eid not in known for eid in values):
        raise NotFound()
    if errors:
        raise ValidationFailed(field_errors=errors)
    key = usable_token(token) or fresh_token()

    def make() -> PlanCheckIn:
        check_in = PlanCheckIn(
            plan_id=plan.id,
            person_id=plan.person_id,
            by_id=by.id,
            held_on=held_on,
            note=note.strip(),
            token=key,
            created_at=utcnow(),
        )
        check_in.values = [CheckInValue(expectation_id=eid, value=v) for eid, v in values.items()]
        return check_in

    check_in, created = create_once(PlanCheckIn, make, token=key, by_id=by.id)
    if not created:
        return None
    for eid, value in values.items():
        expectation = known[eid]
        expectation.latest_on, expectation.latest_value = rules.latest_after(
            expectation.latest_on, expectation.latest_value, held_on, value
        )
    _event(plan, by, EventKind.CHECKED_IN, note=check_in.note)
    audit.record(
        by,
        "pip.check_in",
        RECORD,
        plan.id,
        None,
        {
            "check_in_id": check_in.id,
            "held_on": held_on.isoformat(),
            "values": {str(k): str(v) for k, v in values.items()},
        },
    )
    db.session.commit()
    return check_in


def extend_plan(
    plan: ImprovementPlan, by: Person, *, days: int | None, reason: str, expected_version: int
) -> None:
    """The outcome "extended": the plan stays active and ends `days` (30, 60, 90) later; the
    extension and its reason are kept in the plan's history; the employee is told."""
    policy.require(by, "improvement.extend", plan)
    _check_version(plan, expected_version)
    target = rules.next_state(plan.state, "extend")
    errors: dict[str, list[str]] = {}
    if days not in rules.LENGTHS:
        errors["extend_days"] = [_("Extend by 30, 60 or 90 days.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the plan is extended.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    assert days is not None
    before = plan.snapshot()
    plan.state = target
    earlier = db.session.scalars(
        select(PlanEvent.days).where(
            PlanEvent.plan_id == plan.id, PlanEvent.kind == EventKind.EXTENDED
        )
    ).all()
    plan.ends_on = rules.end_date(
        plan.starts_on, plan.length_days, [d for d in earlier if d] + [days]
    )
    _event(
        plan,
        by,
        EventKind.EXTENDED,
        note=reason.strip(),
        days=days,
        ends_on=plan.ends_on,
        outcome=Outcome.EXTENDED,
    )
    audit.record(
        by, "pip.extend", RECORD, plan.id, before, {**plan.snapshot(), "reason": reason.strip()}
    )
    tell(plan.person_id, by, plan, "improvement.extended", ends=plan.ends_on.isoformat())
    _commit(plan)


def close_plan(
    plan: ImprovementPlan, by: Person, *, outcome: str, reason: str, expected_version: int
) -> None:
    """Close an active plan with its outcome (met or not met) and the reason; the employee is
    told."""
    policy.require(by, "improvement.close", plan)
    _check_version(plan, expected_version)
    target = rules.next_state(plan.state, "close")
    errors: dict[str, list[str]] = {}
    if outcome not in {o.value for o in rules.CLOSING_OUTCOMES}:
        errors["outcome"] = [_("Choose met, not met or extended.")]
    if not reason.strip():
        errors["reason"] = [_("Say why, in a few words.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    before = plan.snapshot()
    plan.state = target
    plan.outcome = outcome
    plan.outcome_reason = reason.strip()
    plan.closed_at = utcnow()
    _event(plan, by, EventKind.CLOSED, note=plan.outcome_reason, outcome=outcome)
    audit.record(by, "pip.close", RECORD, plan.id, before, plan.snapshot())
    tell(plan.person_id, by, plan, "improvement.closed")
    _commit(plan)


def record_outcome(
    plan: ImprovementPlan,
    by: Person,
    *,
    outcome: str,
    reason: str,
    extend_days: int | None,
    expected_version: int,
) -> None:
    """The outcome form: "extended" extends the plan, "met" and "not met" close it."""
    if outcome == Outcome.EXTENDED:
        extend_plan(plan, by, days=extend_days, reason=reason, expected_version=expected_version)
    else:
        close_plan(plan, by, outcome=outcome, reason=reason, expected_version=expected_version)


def tell(
    recipient_id: int | None, by: Person | None, plan: ImprovementPlan, kind: str, **params
) -> None:
    """Notify one person about the plan, linking to its page. The message names no detail of
    the plan: it reaches e-mail, and the page itself is where the plan is read (and audited)."""
    if recipient_id is None:
        return
    notify(
        recipient_id,
        by,
        kind,
        RECORD,
        plan.id,
        path_for("improvement.plan_detail", plan_id=plan.id),
        person=plan.person.display_name,
        **params,
    )


from portal.improvement import reminders, talking_points  # noqa: E402, F401  (registers them)
