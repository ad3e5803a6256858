"""Reading the list and exporting it as CSV, both written to the audit log (who read which
actions, with which filters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from portal import audit
from portal.conduct import queries
from portal.conduct.labels import KIND_LABELS, STANDING_LABELS, STATE_LABELS
from portal.extensions import db
from portal.org import csv_safety
from portal.org.models import Person


def list_actions(
    viewer: Person,
    filters: queries.ActionFilters,
    *,
    after: str | None,
    page_size: int,
    today: date,
) -> queries.ActionPage:
    """One page of the list; which actions were shown is audited ("conduct.list")."""
    page = queries.actions_page(viewer, filters, after=after, page_size=page_size, today=today)
    audit.record(
        viewer,
        "conduct.list",
        "corrective_action",
        None,
        None,
        {"filters": filters.as_args(), "ids": [row.id for row in page.rows]},
    )
    db.session.commit()
    return page


@dataclass(frozen=True)
class ExportFile:
    text: str
    count: int


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def export_actions(viewer: Person, filters: queries.ActionFilters, today: date) -> ExportFile:
    """The actions of the list (every page, up to queries.EXPORT_CAP) as CSV safe to open in
    a spreadsheet: dates, kinds and states, never the facts. Audited ("conduct.export")."""
    rows = queries.actions_for_export(viewer, filters, today)
    header = [
        _("Action"),
        _("Person"),
        _("Employee ID"),
        _("Kind"),
        _("State"),
        _("Standing"),
        _("Conversation on"),
        _("Issued on"),
        _("Acknowledged on"),
        _("Expires on"),
        _("Next follow-up"),
        _("Open follow-ups"),
        _("Written by"),
    ]
    body = [
        [
            row.id,
            row.person_name,
            row.employee_id,
            str(KIND_LABELS.get(row.kind, row.kind)),  # type: ignore[call-overload]
            str(STATE_LABELS.get(row.state, row.state)),  # type: ignore[call-overload]
            str(STANDING_LABELS[row.standing]),
            _day(row.held_on),
            _day(row.issued_on),
            _day(row.acknowledged_on),
            _day(row.expires_on),
            _day(row.next_follow_up),
            row.open_follow_ups,
            row.author_name,
        ]
        for row in rows
    ]
    text = csv_safety.csv_text(header, body)
    audit.record(
        viewer,
        "conduct.export",
        "corrective_action",
        None,
        None,
        {"count": len(rows), "filters": filters.as_args(), "ids": [r.id for r in rows]},
    )
    db.session.commit()
    return ExportFile(text, len(rows))
