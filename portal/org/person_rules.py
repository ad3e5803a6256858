"""What a person's details must satisfy: pure checks on plain values, shared by the HR forms'
service and the CSV importer. Each check returns a message for the person, or None."""

from __future__ import annotations

from collections.abc import Container
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from portal.web import valid_time_zone

NAME_MAX = 160
EMAIL_MAX = 254
EMPLOYEE_ID_MAX = 32
EARLIEST_DATE = date(1900, 1, 1)
# A start date may be planned ahead, but not by more than a year.
FUTURE_DAYS_ALLOWED = 366


def email_problem(email: str) -> str | None:
    """Why `email` is not a usable e-mail address, or None."""
    if not email:
        return _("Enter an e-mail address.")
    if len(email) > EMAIL_MAX:
        return _("Use at most %(n)d characters.", n=EMAIL_MAX)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("Enter a valid e-mail address, like name@example.com.")
    return None


def text_problem(value: str, *, required: bool, limit: int) -> str | None:
    """Why a free-text value is missing or too long, or None."""
    if required and not value:
        return _("This is required.")
    if len(value) > limit:
        return _("Use at most %(n)d characters.", n=limit)
    return None


def time_zone_problem(name: str) -> str | None:
    if not valid_time_zone(name):
        return _("Use a time zone name like Asia/Hong_Kong or UTC.")
    return None


def locale_problem(locale: str, languages: Container[str]) -> str | None:
    if locale not in languages:
        return _("Choose one of the portal's languages.")
    return None


def date_problems(
    hire_on: date | None, position_since_on: date | None, *, today: date
) -> dict[str, str]:
    """Problems with the hire date and the date in position, keyed by field name."""
    problems: dict[str, str] = {}
    latest = date.fromordinal(today.toordinal() + FUTURE_DAYS_ALLOWED)
    for key, value in (("hire_on", hire_on), ("position_since_on", position_since_on)):
        if value is not None and not EARLIEST_DATE <= value <= latest:
            problems[key] = _(
                "Use a date between %(first)s and %(last)s.",
                first=EARLIEST_DATE.isoformat(),
                last=latest.isoformat(),
            )
    if (
        "position_since_on" not in problems
        and hire_on is not None
        and position_since_on is not None
        and position_since_on < hire_on
    ):
        problems["position_since_on"] = _("The date in position cannot be before the hire date.")
    return problems
