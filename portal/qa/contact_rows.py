"""The contacts CSV format: its columns, the header check and the check of one row.

Pure: plain values in (the row's cells, lookups of markets, segments and agents), a row ready to
insert or the row's errors out; no database, no Flask request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from portal.params import parse_int
from portal.qa.models import Channel, Direction

COLUMNS = (
    "channel",
    "source",
    "external_id",
    "agent_employee_id",
    "agent_email",
    "occurred_at",
    "direction",
    "customer_ref",
    "duration_seconds",
    "market",
    "segment",
    "transcript",
    "recording_url",
)
REQUIRED_COLUMNS = ("channel", "source", "external_id", "occurred_at", "direction")
AGENT_COLUMNS = ("agent_employee_id", "agent_email")
EXAMPLE_ROWS = (
    (
        "phone",
        "genesys",
        "CALL-000123",
        "HK-00123",
        "",
        "2026-03-04T09:15:00+08:00",
        "inbound",
        "MERCHANT-5521",
        "412",
        "HK",
        "SMALL",
        "",
        "https://recordings.example.com/CALL-000123",
    ),
    (
        "email",
        "zendesk",
        "TICKET-98765",
        "",
        "agent@example.com",
        "2026-03-04 10:02:00",
        "outbound",
        "",
        "",
        "",
        "",
        "Dear merchant, thank you for your message.",
        "",
    ),
)
MAX_TRANSCRIPT = 100_000
MAX_DURATION = 24 * 60 * 60


@dataclass(frozen=True)
class Agent:
    person_id: int
    market_id: int | None
    segment_id: int | None


@dataclass(frozen=True)
class Reference:
    """Lookups for one import: market and segment codes (lower-case) to ids."""

    markets: Mapping[str, int]
    segments: Mapping[str, int]


@dataclass
class RowCheck:
    """One row's values as read, and the errors found while checking them."""

    row: int  # the line in the file where the row starts; line 1 is the header
    values: Mapping[str, str]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"row": self.row, "column": column, "message": message})

    def text(self, column: str, limit: int, *, required: bool = False) -> str | None:
        value = self.values.get(column, "")
        if "\x00" in value:
            self.error(column, _("The cell holds a NUL character; remove it."))
        elif not value and required:
            self.error(column, _("Required."))
        elif len(value) > limit:
            self.error(column, _("At most %(n)d characters.", n=limit))
        else:
            return value or None
        return None


def header_problem(names: list[str]) -> str | None:
    """One message naming every missing, unknown or repeated column (None: the header is fine)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if not any(c in names for c in AGENT_COLUMNS):
        missing.append(_("agent_employee_id or agent_email"))
    unknown = [c or _("(empty)") for c in names if c not in COLUMNS]
    repeated = sorted({c for c in names if c and names.count(c) > 1})
    if not (missing or unknown or repeated):
        return None
    parts = []
    if missing:
        parts.append(_("missing: %(c)s", c=", ".join(missing)))
    if unknown:
        parts.append(_("not known: %(c)s", c=", ".join(unknown)))
    if repeated:
        parts.append(_("repeated: %(c)s", c=", ".join(repeated)))
    return _(
        "The columns do not match the template (%(details)s). The first line must name the "
        "columns: %(columns)s.",
        details="; ".join(parts),
        columns=", ".join(COLUMNS),
    )


def agent_key(values: Mapping[str, str]) -> tuple[str, str] | None:
    """How a row names its agent: by employee id when given, else by e-mail (lower-case)."""
    if employee_id := values.get("agent_employee_id", ""):
        return ("employee_id", employee_id)
    if email := values.get("agent_email", ""):
        return ("email", email.lower())
    return None


def check_row(
    check: RowCheck,
    reference: Reference,
    agents: Mapping[tuple[str, str], Agent | None],
    *,
    now: datetime,
) -> dict[str, Any] | None:
    """The contact's column values, or None when the row has errors (recorded on `check`)."""
    channel = _member(check, "channel", Channel)
    direction = _member(check, "direction", Direction)
    source = check.text("source", 64, required=True)
    external_id = check.text("external_id", 128, required=True)
    occurred_at = _timestamp(check, now)
    customer_ref = check.text("customer_ref", 120)
    duration = _duration(check)
    transcript = check.text("transcript", MAX_TRANSCRIPT)
    recording_url = _url(check)
    agent = _agent(check, agents)
    market_id = _code(check, "market", reference.markets, agent.market_id if agent else None)
    segment_id = _code(check, "segment", reference.segments, agent.segment_id if agent else None)
    if check.errors or agent is None:
        return None
    return {
        "channel": channel,
        "direction": direction,
        "source": source,
        "external_id": external_id,
        "person_id": agent.person_id,
        "occurred_at": occurred_at,
        "customer_ref": customer_ref,
        "duration_seconds": duration,
        "market_id": market_id,
        "segment_id": segment_id,
        "transcript": transcript,
        "recording_url": recording_url,
    }


def _member(check: RowCheck, column: str, kind: type[Channel] | type[Direction]) -> str | None:
    value = check.values.get(column, "").lower()
    if value in {member.value for member in kind}:
        return value
    allowed = ", ".join(member.value for member in kind)
    check.error(column, _("Use one of: %(allowed)s.", allowed=allowed))
    return None


def _timestamp(check: RowCheck, now: datetime) -> datetime | None:
    value = check.values.get("occurred_at", "")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        check.error(
            "occurred_at",
            _("Use a date and time like 2026-03-04T09:15:00+08:00 (without an offset: UTC)."),
        )
        return None
    # A time without an offset is read as UTC, as the import page says.
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if parsed > now + timedelta(days=1):
        check.error("occurred_at", _("The contact cannot be in the future."))
        return None
    if parsed.year < 2000:
        check.error("occurred_at", _("The contact cannot be before the year 2000."))
        return None
    return parsed


def _duration(check: RowCheck) -> int | None:
    value = check.values.get("duration_seconds", "")
    if not value:
        return None
    seconds = parse_int(value, minimum=0, maximum=MAX_DURATION)
    if seconds is not None:
        return seconds
    check.error(
        "duration_seconds", _("Use whole seconds from 0 to %(n)d, like 412.", n=MAX_DURATION)
    )
    return None


def _url(check: RowCheck) -> str | None:
    value = check.text("recording_url", 1000)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        check.error("recording_url", _("Use an http:// or https:// link."))
        return None
    return value


def _agent(check: RowCheck, agents: Mapping[tuple[str, str], Agent | None]) -> Agent | None:
    key = agent_key(check.values)
    if key is None:
        check.error("agent_employee_id", _("Name the agent by employee id or e-mail."))
        return None
    agent = agents.get(key)
    if agent is None:
        # The same words whether the person does not exist or is outside the importer's reach.
        column = "agent_employee_id" if key[0] == "employee_id" else "agent_email"
        check.error(column, _("Unknown agent."))
    return agent


def _code(
    check: RowCheck, column: str, known: Mapping[str, int], default: int | None
) -> int | None:
    value = check.values.get(column, "")
    if not value:
        return default
    found = known.get(value.lower())
    if found is None:
        check.error(column, _("Unknown code “%(code)s”.", code=value[:40]))
    return found
