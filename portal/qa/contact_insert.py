"""Inserting checked contacts in bulk, skipping any whose (source, external_id) is already in.

Both paths let the unique index decide what is a duplicate (ON CONFLICT DO NOTHING) and return
the keys of the rows that went in, so the caller can name the rows that did not.
PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT per batch (COPY is the fast
way in; psycopg would otherwise spend most of the time preparing 14,000-parameter statements).
SQLite: one core INSERT per batch with many VALUES rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from portal.extensions import db
from portal.qa.models import Contact

COLUMNS = (
    "channel",
    "source",
    "external_id",
    "person_id",
    "occurred_at",
    "direction",
    "customer_ref",
    "duration_seconds",
    "market_id",
    "segment_id",
    "transcript",
    "recording_url",
    "created_at",
    "import_batch_id",
)
_STAGE = "contact_import_stage"
_COLUMN_LIST = ", ".join(COLUMNS)


def insert_contacts(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Insert the rows (dicts with every name in COLUMNS); the (source, external_id) of those
    that went in. Runs in the caller's transaction; commits nothing."""
    if not rows:
        return set()
    if db.session.get_bind().dialect.name == "postgresql":
        return _insert_postgresql(rows)
    return _insert_core(rows)


def _insert_core(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    table = Contact.__table__
    stmt = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(table.c.source, table.c.external_id)
    )
    return {(source, external_id) for source, external_id in db.session.execute(stmt, rows)}


def _insert_postgresql(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    session = db.session
    # Same column types as contact, no constraints; lives as long as the connection.
    session.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} AS "
            f"SELECT {_COLUMN_LIST} FROM contact WITH NO DATA"
        )
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {_STAGE} ({_COLUMN_LIST}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in COLUMNS])
    inserted = session.execute(
        text(
            f"INSERT INTO contact ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM {_STAGE} "
            "ON CONFLICT (source, external_id) DO NOTHING RETURNING source, external_id"
        )
    )
    keys = {(source, external_id) for source, external_id in inserted}
    session.execute(text(f"DELETE FROM {_STAGE}"))
    return keys
