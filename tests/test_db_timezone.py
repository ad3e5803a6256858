"""Timestamps come back as aware UTC datetimes; on PostgreSQL the session runs in "UTC" so that
psycopg hands them over with `datetime.UTC` itself (no per-row zone conversion)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import literal, select, text

from portal.db import UTCDateTime
from portal.extensions import db


def test_a_timestamp_reads_back_as_the_same_utc_moment(app):
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    value = db.session.execute(select(literal(moment, UTCDateTime()))).scalar()
    assert value == moment
    assert value.utcoffset() == timedelta(0)
    assert value.tzinfo is UTC or value.tzinfo == UTC


def test_postgres_sessions_run_in_utc_and_return_datetime_utc(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.execute(text("SHOW TIME ZONE")).scalar() == "UTC"
    raw = db.session.execute(text("SELECT TIMESTAMPTZ '2026-07-01 12:00:00+02'")).scalar()
    assert raw.tzinfo is UTC  # psycopg's own value: no ZoneInfo to convert per row
    assert raw == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
