"""The words for a corrective action's kinds, states and standings, and for the records it may
refer to (lazy: rendered in the reader's language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.conduct.models import LinkType
from portal.conduct.rules import Kind, Standing, State

KIND_LABELS = {
    Kind.CONVERSATION: _l("Documented conversation"),
    Kind.VERBAL_WARNING: _l("Verbal warning"),
    Kind.WRITTEN_WARNING: _l("Written warning"),
    Kind.FINAL_WARNING: _l("Final warning"),
}
STATE_LABELS = {
    State.DRAFT: _l("Draft"),
    State.ISSUED: _l("Issued, awaiting acknowledgment"),
    State.ACKNOWLEDGED: _l("Acknowledged"),
    State.CLOSED: _l("Closed"),
}
STANDING_LABELS = {
    Standing.DRAFT: _l("Not issued"),
    Standing.ACTIVE: _l("Active"),
    Standing.EXPIRED: _l("Expired"),
}
LINK_LABELS = {
    LinkType.EVALUATION: _l("QA evaluations"),
    LinkType.REVIEW: _l("Performance reviews"),
    LinkType.KPI: _l("KPIs"),
    LinkType.ONE_ON_ONE: _l("1:1 meetings"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))  # type: ignore[call-overload]
