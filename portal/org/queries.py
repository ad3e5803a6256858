"""Read-only queries over people, always through the visibility scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal import policy
from portal.extensions import db
from portal.org.models import Person


@dataclass(frozen=True)
class HomeSummary:
    visible_people: int
    direct_reports: int
    subtree_size: int


def home_summary_for(viewer: Person) -> HomeSummary:
    """Counts for the home page, each within what the viewer may see."""
    visible = db.session.execute(
        policy.scoped(select(func.count(Person.id)), Person, viewer).where(Person.is_active)
    ).scalar_one()
    direct = db.session.execute(
        select(func.count(Person.id)).where(Person.manager_id == viewer.id, Person.is_active)
    ).scalar_one()
    subtree = db.session.execute(
        select(func.count(Person.id)).where(
            policy.subtree_condition(viewer.path), Person.id != viewer.id, Person.is_active
        )
    ).scalar_one()
    return HomeSummary(visible_people=visible, direct_reports=direct, subtree_size=subtree)
