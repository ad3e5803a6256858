"""Bringing daily KPI values in, by CSV or JSON: checked row by row, all or nothing.

Every row names a person (employee id), a KPI (code) and a day, with the fields the KPI's
aggregation needs. When any row is wrong nothing is written and every problem is reported by
row and column; when all are right they are written in one transaction. A person + KPI + day
already stored is replaced (an upsert on the natural key), so re-importing never doubles.
Only people whose KPIs the importer may see can be named: anyone else reads as unknown.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal import audit, policy
from portal.extensions import db
from portal.kpis.models import Aggregation, Kpi, KpiValue
from portal.org.models import Person

COLUMNS = ("employee_id", "kpi", "date", "value", "numerator", "denominator", "weight")
REQUIRED_COLUMNS = ("employee_id", "kpi", "date")
NEEDS = {
    Aggregation.MEAN: ("value",),
    Aggregation.SUM: ("value",),
    Aggregation.RATE: ("numerator", "denominator"),
    Aggregation.WEIGHTED: ("value", "weight"),
}
MAX_REPORTED = 200
MAX_ROWS = 200_000
BATCH = 2000
EXAMPLE_ROWS = [
    ("E1001", "csat", "2026-11-20", "4.6", "", "", ""),
    ("E1001", "returning_rate", "2026-11-20", "", "37", "52", ""),
]


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based line in the file (header is line 1), or index in the JSON list
    column: str
    message: str


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    written: int = 0
    file_problem: str | None = None

    @property
    def ok(self) -> bool:
        return not self.file_problem and self.problem_count == 0


@dataclass(frozen=True)
class CleanRow:
    person_id: int
    kpi_id: int
    value_on: date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    weight: Decimal | None


class _Reference:
    """The KPIs by code and the importer's visible people by employee id, loaded in chunks."""

    def __init__(self, viewer: Person) -> None:
        self.viewer = viewer
        kpis = db.session.execute(select(Kpi).where(Kpi.is_archived.is_(False))).scalars()
        self.kpis: dict[str, Kpi] = {k.code.lower(): k for k in kpis}
        visible = policy.visible_person_ids(viewer, policy.Area.KPIS)
        self.people: dict[str, int] = {}
        self.positions: dict[int, int] = {}
        rows = db.session.execute(
            select(Person.employee_id, Person.id, Person.position_id).where(Person.id.in_(visible))
        )
        for employee_id, person_id, position_id in rows:
            self.people[employee_id] = person_id
            self.positions[person_id] = position_id
        self.kpi_positions: dict[int, frozenset[int]] = {
            k.id: frozenset(p.id for p in k.positions) for k in self.kpis.values()
        }


def template_csv() -> str:
    from portal.org.csv_safety import csv_text

    return csv_text(COLUMNS, EXAMPLE_ROWS)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        return None
    return value


def check_row(
    line: int, cells: Mapping[str, Any], ref: _Reference, today: date
) -> tuple[CleanRow | None, list[Problem]]:
    """One row checked: the clean row, or the problems found in it (by column)."""
    problems: list[Problem] = []

    def text(name: str) -> str:
        value = cells.get(name)
        return "" if value is None else str(value).strip()

    person_id = ref.people.get(text("employee_id"))
    if not text("employee_id"):
        problems.append(Problem(line, "employee_id", _("An employee id is required.")))
    elif person_id is None:
        problems.append(
            Problem(line, "employee_id", _("No person you may report on has this employee id."))
        )
    kpi = ref.kpis.get(text("kpi").lower())
    if kpi is None:
        problems.append(
            Problem(line, "kpi", _("No active KPI has the code “%(c)s”.", c=text("kpi")))
        )
    if kpi is not None and person_id is not None:
        allowed = ref.kpi_positions.get(kpi.id)
        if allowed and ref.positions.get(person_id) not in allowed:
            problems.append(
                Problem(line, "kpi", _("This KPI does not apply to this person's position."))
            )
    value_on: date | None = None
    try:
        value_on = date.fromisoformat(text("date"))
    except ValueError:
        problems.append(Problem(line, "date", _("Give the day as YYYY-MM-DD.")))
    if value_on and value_on > today:
        problems.append(Problem(line, "date", _("The day is in the future.")))
    numbers: dict[str, Decimal | None] = {}
    needed = NEEDS[Aggregation(kpi.aggregation)] if kpi else ()
    for name in ("value", "numerator", "denominator", "weight"):
        raw = text(name)
        if not raw:
            numbers[name] = None
            if name in needed:
                problems.append(Problem(line, name, _("This KPI needs a %(f)s.", f=name)))
            continue
        number = _number(raw)
        if number is None:
            problems.append(Problem(line, name, _("“%(v)s” is not a number.", v=raw)))
        elif name in ("numerator", "denominator", "weight") and number < 0:
            problems.append(Problem(line, name, _("This cannot be negative.")))
        elif kpi and name not in needed:
            problems.append(
                Problem(line, name, _("Leave this empty: this KPI does not use a %(f)s.", f=name))
            )
        numbers[name] = number
    if kpi and kpi.aggregation == Aggregation.RATE and numbers.get("denominator") == 0:
        problems.append(Problem(line, "denominator", _("The denominator cannot be zero.")))
    if kpi and kpi.aggregation == Aggregation.WEIGHTED and numbers.get("weight") == 0:
        problems.append(Problem(line, "weight", _("The weight cannot be zero.")))
    if problems or person_id is None or kpi is None or value_on is None:
        return None, problems
    return (
        CleanRow(
            person_id,
            kpi.id,
            value_on,
            numbers["value"],
            numbers["numerator"],
            numbers["denominator"],
            numbers["weight"],
        ),
        [],
    )


def _check_all(
    rows: Iterable[tuple[int, Mapping[str, Any]]], ref: _Reference, today: date
) -> tuple[list[CleanRow], Outcome]:
    outcome = Outcome()
    clean: list[CleanRow] = []
    seen: dict[tuple[int, int, date], int] = {}
    for line, cells in rows:
        if len(clean) + outcome.problem_count >= MAX_ROWS:
            outcome.file_problem = _("At most %(n)d rows per import.", n=MAX_ROWS)
            break
        row, problems = check_row(line, cells, ref, today)
        if row is not None:
            key = (row.person_id, row.kpi_id, row.value_on)
            if key in seen:
                problems = [
                    Problem(line, "date", _("Same person, KPI and day as row %(r)d.", r=seen[key]))
                ]
            else:
                seen[key] = line
                clean.append(row)
        outcome.problem_count += len(problems)
        room = MAX_REPORTED - len(outcome.problems)
        outcome.problems.extend(problems[: max(room, 0)])
    return clean, outcome


def _upsert(rows: list[CleanRow]) -> None:
    """Insert or replace rows on (person, KPI, day), in batches."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    from portal.db import utcnow

    now = utcnow()
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        stmt = insert(KpiValue).values(
            [
                {
                    "person_id": r.person_id,
                    "kpi_id": r.kpi_id,
                    "value_on": r.value_on,
                    "value": r.value,
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "weight": r.weight,
                    "updated_at": now,
                }
                for r in chunk
            ]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id", "value_on", "kpi_id"],
            set_={
                name: getattr(stmt.excluded, name)
                for name in ("value", "numerator", "denominator", "weight", "updated_at")
            },
        )
        db.session.execute(stmt)


def _write(by: Person, clean: list[CleanRow], outcome: Outcome, source: str) -> Outcome:
    if not outcome.ok:
        return outcome
    _upsert(clean)
    outcome.written = len(clean)
    days = [r.value_on for r in clean]
    audit.record(
        by,
        "kpi_value.import",
        "kpi_value",
        None,
        None,
        {
            "source": source,
            "rows": len(clean),
            "from": min(days).isoformat() if days else None,
            "to": max(days).isoformat() if days else None,
        },
    )
    db.session.commit()
    return outcome


def _csv_rows(stream: IO[bytes], outcome: Outcome) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows as dicts, read as a stream; a broken file sets outcome.file_problem."""
    text = codecs.getreader("utf-8-sig")(stream)
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            outcome.file_problem = _("The file is empty.")
            return
        names = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        unknown = [n for n in names if n and n not in COLUMNS]
        if missing or unknown:
            outcome.file_problem = _(
                "The header must name the columns %(cols)s. Missing: %(m)s. Unknown: %(u)s.",
                cols=", ".join(COLUMNS),
                m=", ".join(missing) or "—",
                u=", ".join(unknown) or "—",
            )
            return
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            yield line, dict(zip(names, cells, strict=False))
    except UnicodeDecodeError:
        outcome.file_problem = _(
            "The file is not UTF-8 text. In your spreadsheet choose “Save as… CSV UTF-8”."
        )
    except csv.Error as error:
        outcome.file_problem = _("The file could not be read as CSV: %(e)s", e=str(error))


def import_csv(by: Person, stream: IO[bytes], *, today: date) -> Outcome:
    """Check a KPI values CSV streamed from `stream`; write every row only when all are good."""
    policy.require(by, "kpi.import")
    ref = _Reference(by)
    outcome_holder = Outcome()
    clean, outcome = _check_all(_csv_rows(stream, outcome_holder), ref, today)
    outcome.file_problem = outcome.file_problem or outcome_holder.file_problem
    if not outcome.file_problem and not clean and outcome.problem_count == 0:
        outcome.file_problem = _("The file has a header but no values.")
    return _write(by, clean, outcome, "csv")


def import_json(by: Person, items: Any, *, today: date) -> Outcome:
    """Check a JSON list of value objects (same fields as the CSV); all or nothing."""
    policy.require(by, "kpi.import")
    outcome = Outcome()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        outcome.file_problem = _('Send a JSON object {"values": [ {...}, ... ]}.')
        return outcome
    if not items:
        outcome.file_problem = _("No values were sent.")
        return outcome
    ref = _Reference(by)
    clean, outcome = _check_all(enumerate(items), ref, today)
    return _write(by, clean, outcome, "api")
