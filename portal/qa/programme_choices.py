"""Choice lists for the QA programme pages, each already restricted to what the viewer may see."""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.org.models import Grant, Person, StaffRole
from portal.policy import Area
from portal.qa.contacts import Choice
from portal.qa.models import Scorecard, ScorecardVersion


def nodes_for(viewer: Person) -> list[Choice]:
    """Org nodes the viewer may roll up or sample: themselves and visible people with reports."""
    report = aliased(Person)
    has_reports = exists(select(report.id).where(report.manager_id == Person.id))
    stmt = policy.scoped(
        select(Person.id, Person.name).where(or_(has_reports, Person.id == viewer.id)),
        Person,
        viewer,
        Area.QA,
    ).order_by(Person.path)
    return [Choice(i, name) for i, name in db.session.execute(stmt)]


def check_node(viewer: Person, node_id: int | None) -> int | None:
    """The node if the viewer may see it (404 otherwise, as for a node that does not exist)."""
    if node_id is None:
        return None
    policy.get_visible_or_404(Person, node_id, viewer, Area.QA)
    return node_id


def scorecard_choices() -> list[Choice]:
    rows = db.session.execute(select(Scorecard.id, Scorecard.name).order_by(Scorecard.name))
    return [Choice(i, name) for i, name in rows]


def published_versions() -> list[Choice]:
    """Published scorecard versions, newest first within each scorecard."""
    rows = db.session.execute(
        select(ScorecardVersion.id, Scorecard.name, ScorecardVersion.number)
        .join(Scorecard, Scorecard.id == ScorecardVersion.scorecard_id)
        .where(ScorecardVersion.published_at.is_not(None), Scorecard.is_archived.is_(False))
        .order_by(Scorecard.name, ScorecardVersion.number.desc())
    )
    return [Choice(i, f"{name} · v{number}") for i, name, number in rows]


def reviewers_for(viewer: Person) -> list[Choice]:
    """People the viewer can invite to calibrate: visible QA analysts and people with reports."""
    report = aliased(Person)
    has_reports = exists(select(report.id).where(report.manager_id == Person.id))
    is_analyst = exists(
        select(Grant.id).where(
            Grant.person_id == Person.id, Grant.role == StaffRole.QA_ANALYST.value
        )
    )
    stmt = policy.scoped(
        select(Person.id, Person.name).where(
            or_(has_reports, is_analyst), Person.is_active.is_(True), Person.id != viewer.id
        ),
        Person,
        viewer,
        Area.DIRECTORY,
    ).order_by(Person.name, Person.id)
    return [Choice(i, name) for i, name in db.session.execute(stmt)]
