"""Sampling rules and runs: define a rule, run it for a week, queue the picks for evaluators.

A run reads the not-yet-reviewed contacts (no evaluation, not already queued) of the agents at or
below the rule's node that the person running it may see, draws with `sampling.draw`, assigns
evaluators and stores the seed and the rule as it was, so the sample can be explained and
reproduced. One run per rule and week (a unique constraint: a double submit makes one run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from portal import audit, policy
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify import service as notify_service
from portal.org.models import Grant, Person, StaffRole
from portal.policy import Area
from portal.qa import sampling
from portal.qa.evaluation_models import Evaluation, contact_reviewed
from portal.qa.models import Contact
from portal.qa.programme_models import AssignTo, SamplingAssignment, SamplingRule, SamplingRun

notify_service.register_kind(
    "sampling.assigned",
    _l("%(actor)s's weekly sample put %(count)s contacts in your queue"),
    label=_l("Sampled contacts were put in my queue"),
)


@dataclass(frozen=True)
class RuleFields:
    name: str
    root_person_id: int
    per_agent: int
    stratify: str
    channel_minimums: dict[str, int]
    market_id: int | None
    segment_id: int | None
    direction: str | None
    min_duration_seconds: int | None
    assign_to: str
    due_days: int


def _in_reach(viewer: Person):  # noqa: ANN202
    """The rules' condition of every rule page: the rule's team is in the viewer's QA scope."""
    return SamplingRule.root_person_id.in_(policy.visible_person_ids(viewer, Area.QA))


def visible_rule_ids(viewer: Person, ids: Sequence[int]) -> list[int]:
    """The ids among those asked whose page the viewer may open (get_rule's check), one query."""
    if not policy.can(viewer, "sampling.manage"):
        return []
    stmt = select(SamplingRule.id).where(SamplingRule.id.in_(ids), _in_reach(viewer))
    return list(db.session.execute(stmt).scalars())


def rules_for(viewer: Person) -> list[SamplingRule]:
    """Rules over an org node the viewer may see (in Area.QA), by name."""
    policy.require(viewer, "sampling.manage")
    stmt = (
        select(SamplingRule)
        .where(_in_reach(viewer))
        .options(joinedload(SamplingRule.root_person))
        .order_by(SamplingRule.name, SamplingRule.id)
    )
    return list(db.session.execute(stmt).scalars())


def get_rule(viewer: Person, rule_id: int) -> SamplingRule:
    policy.require(viewer, "sampling.manage")
    rule = db.session.execute(
        select(SamplingRule).where(SamplingRule.id == rule_id, _in_reach(viewer))
    ).scalar_one_or_none()
    if rule is None:
        raise NotFound()
    return rule


def create_rule(by: Person, fields: RuleFields) -> SamplingRule:
    policy.require(by, "sampling.manage")
    _check_root(by, fields.root_person_id)
    rule = SamplingRule(created_by_id=by.id, **fields.__dict__)
    db.session.add(rule)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"name": [_("A sampling rule with this name exists.")]}
        ) from None
    audit.record(by, "sampling_rule.create", "sampling_rule", rule.id, None, rule.snapshot())
    db.session.commit()
    return rule


def _check_root(by: Person, root_person_id: int) -> None:
    visible = db.session.execute(
        policy.scoped(select(Person.id).where(Person.id == root_person_id), Person, by, Area.QA)
    ).first()
    if visible is None:
        raise ValidationFailed(field_errors={"root": [_("Choose a team you can see.")]})


def _stale(rule: SamplingRule, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != rule.version:
        raise Conflict(
            _(
                "Someone else changed this rule while you were editing it. It is shown as it "
                "is now; what you typed is kept."
            )
        )


def update_rule(
    by: Person, rule: SamplingRule, fields: RuleFields, *, expected_version: int | None
) -> SamplingRule:
    """Change a rule. Runs made before keep the rule as it was (each run stores a snapshot)."""
    policy.require(by, "sampling.manage")
    _stale(rule, expected_version)
    _check_root(by, fields.root_person_id)
    before = rule.snapshot()
    for name, value in fields.__dict__.items():
        setattr(rule, name, value)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"name": [_("A sampling rule with this name exists.")]}
        ) from None
    except Conflict:  # a stale version (db.ConflictSession has rolled back)
        _stale(rule, -1)
    audit.record(by, "sampling_rule.edit", "sampling_rule", rule.id, before, rule.snapshot())
    db.session.commit()
    return rule


def set_active(
    by: Person, rule: SamplingRule, active: bool, *, expected_version: int | None
) -> SamplingRule:
    """Pause a rule (it cannot be run; its runs and picks stay) or resume it."""
    policy.require(by, "sampling.manage")
    _stale(rule, expected_version)
    if rule.is_active == active:
        return rule
    before = rule.snapshot()
    rule.is_active = active
    action = "sampling_rule.activate" if active else "sampling_rule.deactivate"
    audit.record(by, action, "sampling_rule", rule.id, before, rule.snapshot())
    db.session.commit()
    return rule


def week_bounds(week_start: date, time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone or "UTC")
    start = datetime.combine(week_start, time(0), zone).astimezone(UTC)
    end = datetime.combine(week_start + timedelta(days=7), time(0), zone).astimezone(UTC)
    return start, end


def _agents(rule: SamplingRule, by: Person) -> list[Person]:
    """Active people with no reports and no staff grant at or below the rule's node, visible to
    the person running it, in the rule's market and segment when it names them."""
    report = aliased(Person)
    root_path = select(Person.path).where(Person.id == rule.root_person_id).scalar_subquery()
    stmt = select(Person).where(
        Person.path.startswith(root_path),
        Person.is_active.is_(True),
        ~exists(select(report.id).where(report.manager_id == Person.id)),
        ~exists(select(Grant.id).where(Grant.person_id == Person.id)),
    )
    if rule.market_id:
        stmt = stmt.where(Person.market_id == rule.market_id)
    if rule.segment_id:
        stmt = stmt.where(Person.segment_id == rule.segment_id)
    stmt = policy.scoped(stmt, Person, by, Area.QA).order_by(Person.id)
    return list(db.session.execute(stmt).unique().scalars())


def candidates(rule: SamplingRule, agent_ids: list[int], start: datetime, end: datetime) -> list:
    """Contacts of the week not yet reviewed (no evaluation) and not already queued."""
    stmt = select(Contact.id, Contact.person_id, Contact.channel).where(
        Contact.person_id.in_(agent_ids),
        Contact.occurred_at >= start,
        Contact.occurred_at < end,
        ~contact_reviewed(),
        ~exists(select(SamplingAssignment.id).where(SamplingAssignment.contact_id == Contact.id)),
    )
    if rule.market_id:
        stmt = stmt.where(Contact.market_id == rule.market_id)
    if rule.segment_id:
        stmt = stmt.where(Contact.segment_id == rule.segment_id)
    if rule.direction:
        stmt = stmt.where(Contact.direction == rule.direction)
    if rule.min_duration_seconds:
        stmt = stmt.where(Contact.duration_seconds >= rule.min_duration_seconds)
    return [sampling.Candidate(*row) for row in db.session.execute(stmt.order_by(Contact.id))]


def _qa_pools(agents: list[Person]) -> dict[int, list[int]]:
    grants = db.session.execute(
        select(Grant.person_id, Grant.team_id, Grant.market_id)
        .join(Person, Person.id == Grant.person_id)
        .where(Grant.role == StaffRole.QA_ANALYST.value, Person.is_active.is_(True))
    ).all()
    pools: dict[int, list[int]] = {}
    for agent in agents:
        pools[agent.id] = [
            person_id
            for person_id, team_id, market_id in grants
            if (team_id and team_id == agent.team_id)
            or (market_id and market_id == agent.market_id)
        ]
    return pools


def run_rule(
    by: Person, rule: SamplingRule, *, week_on: date, seed: int | None, today: date
) -> SamplingRun:
    """Sample the week holding `week_on`; Conflict when this rule already sampled that week."""
    policy.require(by, "sampling.manage")
    week_start = week_on - timedelta(days=week_on.weekday())
    existing = db.session.execute(
        select(SamplingRun.id).where(
            SamplingRun.rule_id == rule.id, SamplingRun.week_start_on == week_start
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict(_("This rule has already sampled that week."))
    if not rule.is_active:
        raise Conflict(_("This rule is paused: resume it to run it."))
    if seed is None:
        seed = sampling.default_seed(rule.id, week_start.isoformat())
    time_zone = by.time_zone or "UTC"
    start, end = week_bounds(week_start, time_zone)
    agents = _agents(rule, by)
    pool = candidates(rule, [a.id for a in agents], start, end)
    minimums = rule.channel_minimums if rule.stratify == "minimum" else {}
    sample = sampling.draw(pool, rule.per_agent, seed, minimums)
    seen = {c.agent_id for c in pool}
    short = [
        {"person_id": s.agent_id, "wanted": s.wanted, "available": s.available}
        for s in sample.short
    ] + [
        {"person_id": a.id, "wanted": rule.per_agent, "available": 0}
        for a in agents
        if a.id not in seen
    ]
    if rule.assign_to == AssignTo.QA_ROUND_ROBIN:
        evaluators = sampling.round_robin(sample.picks, _qa_pools(agents))
    else:
        managers = {a.id: a.manager_id for a in agents}
        evaluators = {p.contact_id: managers.get(p.agent_id) for p in sample.picks}
    run = SamplingRun(
        rule_id=rule.id,
        week_start_on=week_start,
        seed=seed,
        run_by_id=by.id,
        rule_snapshot={**rule.snapshot(), "time_zone": time_zone},
        short_agents=sorted(short, key=lambda s: s["person_id"]),
        agent_count=len(agents),
        picked_count=len(sample.picks),
    )
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("This rule has already sampled that week.")) from None
    due_on = today + timedelta(days=rule.due_days)
    for pick in sample.picks:
        db.session.add(
            SamplingAssignment(
                run_id=run.id,
                contact_id=pick.contact_id,
                person_id=pick.agent_id,
                evaluator_id=evaluators.get(pick.contact_id),
                due_on=due_on,
                channel=pick.channel,
                reason=pick.reason,
            )
        )
    per_evaluator: dict[int, int] = {}
    for evaluator_id in evaluators.values():
        if evaluator_id is not None:
            per_evaluator[evaluator_id] = per_evaluator.get(evaluator_id, 0) + 1
    for evaluator_id, count in sorted(per_evaluator.items()):
        notify_service.notify(
            evaluator_id,
            by,
            "sampling.assigned",
            "sampling_run",
            run.id,
            "/qa/programme/queue",
            count=str(count),
        )
    audit.record(
        by,
        "sampling_run.create",
        "sampling_run",
        run.id,
        None,
        {
            "rule_id": rule.id,
            "week": week_start.isoformat(),
            "seed": seed,
            "picked": len(sample.picks),
        },
    )
    db.session.commit()
    return run


def runs_for(rule: SamplingRule, limit: int = 20) -> list[SamplingRun]:
    stmt = (
        select(SamplingRun)
        .where(SamplingRun.rule_id == rule.id)
        .order_by(SamplingRun.week_start_on.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())


def get_run(viewer: Person, rule_id: int, run_id: int) -> SamplingRun:
    rule = get_rule(viewer, rule_id)
    run = db.session.get(SamplingRun, run_id)
    if run is None or run.rule_id != rule.id:
        raise NotFound()
    return run


def run_assignments(viewer: Person, run: SamplingRun) -> list[SamplingAssignment]:
    """The run's picks about agents the viewer may see, with contact, agent and evaluator."""
    stmt = (
        policy.scoped(
            select(SamplingAssignment).where(SamplingAssignment.run_id == run.id),
            SamplingAssignment,
            viewer,
            Area.QA,
        )
        .options(
            joinedload(SamplingAssignment.contact),
            joinedload(SamplingAssignment.agent),
            joinedload(SamplingAssignment.evaluator),
        )
        .order_by(SamplingAssignment.person_id, SamplingAssignment.channel, SamplingAssignment.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


def people_by_id(viewer: Person, ids: list[int]) -> dict[int, Person]:
    """The people among `ids` the viewer may see (in Area.QA)."""
    if not ids:
        return {}
    stmt = policy.scoped(select(Person).where(Person.id.in_(ids)), Person, viewer, Area.QA)
    rows = db.session.execute(stmt).unique().scalars()
    return {p.id: p for p in rows}


def assigned_contacts(evaluator: Person) -> list[SamplingAssignment]:
    """The evaluator's queue: assigned contacts not yet evaluated, soonest due first.

    For the evaluate queue (qa blueprint): each item has `.contact`, `.agent`, `.due_on` and
    `.reason`; an item leaves the queue once an evaluation of its contact exists.
    """
    stmt = (
        select(SamplingAssignment)
        .where(*_queue_conditions(evaluator))
        .options(joinedload(SamplingAssignment.contact), joinedload(SamplingAssignment.agent))
        .order_by(SamplingAssignment.due_on, SamplingAssignment.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


def _queue_conditions(evaluator: Person) -> list:
    """assigned_contacts' choice of rows: assigned to the evaluator, no evaluation yet."""
    return [
        SamplingAssignment.evaluator_id == evaluator.id,
        ~exists(
            select(Evaluation.id).where(Evaluation.contact_id == SamplingAssignment.contact_id)
        ),
    ]


def assigned_contacts_summary(evaluator: Person) -> tuple[int, date | None]:
    """How many contacts assigned_contacts lists, and the soonest due date (one statement)."""
    count, due = db.session.execute(
        select(func.count(), func.min(SamplingAssignment.due_on)).where(
            *_queue_conditions(evaluator)
        )
    ).one()
    return int(count), due
