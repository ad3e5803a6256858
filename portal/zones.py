"""A person's time zone and the UTC moment their day starts: shared by the pages' date filters
and the domain queries (no HTTP here), so "a day" means the same everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo


def zone_of(person: Any) -> ZoneInfo:
    """The person's time zone (UTC when they have none or an unknown one)."""
    try:
        return ZoneInfo(getattr(person, "time_zone", None) or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in `zone`, as a UTC moment (days are the person's,
    moments are stored in UTC)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
