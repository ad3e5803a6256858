"""The people CSV format: reading a file, checking every row, ordering managers first.

Reading and checking are pure (bytes and plain lookups in, dataclasses out), so they are tested
without HTTP or a database; the lookups come from import_lookup.load_reference. The service
writes the checked rows (all or nothing) in services.import_people.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from portal.org import person_rules as rules
from portal.org import reporting_order
from portal.org.import_lookup import Reference
from portal.org.models import Person
from portal.params import first_control_char

COLUMNS = (
    "name",
    "name_romanised",
    "email",
    "employee_id",
    "position",
    "manager_email",
    "hire_on",
    "position_since_on",
    "market",
    "segment",
    "team",
    "locale",
    "time_zone",
    "active",
)
REQUIRED_COLUMNS = ("name", "email", "employee_id", "position")
MAX_ROWS = 10_000
EXAMPLE_ROW = (
    "陳大文",
    "Chan Tai Man",
    "tai.man.chan@example.com",
    "HK-00123",
    "agent",
    "supervisor@example.com",
    "2024-03-04",
    "2024-03-04",
    "HK",
    "SMALL",
    "Team A",
    "zh_Hant",
    "Asia/Hong_Kong",
    "yes",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file; line 1 is the header
    column: str
    message: str


@dataclass(frozen=True)
class RawRow:
    row: int
    values: Mapping[str, str]
    has_extra_cells: bool = False


@dataclass(frozen=True)
class ParsedFile:
    rows: tuple[RawRow, ...] = ()
    problem: str | None = None  # one message for the whole file (encoding, columns)


@dataclass(frozen=True)
class NewPerson:
    row: int
    name: str
    name_romanised: str | None
    email: str
    employee_id: str
    position_id: int
    manager_email: str | None  # lower-case; in the file or in the database
    hire_on: date | None
    position_since_on: date | None
    market_id: int | None
    segment_id: int | None
    team_id: int | None
    locale: str
    time_zone: str
    is_active: bool


@dataclass(frozen=True)
class ImportPlan:
    people: tuple[NewPerson, ...] = ()  # managers before their reports
    errors: tuple[RowError, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors


def read_csv(data: bytes) -> ParsedFile:
    """Decode (UTF-8, with or without a BOM) and split into rows; check the header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedFile(
            problem=_(
                "The file is not UTF-8 text. In your spreadsheet choose "
                "“Save as… CSV UTF-8” and upload it again."
            )
        )
    control = first_control_char(text)
    if control is not None:
        line = text.count("\n", 0, control) + 1
        return ParsedFile(
            problem=_(
                "Line %(n)d of the file holds a control character (such as NUL), which no "
                "field may contain. Remove it, or save the file again as “CSV UTF-8”.",
                n=line,
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return ParsedFile(problem=_("The file is empty."))
        names = [cell.strip().lower() for cell in header]
        problem = _header_problem(names)
        if problem:
            return ParsedFile(problem=problem)
        rows: list[RawRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return ParsedFile(
                    problem=_("The file has more than %(n)d rows; split it.", n=MAX_ROWS)
                )
            values = {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}
            rows.append(RawRow(reader.line_num, values, len(cells) > len(names)))
    except csv.Error as error:
        return ParsedFile(problem=_("The file could not be read as CSV: %(e)s", e=str(error)))
    if not rows:
        return ParsedFile(problem=_("The file has a header but no people."))
    return ParsedFile(rows=tuple(rows))


def _header_problem(names: list[str]) -> str | None:
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [c for c in names if c not in COLUMNS]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if not (missing or unknown or repeated):
        return None
    parts = []
    if missing:
        parts.append(_("missing: %(c)s", c=", ".join(missing)))
    if unknown:
        parts.append(_("not known: %(c)s", c=", ".join(c or "(empty)" for c in unknown)))
    if repeated:
        parts.append(_("repeated: %(c)s", c=", ".join(repeated)))
    return _(
        "The columns do not match the template (%(details)s). The first line must name the "
        "columns: %(columns)s.",
        details="; ".join(parts),
        columns=", ".join(COLUMNS),
    )


@dataclass
class _RowCheck:
    """Collects one row's errors while its values are read."""

    row: int
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str | None) -> None:
        if message:
            self.errors.append(RowError(self.row, column, message))


def _date(check: _RowCheck, column: str, value: str) -> date | None:
    if not value:
        return None
    if _DATE.match(value):
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            pass
    check.error(column, _("Use a real date written YYYY-MM-DD, like 2024-03-04."))
    return None


def _code(check: _RowCheck, column: str, value: str, known: Mapping[str, Any]) -> Any:
    if not value:
        return None
    found = known.get(value.lower())
    if found is None:
        check.error(column, _("“%(v)s” is not a known code.", v=value))
    return found


def _team(
    check: _RowCheck, value: str, market_id: int | None, ref: Reference
) -> tuple[int, int | None] | None:
    if not value:
        return None
    candidates = list(ref.teams.get(value.lower(), ()))
    if market_id is not None:
        candidates = [c for c in candidates if c[1] == market_id]
    if len(candidates) == 1:
        return candidates[0]
    if not ref.teams.get(value.lower()):
        check.error("team", _("No team is called “%(v)s”.", v=value))
    elif not candidates:
        check.error("team", _("Team “%(v)s” is not in this row's market.", v=value))
    else:
        check.error("team", _("Several teams are called “%(v)s”; fill in the market.", v=value))
    return None


def _check_row(raw: RawRow, ref: Reference) -> tuple[NewPerson | None, list[RowError]]:
    check = _RowCheck(raw.row)
    v = raw.values

    def get(column: str) -> str:
        return v.get(column, "")

    if raw.has_extra_cells:
        check.error("", _("This row has more cells than the header has columns."))
    name, romanised = get("name"), get("name_romanised")
    check.error("name", rules.text_problem(name, required=True, limit=rules.NAME_MAX))
    check.error(
        "name_romanised", rules.text_problem(romanised, required=False, limit=rules.NAME_MAX)
    )
    email, employee_id = get("email"), get("employee_id")
    check.error("email", rules.email_problem(email))
    if email and email.lower() in ref.people_by_email:
        check.error("email", _("Someone with this e-mail is already in the portal."))
    check.error(
        "employee_id", rules.text_problem(employee_id, required=True, limit=rules.EMPLOYEE_ID_MAX)
    )
    if employee_id and employee_id.lower() in ref.employee_ids:
        check.error("employee_id", _("Someone with this employee ID is already in the portal."))
    position_id = _code(check, "position", get("position"), ref.positions)
    if not get("position"):
        check.error("position", _("This is required."))
    market = _code(check, "market", get("market"), ref.markets)
    market_id, market_zone = market or (None, None)
    segment_id = _code(check, "segment", get("segment"), ref.segments)
    team = _team(check, get("team"), market_id, ref)
    if team is not None and market_id is None and not get("market"):
        market_id = team[1]
    hire_on = _date(check, "hire_on", get("hire_on"))
    since_on = _date(check, "position_since_on", get("position_since_on"))
    for column, message in rules.date_problems(hire_on, since_on, today=ref.today).items():
        check.error(column, message)
    locale = get("locale") or "en"
    check.error("locale", rules.locale_problem(locale, ref.languages))
    time_zone = get("time_zone") or market_zone or "UTC"
    check.error("time_zone", rules.time_zone_problem(time_zone))
    active = get("active").lower() or "yes"
    if active not in _YES | _NO:
        check.error("active", _("Use yes or no."))
    if check.errors:
        return None, check.errors
    person = NewPerson(
        row=raw.row,
        name=name,
        name_romanised=romanised or None,
        email=email,
        employee_id=employee_id,
        position_id=position_id,
        manager_email=get("manager_email").lower() or None,
        hire_on=hire_on,
        position_since_on=since_on,
        market_id=market_id,
        segment_id=segment_id,
        team_id=team[0] if team else None,
        locale=locale,
        time_zone=time_zone,
        is_active=active in _YES,
    )
    return person, []


def _duplicates(rows: Sequence[RawRow], column: str, message: str) -> list[RowError]:
    """Every repeat of a value (case-insensitive) within the file, naming the first row."""
    first: dict[str, int] = {}
    errors = []
    for raw in rows:
        value = raw.values.get(column, "").lower()
        if not value:
            continue
        if value in first:
            errors.append(RowError(raw.row, column, message % {"row": first[value]}))
        else:
            first[value] = raw.row
    return errors


def _manager_errors(rows: Sequence[RawRow], ref: Reference) -> list[RowError]:
    """Managers must be in the file or in the portal (and active); loops are refused."""
    in_file = {}
    for raw in rows:
        in_file.setdefault(raw.values.get("email", "").lower(), raw.row)
    manager_row: dict[int, int] = {}
    errors = []
    for raw in rows:
        manager = raw.values.get("manager_email", "").lower()
        if not manager:
            continue
        if manager == raw.values.get("email", "").lower():
            errors.append(
                RowError(raw.row, "manager_email", _("A person cannot manage themselves."))
            )
        elif manager in in_file:
            manager_row[raw.row] = in_file[manager]
        elif manager not in ref.people_by_email:
            errors.append(
                RowError(
                    raw.row, "manager_email", _("No one has this e-mail, here or in the file.")
                )
            )
        elif not ref.people_by_email[manager][1]:
            errors.append(RowError(raw.row, "manager_email", _("This manager is deactivated.")))
    for loop in reporting_order.loops(manager_row):
        rows_text = ", ".join(str(r) for r in sorted(loop))
        for row in loop:
            errors.append(
                RowError(
                    row,
                    "manager_email",
                    _("Rows %(rows)s name each other as managers in a loop.", rows=rows_text),
                )
            )
    return errors


def check_rows(rows: Sequence[RawRow], ref: Reference) -> ImportPlan:
    """Check every row; the plan holds people (managers first) only when no row failed."""
    errors: list[RowError] = []
    people: list[NewPerson] = []
    for raw in rows:
        person, row_errors = _check_row(raw, ref)
        errors.extend(row_errors)
        if person is not None:
            people.append(person)
    errors += _duplicates(rows, "email", _("This e-mail is also in row %(row)d."))
    errors += _duplicates(rows, "employee_id", _("This employee ID is also in row %(row)d."))
    errors += _manager_errors(rows, ref)
    if errors:
        errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
        return ImportPlan(errors=tuple(errors))
    by_email = {p.email.lower(): p for p in people}
    manager_of = {k: p.manager_email for k, p in by_email.items() if p.manager_email in by_email}
    order = reporting_order.managers_first(by_email, manager_of)
    return ImportPlan(people=tuple(by_email[k] for k in order))


def export_row(person: Person, manager_email: str | None) -> tuple[str, ...]:
    """A person as a row of this format (so an export can be edited and imported elsewhere)."""
    return (
        person.name,
        person.name_romanised or "",
        person.email,
        person.employee_id,
        person.position.code,
        manager_email or "",
        person.hire_on.isoformat() if person.hire_on else "",
        person.position_since_on.isoformat() if person.position_since_on else "",
        person.market.code if person.market else "",
        person.segment.code if person.segment else "",
        person.team.name if person.team else "",
        person.locale,
        person.time_zone,
        "yes" if person.is_active else "no",
    )
