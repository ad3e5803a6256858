"""How the organisation's audit entries read (portal/audit_display.py): people, their teams,
markets, segments and positions, staff grants, sign-ins."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit_display import Field, register, register_actions, visible_in_scope
from portal.extensions import db
from portal.org.models import Grant, Market, Person, Position, Segment, StaffRole, Team

ROLE_LABELS = {
    StaffRole.QA_ANALYST.value: _l("QA analyst"),
    StaffRole.TRAINER.value: _l("Trainer"),
    StaffRole.HR_ADMIN.value: _l("HR admin"),
}


def _names(model: type) -> object:
    def describe(ids: Sequence[int]) -> dict[int, str]:
        rows = db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
        return dict(rows.tuples().all())

    return describe


def _grant_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Grant.id, Person.name, Grant.role)
        .join(Person, Person.id == Grant.person_id)
        .where(Grant.id.in_(ids))
    ).all()
    return {gid: f"{name} · {ROLE_LABELS.get(role, role)}" for gid, name, role in rows}


register(
    "person",
    label=_l("Person"),
    describe=_names(Person),  # type: ignore[arg-type]
    link=("org.person_detail", "person_id"),
    visible=visible_in_scope(Person),
    fields={
        "name": Field(_l("Name")),
        "name_romanised": Field(_l("Name (romanised)")),
        "email": Field(_l("E-mail")),
        "employee_id": Field(_l("Employee id")),
        "position_id": Field(_l("Position"), kind="ref", ref="position"),
        "hire_on": Field(_l("Hired on")),
        "position_since_on": Field(_l("In position since")),
        "manager_id": Field(_l("Manager"), kind="ref", ref="person"),
        "team_id": Field(_l("Team"), kind="ref", ref="team"),
        "market_id": Field(_l("Market"), kind="ref", ref="market"),
        "segment_id": Field(_l("Segment"), kind="ref", ref="segment"),
        "locale": Field(_l("Language")),
        "time_zone": Field(_l("Time zone")),
        "is_active": Field(_l("Active")),
    },
    actions={
        "person.create": _l("Person added"),
        "person.edit": _l("Person edited"),
        "person.move": _l("Person moved in the tree"),
        "person.deactivate": _l("Person deactivated"),
        "person.reactivate": _l("Person reactivated"),
        "person.password_set": _l("Password set by HR"),
        "person.import": _l("People imported"),
        "person.export": _l("People exported"),
    },
)
register("team", label=_l("Team"), describe=_names(Team))  # type: ignore[arg-type]
register("market", label=_l("Market"), describe=_names(Market))  # type: ignore[arg-type]
register("segment", label=_l("Segment"), describe=_names(Segment))  # type: ignore[arg-type]
register("position", label=_l("Position"), describe=_names(Position))  # type: ignore[arg-type]
register("organisation", label=_l("Organisation"))
register(
    "staff_grant",
    label=_l("Staff grant"),
    describe=_grant_names,
    fields={
        "person_id": Field(_l("Person"), kind="ref", ref="person"),
        "role": Field(_l("Role"), kind="enum", labels=ROLE_LABELS),
        "team_id": Field(_l("Team"), kind="ref", ref="team"),
        "market_id": Field(_l("Market"), kind="ref", ref="market"),
    },
)
register_actions(
    {"grant.create": _l("Staff grant given"), "grant.delete": _l("Staff grant removed")},
    group=("grant", _l("Staff grants")),
)
register_actions(
    {
        "auth.sign_in": _l("Signed in to the portal"),
        "auth.sign_out": _l("Signed out of the portal"),
        "auth.password_change": _l("Password changed"),
        "auth.session_end": _l("Session ended"),
        "auth.session_end_all": _l("All sessions ended by HR"),
    },
    group=("auth", _l("Sign-in and sessions")),
)
register_actions({"demo.load": _l("Demo data loaded")}, group=("demo", _l("Demo")))
