"""Who may see and do what. The one place visibility is decided.

Visibility rules (DESIGN.md, "Who uses it"):
- everyone sees their own records;
- a supervisor or manager sees everything about everyone in their reporting subtree;
- a QA analyst sees, in the teams/markets granted, the directory and QA records;
- a trainer sees, in the teams/markets granted, the directory and training records;
- an HR admin sees everyone's records;
- private records (1:1 private notes, drafts) have author-only scopes of their own.

Every list, count, chart, export and API answer starts from `scoped(...)`; a single record is
loaded with `get_visible_or_404(...)`, so "not yours" and "does not exist" look the same.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import has_request_context, request
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from portal.errors import Forbidden, NotFound
from portal.extensions import db
from portal.org.models import Grant, Person, StaffRole


class Area(enum.StrEnum):
    """The kinds of record a grant can reach."""

    DIRECTORY = "directory"
    QA = "qa"
    TRAINING = "training"
    COACHING = "coaching"
    GOALS = "goals"
    REVIEWS = "reviews"
    KPIS = "kpis"
    # Kudos: the recipient's reporting line and HR (no staff grant opens it).
    RECOGNITION = "recognition"
    # Improvement plans and corrective actions: the person, their manager line and HR only
    # (no staff grant opens it: never peers, QA analysts or trainers).
    IMPROVEMENT = "improvement"


# Which areas a scoped staff grant opens, beyond one's own subtree.
GRANT_AREAS: dict[StaffRole, frozenset[Area]] = {
    StaffRole.QA_ANALYST: frozenset({Area.DIRECTORY, Area.QA}),
    StaffRole.TRAINER: frozenset({Area.DIRECTORY, Area.TRAINING}),
}


class HasPerson(Protocol):
    id: Any
    person_id: Any


def _request_cache() -> dict:
    """A dict that lives as long as the current request (no caching outside a request)."""
    if has_request_context():
        req = request._get_current_object()  # type: ignore[attr-defined]
        cache = req.__dict__.get("_policy_cache")
        if cache is None:
            cache = req.__dict__["_policy_cache"] = {}
        return cache
    return {}


def staff_roles(viewer: Person) -> frozenset[StaffRole]:
    """The viewer's staff roles, loaded once per request."""
    cache = _request_cache()
    key = ("roles", viewer.id)
    if key not in cache:
        rows = db.session.execute(select(Grant.role).where(Grant.person_id == viewer.id)).scalars()
        cache[key] = frozenset(StaffRole(r) for r in rows)
    return cache[key]


def has_reports(viewer: Person) -> bool:
    """True when someone reports to the viewer directly; loaded once per request."""
    cache = _request_cache()
    key = ("reports", viewer.id)
    if key not in cache:
        first = db.session.execute(
            select(Person.id).where(Person.manager_id == viewer.id).limit(1)
        ).first()
        cache[key] = first is not None
    return cache[key]


def is_hr(viewer: Person) -> bool:
    return StaffRole.HR_ADMIN in staff_roles(viewer)


def subtree_condition(root_path: str) -> Any:
    """Everyone at or below the person whose materialised path is root_path."""
    return Person.path.startswith(root_path, autoescape=True)


def visible_person_ids(viewer: Person, area: Area = Area.DIRECTORY) -> Select:
    """The ids of people whose `area` records the viewer may see, as one SQL statement."""
    if viewer is None or not getattr(viewer, "id", None):
        return select(Person.id).where(false())
    if is_hr(viewer):
        return select(Person.id)
    conditions = [subtree_condition(viewer.path)]
    roles = [role for role, areas in GRANT_AREAS.items() if area in areas]
    if roles and staff_roles(viewer) & set(roles):
        granted = select(Grant.team_id, Grant.market_id).where(
            Grant.person_id == viewer.id, Grant.role.in_([r.value for r in roles])
        )
        teams = granted.with_only_columns(Grant.team_id).where(Grant.team_id.is_not(None))
        markets = granted.with_only_columns(Grant.market_id).where(Grant.market_id.is_not(None))
        conditions.append(Person.team_id.in_(teams))
        conditions.append(Person.market_id.in_(markets))
    return select(Person.id).where(or_(*conditions))


def sees_only_own_subtree(viewer: Person, area: Area) -> bool:
    """True when visible_person_ids(viewer, area) is exactly the viewer's subtree: not HR, and
    no staff grant of theirs reaches `area` (a grant adds teams or markets beyond it)."""
    if viewer is None or not getattr(viewer, "id", None) or is_hr(viewer):
        return False
    roles = {role for role, areas in GRANT_AREAS.items() if area in areas}
    return not (roles and staff_roles(viewer) & roles)


def sees_whole_subtree(viewer: Person, node: Person) -> bool:
    """True when visible_person_ids(viewer, area) holds everyone at or below `node`, whatever
    the area: the node is the viewer or below them, or the viewer is HR. A read of the node's
    subtree then needs no visibility condition (and a roll-up of the subtree is exact)."""
    if viewer is None or not getattr(viewer, "id", None):
        return False
    return node.path.startswith(viewer.path) or is_hr(viewer)


def evaluable_person_ids(viewer: Person) -> Select:
    """The people whose contacts the viewer may score: everyone below them in the tree, and
    the people of the teams and markets their QA-analyst grants name. Never themselves; HR
    reads every evaluation but scores only where one of these applies."""
    if viewer is None or not getattr(viewer, "id", None):
        return select(Person.id).where(false())
    conditions = [subtree_condition(viewer.path)]
    if StaffRole.QA_ANALYST in staff_roles(viewer):
        granted = select(Grant.team_id, Grant.market_id).where(
            Grant.person_id == viewer.id, Grant.role == StaffRole.QA_ANALYST.value
        )
        teams = granted.with_only_columns(Grant.team_id).where(Grant.team_id.is_not(None))
        markets = granted.with_only_columns(Grant.market_id).where(Grant.market_id.is_not(None))
        conditions += [Person.team_id.in_(teams), Person.market_id.in_(markets)]
    return select(Person.id).where(or_(*conditions), Person.id != viewer.id)


def may_evaluate(viewer: Person, person_id: int) -> bool:
    """May the viewer score (or re-score) contacts of this person? Cached per request."""
    cache = _request_cache()
    key = ("evaluate", viewer.id, person_id)
    if key not in cache:
        stmt = evaluable_person_ids(viewer).where(Person.id == person_id).limit(1)
        cache[key] = db.session.execute(stmt).first() is not None
    return cache[key]


def scoped_evaluations(stmt: Select, model: type, viewer: Person) -> Select:
    """Evaluations the viewer may read: those of people visible in the QA area, except that a
    draft is its evaluator's alone (the agent sees an evaluation once submitted; colleagues,
    managers and HR never see someone else's unsubmitted answers)."""
    stmt = scoped(stmt, model, viewer, Area.QA)
    return stmt.where(or_(model.status != "draft", model.evaluator_id == viewer.id))


def _person_column(model: type) -> InstrumentedAttribute:
    return model.id if model is Person else model.person_id


def scoped(stmt: Select, model: type, viewer: Person, area: Area = Area.DIRECTORY) -> Select:
    """Restrict a SELECT over `model` to the records of people visible to the viewer."""
    return stmt.where(_person_column(model).in_(visible_person_ids(viewer, area)))


M = TypeVar("M")


def get_visible_or_404(
    model: type[M], record_id: int, viewer: Person, area: Area = Area.DIRECTORY
) -> M:
    """One query filtering by id and scope: "not yours" and "does not exist" look the same."""
    stmt = scoped(select(model).where(model.id == record_id), model, viewer, area)  # type: ignore[attr-defined]
    record = db.session.execute(stmt).scalar_one_or_none()
    if record is None:
        raise NotFound()
    return record


def in_subtree(viewer: Person, person: Person, *, strict: bool = False) -> bool:
    """True when `person` is the viewer or below them (strictly below with strict=True)."""
    if strict and person.id == viewer.id:
        return False
    return person.path.startswith(viewer.path)


# ---- actions -------------------------------------------------------------------------------
# The rule table: action name -> predicate(viewer, record). Read it like DESIGN.md's table.
Rule = Callable[[Person, Any], bool]


def _hr(viewer: Person, _record: Any = None) -> bool:
    return is_hr(viewer)


def _self(viewer: Person, record: Any) -> bool:
    return record is not None and getattr(record, "id", None) == viewer.id


def _hr_not_self(viewer: Person, record: Any) -> bool:
    return is_hr(viewer) and not _self(viewer, record)


def _manages_people(viewer: Person, _record: Any = None) -> bool:
    return is_hr(viewer) or has_reports(viewer)


def _anyone(viewer: Person, _record: Any = None) -> bool:
    return True


def _qa_staff(viewer: Person, _record: Any = None) -> bool:
    """QA analysts (any grant) and HR build scorecards and bring contacts in."""
    return is_hr(viewer) or StaffRole.QA_ANALYST in staff_roles(viewer)


def _qa_reviewer(viewer: Person, _record: Any = None) -> bool:
    """Whoever scores contacts: managers of people, QA analysts and HR."""
    return _qa_staff(viewer) or has_reports(viewer)


def _importer(viewer: Person, record: Any) -> bool:
    """A contact import is seen by the person who ran it and by HR."""
    return record is not None and (record.imported_by_id == viewer.id or is_hr(viewer))


def _evaluates(viewer: Person, agent: Any) -> bool:
    return agent is not None and may_evaluate(viewer, agent.id)


def _evaluated(viewer: Person, evaluation: Any) -> bool:
    return evaluation is not None and evaluation.person_id == viewer.id


def _resolves(viewer: Person, evaluation: Any) -> bool:
    """Someone who may score the agent resolves a dispute, the original evaluator included,
    as in most QA tools; the agent never resolves their own."""
    return evaluation is not None and may_evaluate(viewer, evaluation.person_id)


def _sees_area_of(area: Area) -> Rule:
    """A rule: may the viewer read this person's `area` records (e.g. their profile's QA
    summary, their promotion readiness)? Cached per request."""

    def rule(viewer: Person, person: Any) -> bool:
        if person is None:
            return False
        cache = _request_cache()
        key = ("sees", area, viewer.id, person.id)
        if key not in cache:
            stmt = visible_person_ids(viewer, area).where(Person.id == person.id).limit(1)
            cache[key] = db.session.execute(stmt).first() is not None
        return cache[key]

    return rule


def sees_area(viewer: Person, person: Person, area: Area) -> bool:
    """May the viewer read `person`'s `area` records? No query when the person is in the
    viewer's own subtree or the viewer is HR (both open every area); else one, cached."""
    if in_subtree(viewer, person) or is_hr(viewer):
        return True
    return _sees_area_of(area)(viewer, person)


# The areas an agent scorecard (/teams/<person>/scorecard) shows, in the order of its sections.
SCORECARD_AREAS: tuple[Area, ...] = (
    Area.KPIS,
    Area.QA,
    Area.COACHING,
    Area.GOALS,
    Area.TRAINING,
    Area.RECOGNITION,
)


def scorecard_areas(viewer: Person, person: Person) -> frozenset[Area]:
    """The areas of `person` the viewer may read on their scorecard (none: no scorecard)."""
    return frozenset(area for area in SCORECARD_AREAS if sees_area(viewer, person, area))


def _sees_scorecard(viewer: Person, person: Any) -> bool:
    return person is not None and bool(scorecard_areas(viewer, person))


# Goals and reviews. The record is a Review (a person's enrolment in a cycle); goal actions pass
# the goal's review. Which step a review's state allows is decided in goals/transitions.py.


def _reviewee(viewer: Person, review: Any) -> bool:
    """The person the review is about."""
    return review is not None and review.person_id == viewer.id


def _reviewer(viewer: Person, review: Any) -> bool:
    """The reviewer frozen at enrolment (the person's manager then)."""
    return review is not None and review.reviewer_id == viewer.id


def _above(viewer: Person, review: Any) -> bool:
    """Someone strictly above the person in the reporting tree."""
    return review is not None and in_subtree(viewer, review.person, strict=True)


def _sets_goals(viewer: Person, review: Any) -> bool:
    """Goals are set by the person's managers (with the employee), or by HR."""
    return is_hr(viewer) or _above(viewer, review)


def _checks_in(viewer: Person, review: Any) -> bool:
    """The employee and their managers record check-ins."""
    return _reviewee(viewer, review) or _above(viewer, review)


def _comments_goal(viewer: Person, review: Any) -> bool:
    return _checks_in(viewer, review) or is_hr(viewer)


def _reviewer_or_hr(viewer: Person, review: Any) -> bool:
    return _reviewer(viewer, review) or is_hr(viewer)


def _calibrator(viewer: Person, review: Any) -> bool:
    """The reviewer's own managers (a manager of managers) or HR; never the reviewer alone, and
    never the person reviewed (an HR admin's own review is calibrated by others)."""
    if review is None or _reviewee(viewer, review):
        return False
    if is_hr(viewer):
        return True
    reviewer = getattr(review, "reviewer", None)
    return reviewer is not None and in_subtree(viewer, reviewer, strict=True)


def scoped_calibrated_reviews(stmt: Select, model: type, viewer: Person) -> Select:
    """Reviews (`model`, with person_id and reviewer_id) the viewer calibrates: _calibrator in
    SQL. Written by a reviewer strictly below the viewer (any for HR), never the viewer's own."""
    stmt = scoped(stmt, model, viewer, Area.REVIEWS).where(model.person_id != viewer.id)
    if is_hr(viewer):
        return stmt
    reviewer = aliased(Person)
    return stmt.join(reviewer, reviewer.id == model.reviewer_id).where(
        reviewer.path.startswith(viewer.path, autoescape=True), reviewer.id != viewer.id
    )


def _sees_calibration(viewer: Person, review: Any) -> bool:
    """Calibration is confidential (DESIGN.md, Visibility): the proposed rating, every change
    (before -> after), its reason and who made it, the close of calibration and HR's override
    are seen by the reviewer line (the reviewer and everyone above the person), the calibrators
    (within that line) and HR; never by the person reviewed, whatever else they are."""
    if review is None or _reviewee(viewer, review):
        return False
    return _reviewer(viewer, review) or _above(viewer, review) or is_hr(viewer)


def _hr_not_reviewee(viewer: Person, review: Any) -> bool:
    return review is not None and is_hr(viewer) and not _reviewee(viewer, review)


def _participant(viewer: Person, record: Any) -> bool:
    """The two people of a 1:1 (its report and its supervisor)."""
    return record is not None and viewer.id in (record.person_id, record.supervisor_id)


def _meeting_supervisor(viewer: Person, record: Any) -> bool:
    return record is not None and record.supervisor_id == viewer.id


def _has_reports(viewer: Person, _record: Any = None) -> bool:
    return has_reports(viewer)


def _coaches(viewer: Person, record: Any) -> bool:
    """Someone above the agent (the record is the agent, a Person) coaches them."""
    return record is not None and in_subtree(viewer, record, strict=True)


def _coach_of(viewer: Person, record: Any) -> bool:
    return record is not None and record.coach_id == viewer.id


def _calibration_lead(viewer: Person, session: Any) -> bool:
    return session is not None and session.lead_id == viewer.id


def _calibration_member(viewer: Person, session: Any) -> bool:
    """A calibration session is seen by its lead, its invited evaluators and HR; never agents."""
    if session is None:
        return False
    invited = any(p.evaluator_id == viewer.id for p in session.participants)
    return _calibration_lead(viewer, session) or invited or is_hr(viewer)


def _calibration_scorer(viewer: Person, session: Any) -> bool:
    """The lead (the reference) and the invited evaluators score while the session is open."""
    if session is None or not session.is_open:
        return False
    invited = any(p.evaluator_id == viewer.id for p in session.participants)
    return _calibration_lead(viewer, session) or invited


def _trainer(viewer: Person, _record: Any = None) -> bool:
    """Trainers (any grant) and HR run courses, assignments and sessions."""
    return is_hr(viewer) or StaffRole.TRAINER in staff_roles(viewer)


def _training_overseer(viewer: Person, _record: Any = None) -> bool:
    """Who follows other people's training: trainers, HR and managers of people."""
    return _trainer(viewer) or has_reports(viewer)


def _reaches_audience(viewer: Person, audience: Any) -> bool:
    """May the viewer assign training to this audience? HR: anyone. A trainer: a person in
    their training scope, or a team / market inside their grants (a position alone spans every
    market, so a trainer narrows it by team or market)."""
    if is_hr(viewer):
        return True
    if StaffRole.TRAINER not in staff_roles(viewer) or audience is None:
        return False
    if audience.person_id is not None:
        visible = visible_person_ids(viewer, Area.TRAINING).where(Person.id == audience.person_id)
        return db.session.execute(visible.limit(1)).first() is not None
    grants = db.session.execute(
        select(Grant.team_id, Grant.market_id).where(
            Grant.person_id == viewer.id, Grant.role == StaffRole.TRAINER.value
        )
    ).all()
    teams = {t for t, _ in grants if t is not None}
    markets = {m for _, m in grants if m is not None}
    if audience.market_id is not None and audience.market_id in markets:
        return True
    if audience.team_id is not None:
        from portal.org.models import Team

        team = db.session.get(Team, audience.team_id)
        return team is not None and (team.id in teams or team.market_id in markets)
    return False


def _sees_training_of(viewer: Person, person: Any) -> bool:
    """Whether the viewer may open this person's training record (used to offer the link)."""
    if person is None:
        return False
    stmt = visible_person_ids(viewer, Area.TRAINING).where(Person.id == person.id).limit(1)
    return db.session.execute(stmt).first() is not None


def _programme_owner(viewer: Person, programme: Any) -> bool:
    """A recognition programme's nominations are decided by its owner (a manager) or HR."""
    return is_hr(viewer) or (programme is not None and programme.owner_id == viewer.id)


def scoped_nominations(stmt: Select, viewer: Person) -> Select:
    """Recognition nominations the viewer sees: approved ones and winners (public
    recognition), the ones they made, and every one of a programme they own; HR sees all.
    Pending and declined nominations of others are out of reach (404, like a missing one)."""
    from portal.training.models import Nomination, NominationStatus, RecognitionProgramme

    if viewer is None or not getattr(viewer, "id", None):
        return stmt.where(false())
    if is_hr(viewer):
        return stmt
    owned = select(RecognitionProgramme.id).where(RecognitionProgramme.owner_id == viewer.id)
    public = [NominationStatus.APPROVED.value, NominationStatus.WINNER.value]
    return stmt.where(
        or_(
            Nomination.status.in_(public),
            Nomination.nominated_by_id == viewer.id,
            Nomination.programme_id.in_(owned),
        )
    )


def _runs_business_review(viewer: Person, record: Any) -> bool:
    """A business review of a node is run (created, edited, held) by the node person, anyone
    above them, and HR. The record is the node (a Person) or the review."""
    if record is None:
        return False
    node = record if isinstance(record, Person) else getattr(record, "node", None)
    return node is not None and (is_hr(viewer) or in_subtree(viewer, node))


def _completes_business_action(viewer: Person, item: Any) -> bool:
    """An action item is ticked by its owner, or by whoever runs its review."""
    if item is None:
        return False
    return item.owner_id == viewer.id or _runs_business_review(viewer, item.review)


def scoped_business_actions(stmt: Select, model: type, viewer: Person) -> Select:
    """Action items of business reviews the viewer may see (Area.KPIS on the review's node),
    and the viewer's own items wherever they come from."""
    return stmt.where(
        or_(
            model.person_id.in_(visible_person_ids(viewer, Area.KPIS)),
            model.owner_id == viewer.id,
        )
    )


# Improvement plans (PIPs). Seeing a plan is Area.IMPROVEMENT: the person, everyone above them
# and HR; never peers, QA analysts or trainers (no grant opens the area). A plan is opened, edited,
# started, checked in, extended and closed by the person's manager line (anyone strictly above
# them) or HR, never by the person; the person alone acknowledges it. A draft is the manager
# line's working paper: the person sees their plan once it has started.


def scoped_improvement_plans(stmt: Select, model: type, viewer: Person) -> Select:
    """Plans (or records with a plan's state joined in) the viewer may read: Area.IMPROVEMENT,
    except that the person never sees their own plan while it is a draft."""
    stmt = scoped(stmt, model, viewer, Area.IMPROVEMENT)
    return stmt.where(or_(model.state != "draft", model.person_id != viewer.id))


def line_or_hr_of(viewer: Person, person: Any) -> bool:
    """Someone strictly above `person` (a Person), or HR; never the person themselves. Who
    opens and runs improvement plans and writes corrective actions."""
    if person is None or getattr(person, "id", None) == viewer.id:
        return False
    return is_hr(viewer) or in_subtree(viewer, person, strict=True)


def line_or_hr_people(viewer: Person) -> Select:
    """The active people line_or_hr_of holds for, as a SELECT of Person (for pickers)."""
    stmt = select(Person).where(Person.is_active.is_(True), Person.id != viewer.id)
    if not is_hr(viewer):
        stmt = stmt.where(subtree_condition(viewer.path))
    return stmt


def _line_or_hr(viewer: Person, record: Any) -> bool:
    """line_or_hr_of the person a record (a plan, an action) is about."""
    return record is not None and line_or_hr_of(viewer, record.person)


def _subject(viewer: Person, record: Any) -> bool:
    """The person a record is about (who acknowledges it: acknowledging is not agreeing)."""
    return record is not None and record.person_id == viewer.id


# ---- KPI set-up -------------------------------------------------------------------------
# HR defines, edits and archives KPIs (definitions are organisation-wide). A target belongs to a
# team or a market; a manager (anyone with reports) sets, edits and deletes targets only for the
# teams and markets that lie inside their own subtree:
# - a team (market) is *in reach* of a manager when at least one person of it is at or below the
#   manager and nobody of it (active or not: a past period's figures still count them) is
#   outside the manager's subtree, so a target never changes what another manager's people are
#   measured against;
# - whoever has nobody outside their subtree (the head of the organisation) reaches every team
#   and market, empty ones included; HR reaches every team and market.
# A target is *seen* (listed on a KPI's page) by HR, the head, and anyone whose KPI area holds a
# person of its team or market (their own team view compares those people with it). An
# out-of-sight target answers 404; a seen one the viewer may not change answers 403.


def heads_the_org(viewer: Person) -> bool:
    """True when nobody is outside the viewer's subtree (the root of the whole tree)."""
    cache = _request_cache()
    key = ("heads_org", viewer.id)
    if key not in cache:
        outside = select(Person.id).where(~subtree_condition(viewer.path)).limit(1)
        cache[key] = db.session.execute(outside).first() is None
    return cache[key]


def kpi_target_reach(viewer: Person, column: InstrumentedAttribute, unit_id: Any) -> Select:
    """The ids of the teams (column=Person.team_id, unit_id=Team.id) or markets
    (Person.market_id, Market.id) whose KPI targets the viewer sets: one SQL statement."""
    if viewer is None or not getattr(viewer, "id", None):
        return select(unit_id).where(false())
    if is_hr(viewer) or (has_reports(viewer) and heads_the_org(viewer)):
        return select(unit_id)
    if not has_reports(viewer):
        return select(unit_id).where(false())
    outside = select(column).where(~subtree_condition(viewer.path), column.is_not(None))
    return (
        select(column)
        .where(subtree_condition(viewer.path), column.is_not(None), column.not_in(outside))
        .distinct()
    )


def kpi_target_sight(viewer: Person, column: InstrumentedAttribute, unit_id: Any) -> Select:
    """The ids of the teams or markets whose KPI targets the viewer sees (see above)."""
    if viewer is None or not getattr(viewer, "id", None):
        return select(unit_id).where(false())
    if is_hr(viewer) or heads_the_org(viewer):
        return select(unit_id)
    people = visible_person_ids(viewer, Area.KPIS)
    return select(column).where(Person.id.in_(people), column.is_not(None)).distinct()


def _kpi_target_condition(viewer: Person, model: type, pick: Callable) -> Any:
    from portal.org.models import Market, Team

    teams = pick(viewer, Person.team_id, Team.id)
    markets = pick(viewer, Person.market_id, Market.id)
    return or_(model.team_id.in_(teams), model.market_id.in_(markets))


def scoped_kpi_targets(stmt: Select, model: type, viewer: Person) -> Select:
    """KPI targets (rows with team_id / market_id) the viewer sees."""
    if is_hr(viewer) or heads_the_org(viewer):
        return stmt
    return stmt.where(_kpi_target_condition(viewer, model, kpi_target_sight))


def _kpi_target_check(pick: Callable) -> Rule:
    def rule(viewer: Person, target: Any) -> bool:
        if target is None:
            return False
        team_id, market_id = getattr(target, "team_id", None), getattr(target, "market_id", None)
        cache = _request_cache()
        key = (pick.__name__, viewer.id, team_id, market_id)
        if key not in cache:
            from portal.org.models import Market, Team

            if team_id is not None:
                stmt = pick(viewer, Person.team_id, Team.id).subquery()
                wanted = team_id
            elif market_id is not None:
                stmt = pick(viewer, Person.market_id, Market.id).subquery()
                wanted = market_id
            else:
                cache[key] = False
                return False
            column = next(iter(stmt.c))
            found = db.session.execute(select(column).where(column == wanted).limit(1)).first()
            cache[key] = found is not None
        return cache[key]

    return rule


_sees_kpi_target = _kpi_target_check(kpi_target_sight)
_sets_kpi_target = _kpi_target_check(kpi_target_reach)


def sees_kpi_target(viewer: Person, target: Any) -> bool:
    """May the viewer see a target of this team or market (an object with team_id and
    market_id, one of them set)? Not seeing it is a 404."""
    return _sees_kpi_target(viewer, target)


# ---- corrective actions (DESIGN.md: "Improvement plans and corrective actions are seen by the
# person, their manager line and HR only"). Area.IMPROVEMENT opens to no staff grant, so QA
# analysts and trainers never reach them; a draft is its author's alone.


def scoped_conduct(stmt: Select, model: type, viewer: Person) -> Select:
    """Corrective actions the viewer may read: those about people in the viewer's
    Area.IMPROVEMENT (themselves, their subtree; everyone for HR), drafts only by their author."""
    stmt = scoped(stmt, model, viewer, Area.IMPROVEMENT)
    return stmt.where(or_(model.state != "draft", model.author_id == viewer.id))


def _conduct_draft_author(viewer: Person, action: Any) -> bool:
    return action is not None and action.state == "draft" and action.author_id == viewer.id


def _conduct_author(viewer: Person, action: Any) -> bool:
    return action is not None and action.author_id == viewer.id


RULES: dict[str, Rule] = {
    # organisation
    "person.create": _hr,
    "person.edit": _hr,
    "person.move": _hr,
    "person.deactivate": _hr_not_self,
    "person.reactivate": _hr,
    "person.import": _hr,
    "person.export": _anyone,  # the export itself is scoped to the visible people
    "grant.manage": _hr,
    "org.view_tree": _anyone,
    "team.view": _manages_people,
    "team.scorecard": _sees_scorecard,  # record: the person
    # QA. Contacts themselves are scoped by Area.QA (an agent who opens the list sees their
    # own); "contact.list" only decides who is offered it in the menu.
    "contact.list": _qa_reviewer,
    "contact.import": _qa_staff,
    "contact_import.view": _importer,
    "scorecard.view": _qa_reviewer,
    "scorecard.edit": _qa_staff,
    "evaluation.queue": _qa_reviewer,  # offered the evaluate queue in the menu
    "evaluation.evaluate": _evaluates,  # record: the agent (a Person)
    "evaluation.respond": _evaluated,  # acknowledge or dispute; record: the evaluation
    "evaluation.resolve": _resolves,  # uphold or re-score a dispute; record: the evaluation
    "evaluator.overturns": _qa_staff,
    "qa.view_person": _sees_area_of(Area.QA),  # record: the person
    "reviews.view_person": _sees_area_of(Area.REVIEWS),  # record: the person
    # goals and reviews
    "cycle.manage": _hr,
    "goals.team": _manages_people,
    "review_calibration.view": _manages_people,
    "goal.set": _sets_goals,
    "goal.check_in": _checks_in,
    "goal.comment": _comments_goal,
    "review.start": _reviewer_or_hr,
    "review.self": _reviewee,
    "review.manager": _reviewer,
    "review.calibrate": _calibrator,
    "review.share": _reviewer,
    "review.acknowledge": _reviewee,
    "review.lock": _reviewer_or_hr,
    "review.reopen": _hr,
    "review.see_calibration": _sees_calibration,
    # HR lets one review be shared before calibration closes (with a reason, audited).
    "review.share_override": _hr_not_reviewee,
    # HR closes calibration for a cycle or a team of it: reviewers may share from then on.
    "calibration.close_reviews": _hr,
    # 1:1s and coaching. Seeing a meeting is the COACHING scope (the report, everyone above
    # them, HR); acting in it is for its two people; private notes are author-only and are
    # never reached through a scope (see coaching.notes).
    "one_on_one.setup_team": _has_reports,
    "one_on_one.participate": _participant,
    "one_on_one.record_status": _meeting_supervisor,
    "one_on_one.edit_series": _meeting_supervisor,
    "one_on_one.private_note": _meeting_supervisor,
    "coaching.create": _coaches,
    "coaching.edit": _coach_of,
    # QA programme: reports are scoped to the viewer's Area.QA people; rules sample only there.
    "qa_report.view": _qa_reviewer,
    "sampling.manage": _qa_reviewer,
    "calibration.create": _qa_staff,
    "calibration.list": _qa_reviewer,
    "calibration.view": _calibration_member,
    "calibration.score": _calibration_scorer,
    "calibration.close": _calibration_lead,
    "leniency.view": _qa_staff,
    # training and recognition. Records about a person are scoped by Area.TRAINING.
    "course.view": _anyone,  # the catalogue is organisational content, not a personal record
    "course.manage": _trainer,
    "assignment.view": _trainer,
    "assignment.create": _reaches_audience,
    "training.confirm": _trainer,  # on a person already loaded through the training scope
    "training.team_view": _training_overseer,
    "training.view_record": _sees_training_of,
    "skill_gap.view": _training_overseer,
    "kudos.give": _anyone,
    "programme.create": _manages_people,
    "programme.decide": _programme_owner,
    # KPIs (see "KPI set-up" above): HR and managers of people open the set-up pages; HR alone
    # defines, edits and archives a KPI; a target is set, changed or removed by HR and by a
    # manager whose subtree holds its team or market. Values are imported by HR and managers,
    # for the people they may see (the import itself is scoped by Area.KPIS).
    "kpi.list": _manages_people,
    "kpi.define": _hr,
    "kpi.set_target": _sets_kpi_target,  # record: a target, or any object with team/market ids
    "kpi.import": _manages_people,
    # business reviews (WBR/MBR) and market summaries: seeing a review is Area.KPIS on its
    # node; the summaries are scoped to the viewer's KPI population.
    "business.list": _anyone,
    "business.create": _runs_business_review,  # record: the node (a Person)
    "business.edit": _runs_business_review,  # record: the review
    "business_action.complete": _completes_business_action,
    "business.market_summary": _manages_people,
    # corrective actions: the list is scoped (everyone sees their own); managers of people and
    # HR get it in the menu. The record is the person ("create", "view_person") or the action.
    "conduct.team": _manages_people,
    "conduct.view_person": _sees_area_of(Area.IMPROVEMENT),
    "conduct.create": line_or_hr_of,
    "conduct.edit": _conduct_draft_author,
    "conduct.issue": _conduct_author,
    "conduct.acknowledge": _subject,
    # which state allows a step is the lifecycle's (conduct.rules): a stale form answers 409
    "conduct.follow_up": _line_or_hr,
    "conduct.close": _line_or_hr,
    # improvement plans (see "Improvement plans" above)
    "improvement.list_team": _manages_people,  # the menu entry; the list itself is scoped
    "improvement.view_person": _sees_area_of(Area.IMPROVEMENT),  # record: the person
    "improvement.open": line_or_hr_of,  # record: the person
    "improvement.edit": _line_or_hr,  # edit a draft, its expectations, start it
    "improvement.check_in": _line_or_hr,
    "improvement.extend": _line_or_hr,
    "improvement.close": _line_or_hr,
    "improvement.acknowledge": _subject,
    # administration
    "audit.view": _hr,
    "session.end_any": _hr,
}


def can(viewer: Person | None, action: str, record: Any = None) -> bool:
    """May the viewer do `action` (on `record`)? Unknown actions are refused."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    rule = RULES.get(action)
    return bool(rule and rule(viewer, record))


def require(viewer: Person | None, action: str, record: Any = None) -> None:
    """Raise Forbidden unless can(viewer, action, record)."""
    if not can(viewer, action, record):
        raise Forbidden()
