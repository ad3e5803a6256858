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
from sqlalchemy.orm import InstrumentedAttribute

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
    """Evaluations the viewer may read: those of people visible in the QA area, except that
    the person evaluated never sees a draft (an agent sees an evaluation once submitted)."""
    stmt = scoped(stmt, model, viewer, Area.QA)
    return stmt.where(or_(model.status != "draft", model.person_id != viewer.id))


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


def _sees_qa_of(viewer: Person, person: Any) -> bool:
    """May the viewer read this person's QA records (their profile's QA summary)?"""
    if person is None:
        return False
    cache = _request_cache()
    key = ("sees_qa", viewer.id, person.id)
    if key not in cache:
        stmt = visible_person_ids(viewer, Area.QA).where(Person.id == person.id).limit(1)
        cache[key] = db.session.execute(stmt).first() is not None
    return cache[key]


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
    "qa.view_person": _sees_qa_of,  # record: the person
    # KPIs: definitions and targets are set by HR and managers of people; values are imported
    # by them too, for the people they may see (the import itself is scoped by Area.KPIS).
    "kpi.define": _manages_people,
    "kpi.import": _manages_people,
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
