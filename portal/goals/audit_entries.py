"""How the goals and reviews audit entries read (portal/audit_display.py): review cycles,
reviews and goals, named and linked for whoever may open them."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import policy
from portal.audit_display import Field, names_from, register, register_actions, visible_in_scope
from portal.extensions import db
from portal.goals.models import Goal, Review, ReviewCycle
from portal.goals.transitions import STATE_LABELS
from portal.org.models import Person
from portal.policy import Area

REVIEW_STATES = {str(state): label for state, label in STATE_LABELS.items()}


def _cycle_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(ReviewCycle.id, ReviewCycle.name).where(ReviewCycle.id.in_(ids))
    )
    return dict(rows.tuples().all())


_review_names = names_from(
    select(Review.id, Person.name, ReviewCycle.name)
    .join(Person, Person.id == Review.person_id)
    .join(ReviewCycle, ReviewCycle.id == Review.cycle_id),
    Review,
    lambda who, cycle: _("Review of %(who)s, %(cycle)s", who=who, cycle=cycle),
)


def _goal_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Goal.id, Goal.title, Person.name)
        .join(Person, Person.id == Goal.person_id)
        .where(Goal.id.in_(ids))
    ).all()
    return {gid: f"{title} ({who})" for gid, title, who in rows}


register(
    "review_cycle",
    label=_l("Review cycle"),
    describe=_cycle_names,
    link=("goals.cycle_detail", "cycle_id"),
    visible=lambda viewer, ids: list(ids) if policy.can(viewer, "cycle.manage") else [],
    fields={"name": Field(_l("Name")), "state": Field(_l("State"))},
)
register(
    "review",
    label=_l("Performance review"),
    describe=_review_names,
    link=("goals.review_detail", "review_id"),
    visible=visible_in_scope(Review, Area.REVIEWS),
    fields={
        "state": Field(_l("State"), kind="enum", labels=REVIEW_STATES),
        "proposed_rating": Field(_l("Proposed rating")),
        "final_rating": Field(_l("Final rating")),
        "reviewer_id": Field(_l("Reviewer"), kind="ref", ref="person"),
        "team_id": Field(_l("Team"), kind="ref", ref="team"),
        "market_id": Field(_l("Market"), kind="ref", ref="market"),
        "segment_id": Field(_l("Segment"), kind="ref", ref="segment"),
    },
)
register(
    "goal",
    label=_l("Goal"),
    describe=_goal_names,
    link=("goals.goal_detail", "goal_id"),
    visible=visible_in_scope(Goal, Area.GOALS),
    fields={
        "title": Field(_l("Title")),
        "metric": Field(_l("Metric")),
        "baseline": Field(_l("Baseline")),
        "target": Field(_l("Target")),
        "weight": Field(_l("Weight")),
        "due_on": Field(_l("Due")),
        "parent_id": Field(_l("Parent goal"), kind="ref", ref="goal"),
    },
    actions={
        "goal.create": _l("Goal created"),
        "goal.edit": _l("Goal edited"),
        "goal.check_in": _l("Goal checked in"),
        "goal.comment": _l("Goal commented"),
    },
)
register_actions({}, group=("cycle", _l("Review cycles")))
