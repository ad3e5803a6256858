"""Small helpers shared by the organisation tests."""

from __future__ import annotations

import csv
import html
import io
import re

from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db

MARKER_RE = re.compile(r"MK-[A-Z0-9]+")
NEXT_RE = re.compile(r'<a href="([^"]+)" rel="next">')


def markers_in(text: str) -> set[str]:
    return set(MARKER_RE.findall(text))


def table_markers(page: str) -> set[str]:
    """Markers inside the results table only (the header shows the viewer's own name)."""
    start = page.index('id="person-table"')
    return markers_in(page[start:])


def next_link(page: str) -> str | None:
    match = NEXT_RE.search(page)
    return html.unescape(match.group(1)) if match else None


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "exports start with a BOM so Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def audit_entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.execute(stmt).scalars())
