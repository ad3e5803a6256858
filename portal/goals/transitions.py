"""The review's lifecycle, declared once as data. Services move a review only through
`next_state`; pages offer only the steps `available_steps` returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from portal.errors import InvalidTransition
from portal.goals.models import ReviewState

S = ReviewState

TRANSITIONS: dict[tuple[ReviewState, str], ReviewState] = {
    (S.DRAFT, "start"): S.SELF_REVIEW,  # goals are set: the employee may assess themselves
    (S.SELF_REVIEW, "submit_self"): S.MANAGER_REVIEW,
    (S.MANAGER_REVIEW, "submit_manager"): S.CALIBRATION,
    (S.CALIBRATION, "share"): S.SHARED,
    (S.SHARED, "acknowledge"): S.ACKNOWLEDGED,
    (S.ACKNOWLEDGED, "lock"): S.LOCKED,
}

# The policy action (policy.RULES) each step needs.
STEP_RULE: dict[str, str] = {
    "start": "review.start",
    "submit_self": "review.self",
    "submit_manager": "review.manager",
    "share": "review.share",
    "acknowledge": "review.acknowledge",
    "lock": "review.lock",
}

# Steps taken from the review page's buttons (the two submits come with their forms).
BUTTON_STEPS = ("start", "share", "acknowledge", "lock")

STEP_LABELS = {
    "start": _l("Open self-assessment"),
    "submit_self": _l("Submit self-assessment"),
    "submit_manager": _l("Submit manager assessment"),
    "share": _l("Share with the employee"),
    "acknowledge": _l("Acknowledge"),
    "lock": _l("Lock"),
}

STATE_LABELS = {
    S.DRAFT: _l("Draft (goal setting)"),
    S.SELF_REVIEW: _l("Self-assessment"),
    S.MANAGER_REVIEW: _l("Manager assessment"),
    S.CALIBRATION: _l("Calibration"),
    S.SHARED: _l("Shared"),
    S.ACKNOWLEDGED: _l("Acknowledged"),
    S.LOCKED: _l("Locked"),
}

# HR may reopen a review that is past the self-assessment, back to one of these states.
REOPEN_FROM = frozenset({S.MANAGER_REVIEW, S.CALIBRATION, S.SHARED, S.ACKNOWLEDGED, S.LOCKED})
REOPEN_TO = (S.SELF_REVIEW, S.MANAGER_REVIEW)

# Where each kind of writing is open.
GOALS_EDITABLE = frozenset({S.DRAFT})
CHECK_INS_OPEN = frozenset({S.DRAFT, S.SELF_REVIEW, S.MANAGER_REVIEW})
SELF_EDITABLE = frozenset({S.SELF_REVIEW})
# The reviewer may prepare a private draft while the employee writes theirs.
MANAGER_EDITABLE = frozenset({S.SELF_REVIEW, S.MANAGER_REVIEW})
FINISHED = frozenset({S.ACKNOWLEDGED, S.LOCKED})


def next_state(state: str, step: str) -> ReviewState:
    """The state after `step`, or InvalidTransition when the step is not possible from `state`."""
    try:
        return TRANSITIONS[(ReviewState(state), step)]
    except (KeyError, ValueError):
        raise InvalidTransition() from None


def reopen_state(state: str, to: str) -> ReviewState:
    """The state HR reopens to; InvalidTransition when the review cannot go back there."""
    try:
        current, target = ReviewState(state), ReviewState(to)
    except ValueError:
        raise InvalidTransition() from None
    if current not in REOPEN_FROM or target not in REOPEN_TO:
        raise InvalidTransition()
    if current == S.MANAGER_REVIEW and target == S.MANAGER_REVIEW:
        raise InvalidTransition()
    return target


def available_steps(state: str) -> list[str]:
    """The steps possible from `state`, in lifecycle order."""
    return [step for (from_state, step) in TRANSITIONS if from_state == state]


# ---- the share gate -------------------------------------------------------------------------
# "share" needs more than the CALIBRATION state: calibration must be closed for the review.
# HR closes it explicitly (for the cycle, a team, or one review as an override with a reason),
# because a calibration ends when the room has agreed, not when a date passes. A close covers the
# reviews submitted before it; one submitted later (late, or reopened and resubmitted) waits for
# HR again, so no review reaches the employee without having been open to calibration. A cycle
# without a calibration phase shares as soon as the manager submits.

GATED_STEPS = frozenset({"share"})
CLOSE_ORDER = ("cycle", "team", "review")  # which close a page names when several cover it


@dataclass(frozen=True)
class CloseFact:
    scope: str  # CloseScope: cycle / team / review
    closed_at: datetime
    by_name: str
    reason: str


@dataclass(frozen=True)
class ShareGate:
    is_open: bool
    # "no_calibration" (the cycle has no calibration phase), "closed" (a cycle or team close
    # covers the review), "override" (HR opened this one review), "waiting" (calibration is
    # still open), "late" (submitted after calibration closed: HR decides).
    because: str
    close: CloseFact | None  # the close that opened the gate
    planned_on: date | None  # the calibration phase's due date


def share_gate(
    *,
    has_calibration: bool,
    planned_on: date | None,
    submitted_at: datetime | None,
    closes: Sequence[CloseFact],
) -> ShareGate:
    """Whether a review submitted by its manager at `submitted_at` may be shared, given the
    closes of calibration that concern it (its cycle's, its team's, its own)."""
    if not has_calibration:
        return ShareGate(True, "no_calibration", None, None)
    covering = [c for c in closes if submitted_at is not None and c.closed_at >= submitted_at]
    if covering:
        close = min(covering, key=lambda c: (CLOSE_ORDER.index(c.scope), c.closed_at))
        because = "override" if close.scope == "review" else "closed"
        return ShareGate(True, because, close, planned_on)
    late = submitted_at is not None and any(c.scope != "review" for c in closes)
    return ShareGate(False, "late" if late else "waiting", None, planned_on)
