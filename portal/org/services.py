"""Changing people: create, edit, move, deactivate, reactivate, import; and the audited export.

Each public function is one unit of work: check the policy, change, audit, commit once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from portal import audit, policy
from portal.auth import passwords, sessions
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.org import csv_safety, import_lookup, importer, queries, signals, tree
from portal.org import person_rules as rules
from portal.org.models import Market, Person, Position, Segment, Team


@dataclass(frozen=True)
class PersonInput:
    """The editable facts of a person, as typed on the HR form."""

    name: str
    name_romanised: str | None
    email: str
    employee_id: str
    position_id: int
    hire_on: date | None
    position_since_on: date | None
    market_id: int | None
    segment_id: int | None
    team_id: int | None
    locale: str
    time_zone: str


class _Errors(dict[str, list[str]]):
    def add(self, field: str, message: str | None) -> None:
        if message:
            self.setdefault(field, []).append(message)


def _taken(column, value: str, person_id: int | None) -> bool:
    stmt = select(Person.id).where(func.lower(column) == value.lower())
    if person_id is not None:
        stmt = stmt.where(Person.id != person_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def _check_input(data: PersonInput, *, person_id: int | None, today: date) -> _Errors:
    errors = _Errors()
    errors.add("name", rules.text_problem(data.name, required=True, limit=rules.NAME_MAX))
    errors.add(
        "name_romanised",
        rules.text_problem(data.name_romanised or "", required=False, limit=rules.NAME_MAX),
    )
    errors.add("email", rules.email_problem(data.email))
    if "email" not in errors and _taken(Person.email, data.email, person_id):
        errors.add("email", _("Someone else already has this e-mail."))
    errors.add(
        "employee_id",
        rules.text_problem(data.employee_id, required=True, limit=rules.EMPLOYEE_ID_MAX),
    )
    if "employee_id" not in errors and _taken(Person.employee_id, data.employee_id, person_id):
        errors.add("employee_id", _("Someone else already has this employee ID."))
    for name, model, value in (
        ("position_id", Position, data.position_id),
        ("market_id", Market, data.market_id),
        ("segment_id", Segment, data.segment_id),
        ("team_id", Team, data.team_id),
    ):
        if value is not None and db.session.get(model, value) is None:
            errors.add(name, _("Choose one of the listed options."))
    team = db.session.get(Team, data.team_id) if data.team_id else None
    if team and team.market_id and data.market_id and team.market_id != data.market_id:
        errors.add("team_id", _("This team belongs to another market."))
    for name, message in rules.date_problems(
        data.hire_on, data.position_since_on, today=today
    ).items():
        errors.add(name, message)
    errors.add("locale", rules.locale_problem(data.locale, current_app.config["LANGUAGES"]))
    errors.add("time_zone", rules.time_zone_problem(data.time_zone))
    return errors


def _password_problems(password: str | None, data: PersonInput) -> list[str]:
    if not password:
        return []
    return passwords.strength_problems(
        password, email=data.email, name=data.name_romanised or data.name
    )


def find_manager(reference: str) -> Person | None:
    """The person with this e-mail or employee ID (case-insensitive), or None."""
    value = reference.strip().lower()
    if not value:
        return None
    by_email = func.lower(Person.email) == value
    stmt = (
        select(Person)
        .where(or_(by_email, func.lower(Person.employee_id) == value))
        .order_by(case((by_email, 0), else_=1))  # an e-mail match wins over an employee ID
        .limit(1)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _manager_from(reference: str | None, errors: _Errors, field: str) -> Person | None:
    if not reference or not reference.strip():
        return None
    manager = find_manager(reference)
    if manager is None:
        errors.add(field, _("No one has this e-mail or employee ID."))
    elif not manager.is_active:
        errors.add(field, _("%(name)s is deactivated.", name=manager.name))
    return manager


def _apply(person: Person, data: PersonInput) -> None:
    for item in fields(PersonInput):
        setattr(person, item.name, getattr(data, item.name))


def _set_password(person: Person, password: str, now: datetime) -> None:
    person.password_hash = passwords.hash_password(password)
    person.password_changed_at = now


def create_person(
    by: Person,
    data: PersonInput,
    *,
    manager_reference: str | None,
    password: str | None,
    now: datetime,
) -> Person:
    """Add a person under the given manager (an e-mail or employee ID; blank: at the top)."""
    policy.require(by, "person.create")
    errors = _check_input(data, person_id=None, today=now.date())
    manager = _manager_from(manager_reference, errors, "manager")
    for problem in _password_problems(password, data):
        errors.add("password", problem)
    if errors:
        raise ValidationFailed(field_errors=errors)
    person = Person(is_active=True)
    _apply(person, data)
    if password:
        _set_password(person, password, now)
    db.session.add(person)
    db.session.flush()
    tree.place(person, manager)
    audit.record(by, "person.create", "person", person.id, None, person.snapshot())
    db.session.commit()
    return person


def edit_person(
    by: Person,
    person: Person,
    data: PersonInput,
    *,
    expected_version: int | None,
    password: str | None,
    now: datetime,
) -> None:
    """Change a person's facts; a stale form (someone saved in between) raises Conflict."""
    policy.require(by, "person.edit", person)
    if expected_version != person.version:
        raise Conflict()
    errors = _check_input(data, person_id=person.id, today=now.date())
    for problem in _password_problems(password, data):
        errors.add("password", problem)
    if errors:
        raise ValidationFailed(field_errors=errors)
    before = person.snapshot()
    _apply(person, data)
    # Someone saving between our version check and our write makes the flush raise Conflict.
    if person.snapshot() != before:
        audit.record(by, "person.edit", "person", person.id, before, person.snapshot())
    if password:
        _set_password(person, password, now)
        ended = sessions.end_all_sessions(person, now=now, reason="password_reset")
        audit.record(by, "person.password_set", "person", person.id, None, {"sessions": ended})
    db.session.commit()


def move_person(by: Person, person: Person, *, manager_reference: str | None) -> None:
    """Put a person (and everyone below them) under a new manager; blank: at the top."""
    policy.require(by, "person.move", person)
    errors = _Errors()
    manager = _manager_from(manager_reference, errors, "manager")
    if manager is not None and tree.would_create_cycle(person, manager):
        errors.add(
            "manager",
            _("A person cannot report to themselves or to anyone who reports to them."),
        )
    new_manager_id = manager.id if manager else None
    if not errors and new_manager_id == person.manager_id:
        errors.add("manager", _("%(name)s already reports there.", name=person.name))
    if errors:
        raise ValidationFailed(field_errors=errors)
    person_id, old_manager_id = person.id, person.manager_id
    tree.move(person, manager)
    # Features react (a report who moves gets a new 1:1 series, the old one keeps its history).
    signals.person_moved.send(by, person=person, at=utcnow())
    audit.record(
        by,
        "person.move",
        "person",
        person_id,
        {"manager_id": old_manager_id},
        {"manager_id": new_manager_id},
    )
    db.session.commit()


def deactivate_person(by: Person, person: Person, *, now: datetime) -> None:
    """Stop a person signing in (their open sessions end now); all their history stays."""
    policy.require(by, "person.deactivate", person)
    if not person.is_active:
        raise InvalidTransition(_("%(name)s is already deactivated.", name=person.name))
    before = person.snapshot()
    person.is_active = False
    person.deactivated_at = now
    ended = sessions.end_all_sessions(person, now=now, reason="deactivated")
    after = person.snapshot() | {"sessions_ended": ended}
    audit.record(by, "person.deactivate", "person", person.id, before, after)
    db.session.commit()


def reactivate_person(by: Person, person: Person) -> None:
    """Let a deactivated person sign in again."""
    policy.require(by, "person.reactivate", person)
    if person.is_active:
        raise InvalidTransition(_("%(name)s is already active.", name=person.name))
    before = person.snapshot()
    person.is_active = True
    person.deactivated_at = None
    audit.record(by, "person.reactivate", "person", person.id, before, person.snapshot())
    db.session.commit()


@dataclass(frozen=True)
class ExportFile:
    text: str
    count: int


def export_people(by: Person, filters: queries.PersonFilters) -> ExportFile:
    """The visible people matching the filters as CSV (safe to open in a spreadsheet)."""
    policy.require(by, "person.export")
    rows = queries.people_for_export(by, filters)
    text = csv_safety.csv_text(importer.COLUMNS, (importer.export_row(p, m) for p, m in rows))
    audit.record(
        by,
        "person.export",
        "person",
        None,
        None,
        {"count": len(rows), "filters": filters.as_args()},
    )
    db.session.commit()
    return ExportFile(text=text, count=len(rows))


def import_people(by: Person, data: bytes, *, now: datetime) -> importer.ImportPlan:
    """Check a people CSV; when every row is good, add them all in one transaction.
    The returned plan carries the errors (nothing written) or the people added."""
    policy.require(by, "person.import")
    parsed = importer.read_csv(data)
    if parsed.problem:
        return importer.ImportPlan(problem=parsed.problem)
    reference = import_lookup.load_reference(
        parsed.rows, languages=current_app.config["LANGUAGES"], today=now.date()
    )
    plan = importer.check_rows(parsed.rows, reference)
    if not plan.ok:
        return plan
    existing_ids = {
        reference.people_by_email[p.manager_email][0]
        for p in plan.people
        if p.manager_email in reference.people_by_email
    }
    managers = {
        m.email.lower(): m
        for m in db.session.execute(select(Person).where(Person.id.in_(existing_ids))).scalars()
    }
    try:
        for new in plan.people:
            person = Person(
                **{f.name: getattr(new, f.name) for f in fields(PersonInput)},
                is_active=new.is_active,
                deactivated_at=None if new.is_active else now,
            )
            db.session.add(person)
            db.session.flush()
            tree.place(person, managers.get(new.manager_email or ""))
            managers[new.email.lower()] = person
        audit.record(by, "person.import", "person", None, None, {"count": len(plan.people)})
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(
            _(
                "Someone added people while this file was being imported, so nothing was "
                "imported. Upload the file again to see what still needs changing."
            )
        ) from error
    return plan
