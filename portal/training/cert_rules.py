"""Certification states and expiry dates: pure rules.

valid -> expiring (from `alert_days` before the expiry date) -> expired (on the expiry date:
a certification "expires on" a day and is no longer held that day). No expiry: always valid.
"""

from __future__ import annotations

import calendar
import enum
from datetime import date, timedelta

DEFAULT_ALERT_DAYS = 30


class CertState(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


def state(expires_on: date | None, today: date, alert_days: int = DEFAULT_ALERT_DAYS) -> CertState:
    if expires_on is None:
        return CertState.VALID
    if today >= expires_on:
        return CertState.EXPIRED
    if today >= expires_on - timedelta(days=alert_days):
        return CertState.EXPIRING
    return CertState.VALID


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def needs_reminder(
    expires_on: date | None, today: date, reminded: bool, alert_days: int = DEFAULT_ALERT_DAYS
) -> bool:
    """A renewal reminder is due once, when the certification enters its alert window (or is
    found already expired without one)."""
    return not reminded and state(expires_on, today, alert_days) != CertState.VALID
