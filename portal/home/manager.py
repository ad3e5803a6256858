"""The manager's section of the home page: completion in their subtree, business-review
actions and ratings to calibrate.

It applies to a manager of supervisors (someone below their direct reports has reports of
their own); the supervisor section shows what concerns the direct reports themselves. Every
count comes from the service the linked page uses:

- 1:1s: coaching.queries.completion_roll_ups (the 1:1 completion page) over the last
  ONE_ON_ONE_WEEKS weeks; the count is the number of teams holding fewer than
  ONE_ON_ONE_TARGET % of their expected 1:1s, the detail names the worst first;
- reviews: goals.completion.completion_for (the review completion page), per running cycle;
  the count is the number of teams with an overdue phase, the detail names the most overdue;
- business-review actions: business.actions.open_action_summary (the "my actions" page);
- ratings to calibrate: goals.calibration.to_calibrate_count (the calibration page).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from portal import policy
from portal.business import actions
from portal.coaching import best_weeks
from portal.coaching import completion as one_on_one_completion
from portal.coaching import queries as coaching_queries
from portal.db import utcnow
from portal.extensions import db
from portal.goals import calibration
from portal.goals import completion as review_completion
from portal.goals.models import CycleState, PhaseKind, ReviewCycle
from portal.home.items import Item, Section, Urgency, urgency_of
from portal.org.models import Person, Team
from portal.web import path_for

ONE_ON_ONE_WEEKS = 4  # one of the completion page's choices (4, 8, 12)
ONE_ON_ONE_TARGET = Decimal(80)  # % of expected 1:1s held
WORST_SHOWN = 3  # teams named in an item's detail


def manages_managers(viewer: Person) -> bool:
    """True when someone two levels below the viewer exists (one statement, cached per
    request through policy.has_reports for the direct reports)."""
    if not policy.has_reports(viewer):
        return False
    direct = select(Person.id).where(Person.manager_id == viewer.id)
    found = db.session.execute(
        select(Person.id).where(Person.manager_id.in_(direct)).limit(1)
    ).first()
    return found is not None


def running_cycles() -> list[ReviewCycle]:
    """The cycles in progress, newest first (the pages' current_cycles, less the others)."""
    from portal.goals import goals as plans

    return [c for c in plans.current_cycles() if c.state == CycleState.IN_PROGRESS]


def _percent(value: Decimal) -> str:
    return format_decimal(value, "#,##0")


def one_on_one_item(viewer: Person) -> Item:
    """Teams below the 1:1 target over the last weeks, worst first."""
    now = utcnow()
    # The last weeks over in every time zone (the week in progress says little yet; weeks
    # that are over come from the nightly roll-up): the completion page's "full=1".
    weeks = one_on_one_completion.week_starts(best_weeks.last_frozen_monday(now), ONE_ON_ONE_WEEKS)
    roll_ups = coaching_queries.completion_roll_ups(viewer, weeks=weeks, now=now, by=("team_id",))
    below = sorted(
        (
            (tally.held_percent, team_id)
            for team_id, tally in roll_ups.by_team.items()
            if tally.held_percent is not None and tally.held_percent < ONE_ON_ONE_TARGET
        ),
        key=lambda pair: (pair[0], pair[1] or 0),
    )
    detail = None
    if below:
        names = _team_names({team_id for _, team_id in below[:WORST_SHOWN]})
        detail = ", ".join(
            f"{names.get(team_id, _('No team'))}: {_percent(pct)} %"
            for pct, team_id in below[:WORST_SHOWN]
        )
    return Item(
        key="manager.one_on_ones",
        label=_(
            "Teams below %(target)s %% of 1:1s held (last %(weeks)s full weeks)",
            target=_percent(ONE_ON_ONE_TARGET),
            weeks=ONE_ON_ONE_WEEKS,
        ),
        count=len(below),
        url=path_for("coaching.completion_view", weeks=ONE_ON_ONE_WEEKS, full=1),
        urgency=Urgency.LATER,
        detail=detail,
    )


def review_items(viewer: Person, cycles: list[ReviewCycle], today: date) -> list[Item]:
    """Per running cycle: the teams with an overdue phase, the most overdue first."""
    items = []
    for index, cycle in enumerate(cycles):
        result = review_completion.completion_for(viewer, cycle, today)
        late = [t for t in result.teams if t.overdue]
        late.sort(key=lambda t: (-sum(t.overdue.values()), t.team))
        due = min((o.due_on for o in result.overdue), default=None)
        detail = (
            ", ".join(
                _("%(team)s: %(n)d overdue", team=t.team, n=sum(t.overdue.values()))
                for t in late[:WORST_SHOWN]
            )
            or None
        )
        items.append(
            Item(
                key="manager.reviews" if index == 0 else f"manager.reviews.{cycle.id}",
                label=_("Teams behind on reviews (%(cycle)s)", cycle=cycle.name),
                count=len(late),
                url=path_for("goals.completion", cycle=cycle.id),
                urgency=urgency_of(due, today),
                due=due,
                detail=detail,
            )
        )
    return items


def calibration_items(viewer: Person, cycles: list[ReviewCycle], today: date) -> list[Item]:
    """Per running cycle: the reviews written below the viewer waiting in calibration."""
    items = []
    for index, cycle in enumerate(cycles):
        count = calibration.to_calibrate_count(viewer, cycle)
        due = cycle.phase_due(PhaseKind.CALIBRATION)
        items.append(
            Item(
                key="manager.calibrate" if index == 0 else f"manager.calibrate.{cycle.id}",
                label=_("Ratings to calibrate (%(cycle)s)", cycle=cycle.name),
                count=count,
                url=path_for("goals.calibration", cycle=cycle.id),
                urgency=urgency_of(due, today),
                due=due,
            )
        )
    return items


def business_action_item(viewer: Person, today: date) -> Item:
    count, due = actions.open_action_summary(viewer)
    return Item(
        key="manager.business_actions",
        label=_("Business-review actions open"),
        count=count,
        url=path_for("business.my_actions"),
        urgency=urgency_of(due, today),
        due=due,
    )


def _team_names(ids: set[int | None]) -> dict[int | None, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted))).all())


def section(person: Person, today: date) -> Section | None:
    """The manager section, or None for someone who manages no manager."""
    if not manages_managers(person):
        return None
    cycles = running_cycles()
    items = [one_on_one_item(person)]
    items += review_items(person, cycles, today)
    items += calibration_items(person, cycles, today)
    items.append(business_action_item(person, today))
    return Section(key="manager", title=_("Your organisation"), items=items)
