"""The rules of an improvement plan, as pure functions of plain values (no database, no clock).

- Length: a plan runs 30, 60 or 90 days; an extension adds 30, 60 or 90 more. The end date is
  the start plus every one of those days (a 30-day plan starting on 1 March ends on 31 March).
- Lifecycle: draft -> active (the employee is told and acknowledges; acknowledging is not
  agreeing) -> closed with an outcome, met or not met. "Extended" is the third outcome of a
  period: the plan stays active and its end date moves.
- Check-ins: one is due every `check_in_every_days` after the last one held (or after the start),
  never later than the end date.
- Expectations are measurable goals: progress from baseline to target in a direction, the goals'
  own maths (portal.goals.progress); an expectation is met when its latest value reaches the
  target. A plan's standing counts expectations (met, measured, total): no average to mislead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.errors import InvalidTransition
from portal.goals import figures
from portal.goals import progress as maths
from portal.improvement.models import Outcome, PlanState

LENGTHS = (30, 60, 90)
CHECK_IN_EVERY_MIN = 1
CHECK_IN_EVERY_MAX = 31
CHECK_IN_EVERY_DEFAULT = 7

S = PlanState

# Lifecycle steps, declared once; services move a plan only through next_state.
TRANSITIONS: dict[tuple[PlanState, str], PlanState] = {
    (S.DRAFT, "start"): S.ACTIVE,
    (S.ACTIVE, "extend"): S.ACTIVE,
    (S.ACTIVE, "close"): S.CLOSED,
}
CLOSING_OUTCOMES = (Outcome.MET, Outcome.NOT_MET)


def next_state(state: str, step: str) -> PlanState:
    """The state after `step`; InvalidTransition when the step is not possible from `state`."""
    try:
        return TRANSITIONS[(PlanState(state), step)]
    except (KeyError, ValueError):
        raise InvalidTransition() from None


def can_acknowledge(state: str, acknowledged: bool) -> bool:
    """The employee acknowledges an active plan, once."""
    return state == S.ACTIVE and not acknowledged


def end_date(starts_on: date, length_days: int, extensions: Iterable[int] = ()) -> date:
    """The plan's last day: the start plus its length plus every extension's days."""
    if length_days not in LENGTHS:
        raise ValueError(f"a plan runs {LENGTHS} days, not {length_days}")
    added = list(extensions)
    if any(days not in LENGTHS for days in added):
        raise ValueError(f"an extension adds {LENGTHS} days")
    return starts_on + timedelta(days=length_days + sum(added))


def next_check_in_due(
    starts_on: date, every_days: int, last_held_on: date | None, ends_on: date
) -> date:
    """When the next check-in is due: `every_days` after the last one held (or the start), and
    never after the end date (the last check-in falls on it)."""
    if not CHECK_IN_EVERY_MIN <= every_days <= CHECK_IN_EVERY_MAX:
        raise ValueError("check-ins are due every 1 to 31 days")
    since = max(last_held_on, starts_on) if last_held_on else starts_on
    return min(since + timedelta(days=every_days), ends_on)


def days_left(ends_on: date, today: date) -> int:
    """Days from today to the end date (0 on the last day, negative once it has passed)."""
    return (ends_on - today).days


def plan_errors(
    *, starts_on: date | None, length_days: int | None, every_days: int | None, reason: str
) -> dict[str, str]:
    """What is wrong with a plan's fields, as {field: code}; empty when it may be saved."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "required"
    if starts_on is None:
        errors["starts_on"] = "required"
    if length_days not in LENGTHS:
        errors["length_days"] = "length"
    if every_days is None or not CHECK_IN_EVERY_MIN <= every_days <= CHECK_IN_EVERY_MAX:
        errors["check_in_every_days"] = "cadence"
    return errors


def check_in_date_error(held_on: date, starts_on: date, today: date) -> str | None:
    """A check-in is held on a day from the plan's start to today: "before_start", "future"."""
    if held_on < starts_on:
        return "before_start"
    if held_on > today:
        return "future"
    return None


@dataclass(frozen=True)
class ExpectationFigures:
    progress: figures.GoalFigures  # from baseline (0 %) to target (100 %), latest value
    is_met: bool


def expectation_figures(
    direction: str, baseline: Decimal, target: Decimal, latest: Decimal | None
) -> ExpectationFigures:
    """An expectation's progress from its baseline to the latest value checked in."""
    shown = figures.goal_figures(direction, baseline, target, latest)
    return ExpectationFigures(shown, maths.is_met(shown.progress))


@dataclass(frozen=True)
class Standing:
    met: int  # expectations whose latest value reaches the target
    measured: int  # expectations with at least one value checked in
    total: int  # every expectation of the plan


def standing(expectations: Sequence[ExpectationFigures]) -> Standing:
    """How many expectations are met, how many were measured, out of how many."""
    return Standing(
        met=sum(1 for e in expectations if e.is_met),
        measured=sum(1 for e in expectations if e.progress.progress is not None),
        total=len(expectations),
    )


def latest_after(
    current_on: date | None, current_value: Decimal | None, held_on: date, value: Decimal
) -> tuple[date, Decimal]:
    """An expectation's latest (date, value) once a check-in held on `held_on` measured it: a
    check-in recorded late for an earlier day does not replace a later value."""
    if current_on is not None and current_value is not None and held_on < current_on:
        return current_on, current_value
    return held_on, value
