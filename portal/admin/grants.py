"""Staff grants: QA analysts and trainers scoped to a team or market; HR admins unscoped."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from portal import audit, policy
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.extensions import db
from portal.org.models import Grant, Market, Person, StaffRole, Team

SCOPED_ROLES = frozenset({StaffRole.QA_ANALYST, StaffRole.TRAINER})


@dataclass(frozen=True)
class GrantRow:
    id: int
    person_id: int
    person_name: str
    person_email: str
    person_is_active: bool
    role: StaffRole
    team_name: str | None
    market_name: str | None


@dataclass(frozen=True)
class ScopeChoice:
    id: int
    label: str


def snapshot(grant: Grant) -> dict:
    """The audited fields of a grant."""
    return {
        "person_id": grant.person_id,
        "role": grant.role,
        "team_id": grant.team_id,
        "market_id": grant.market_id,
    }


def grants_for(viewer: Person) -> list[GrantRow]:
    """Every staff grant with its person and scope, in one query (HR only)."""
    policy.require(viewer, "grant.manage")
    team_market = aliased(Market)
    stmt = (
        select(
            Grant.id,
            Grant.role,
            Person.id,
            Person.name,
            Person.email,
            Person.is_active,
            Team.name,
            team_market.code,
            Market.name,
        )
        .join(Person, Person.id == Grant.person_id)
        .outerjoin(Team, Team.id == Grant.team_id)
        .outerjoin(team_market, team_market.id == Team.market_id)
        .outerjoin(Market, Market.id == Grant.market_id)
        .order_by(Person.name, Person.id, Grant.role, Grant.id)
    )
    return [
        GrantRow(
            id=grant_id,
            person_id=person_id,
            person_name=name,
            person_email=email,
            person_is_active=is_active,
            role=StaffRole(role),
            team_name=f"{team} ({team_market_code})" if team and team_market_code else team,
            market_name=market,
        )
        for (
            grant_id,
            role,
            person_id,
            name,
            email,
            is_active,
            team,
            team_market_code,
            market,
        ) in db.session.execute(stmt)
    ]


def scope_choices() -> tuple[list[ScopeChoice], list[ScopeChoice]]:
    """The teams and markets a grant can be scoped to (two queries)."""
    teams = db.session.execute(
        select(Team.id, Team.name, Market.code)
        .outerjoin(Market, Market.id == Team.market_id)
        .order_by(Market.code, Team.name)
    ).all()
    markets = db.session.execute(
        select(Market.id, Market.code, Market.name).order_by(Market.code)
    ).all()
    return (
        [ScopeChoice(i, f"{name} ({code})" if code else name) for i, name, code in teams],
        [ScopeChoice(i, f"{code} · {name}") for i, code, name in markets],
    )


def _find_person(identifier: str) -> Person:
    needle = identifier.strip().lower()
    person = db.session.execute(
        select(Person).where(
            or_(func.lower(Person.email) == needle, func.lower(Person.employee_id) == needle)
        )
    ).scalar_one_or_none()
    if person is None:
        raise ValidationFailed(
            field_errors={"person": [str(_l("No one has that e-mail address or employee id."))]}
        )
    if not person.is_active:
        raise ValidationFailed(
            field_errors={"person": [str(_l("That person is deactivated; reactivate them first."))]}
        )
    return person


def _check_scope(role: StaffRole, team_id: int | None, market_id: int | None) -> None:
    if role == StaffRole.HR_ADMIN and (team_id or market_id):
        raise ValidationFailed(
            field_errors={
                "role": [str(_l("An HR admin grant covers everyone; leave the scope empty."))]
            }
        )
    if role in SCOPED_ROLES and (team_id is None) == (market_id is None):
        message = str(_l("Choose either a team or a market (one of them, not both)."))
        raise ValidationFailed(field_errors={"team_id": [message], "market_id": [message]})
    if team_id is not None and db.session.get(Team, team_id) is None:
        raise ValidationFailed(field_errors={"team_id": [str(_l("That team does not exist."))]})
    if market_id is not None and db.session.get(Market, market_id) is None:
        raise ValidationFailed(field_errors={"market_id": [str(_l("That market does not exist."))]})


def create_grant(
    by: Person, *, person: str, role: str, team_id: int | None, market_id: int | None
) -> Grant:
    """Grant a staff role to the person with this e-mail or employee id; audited."""
    policy.require(by, "grant.manage")
    try:
        staff_role = StaffRole(role)
    except ValueError:
        raise ValidationFailed(field_errors={"role": [str(_l("Choose a role."))]}) from None
    grantee = _find_person(person)
    _check_scope(staff_role, team_id, market_id)
    # NULLs never collide in a UNIQUE constraint, so duplicates are looked for here.
    duplicate = db.session.execute(
        select(Grant.id).where(
            Grant.person_id == grantee.id,
            Grant.role == staff_role.value,
            Grant.team_id.is_(None) if team_id is None else Grant.team_id == team_id,
            Grant.market_id.is_(None) if market_id is None else Grant.market_id == market_id,
        )
    ).first()
    if duplicate is not None:
        raise ValidationFailed(
            str(_l("%(name)s already holds this grant.", name=grantee.name)),
        )
    grant = Grant(person_id=grantee.id, role=staff_role.value, team_id=team_id, market_id=market_id)
    db.session.add(grant)
    db.session.flush()
    audit.record(by, "grant.create", "staff_grant", grant.id, None, snapshot(grant))
    db.session.commit()
    return grant


def _other_hr_admin_grants(grant_id: int) -> int:
    """HR admin grants of active people, other than this one."""
    return db.session.execute(
        select(func.count(Grant.id))
        .join(Person, Person.id == Grant.person_id)
        .where(Grant.role == StaffRole.HR_ADMIN.value, Person.is_active, Grant.id != grant_id)
    ).scalar_one()


def delete_grant(by: Person, grant_id: int) -> None:
    """Remove a staff grant; the last active HR admin cannot remove their own; audited."""
    policy.require(by, "grant.manage")
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        raise NotFound()
    # Without this, the portal could be left with nobody able to manage grants.
    if grant.role == StaffRole.HR_ADMIN and _other_hr_admin_grants(grant.id) == 0:
        raise Conflict(
            str(
                _l(
                    "You are the last HR admin. Make someone else an HR admin before "
                    "removing your own grant."
                )
            )
        )
    before = snapshot(grant)
    db.session.delete(grant)
    audit.record(by, "grant.delete", "staff_grant", grant_id, before, None)
    db.session.commit()
