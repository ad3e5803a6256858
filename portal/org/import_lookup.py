"""The database lookups a people import is checked against (importer.py itself stays pure)."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import func, select

from portal.extensions import db
from portal.org.models import Market, Person, Position, Segment, Team

_CHUNK = 500  # values per IN (...) list, well inside every database's parameter limit


class RowValues(Protocol):
    """Anything with the row's cell values (importer.RawRow)."""

    values: Mapping[str, str]


@dataclass(frozen=True)
class Reference:
    """What rows are checked against: codes, names and the people already there."""

    positions: Mapping[str, int]  # lower-case code -> id
    markets: Mapping[str, tuple[int, str]]  # lower-case code -> (id, time zone)
    segments: Mapping[str, int]  # lower-case code -> id
    teams: Mapping[str, Sequence[tuple[int, int | None]]]  # lower-case name -> (id, market id)
    people_by_email: Mapping[str, tuple[int, bool]]  # lower-case e-mail -> (id, is active)
    employee_ids: frozenset[str]  # lower-case
    languages: Container[str]
    today: date


def load_reference(
    rows: Sequence[RowValues], *, languages: Container[str], today: date
) -> Reference:
    """Look up codes, teams and the people the rows mention (e-mails, employee ids)."""
    emails = {
        v.lower()
        for r in rows
        for v in (r.values.get("email", ""), r.values.get("manager_email", ""))
        if v
    }
    employee_ids = {r.values.get("employee_id", "").lower() for r in rows} - {""}
    people: dict[str, tuple[int, bool]] = {}
    for chunk in _chunks(sorted(emails)):
        stmt = select(func.lower(Person.email), Person.id, Person.is_active).where(
            func.lower(Person.email).in_(chunk)
        )
        people.update({email: (pid, active) for email, pid, active in db.session.execute(stmt)})
    taken: set[str] = set()
    for chunk in _chunks(sorted(employee_ids)):
        stmt = select(func.lower(Person.employee_id)).where(
            func.lower(Person.employee_id).in_(chunk)
        )
        taken.update(db.session.execute(stmt).scalars())
    teams: dict[str, list[tuple[int, int | None]]] = {}
    for team_id, name, market_id in db.session.execute(select(Team.id, Team.name, Team.market_id)):
        teams.setdefault(name.lower(), []).append((team_id, market_id))
    return Reference(
        positions={c.lower(): i for i, c in db.session.execute(select(Position.id, Position.code))},
        markets={
            c.lower(): (i, tz)
            for i, c, tz in db.session.execute(select(Market.id, Market.code, Market.time_zone))
        },
        segments={c.lower(): i for i, c in db.session.execute(select(Segment.id, Segment.code))},
        teams=teams,
        people_by_email=people,
        employee_ids=frozenset(taken),
        languages=languages,
        today=today,
    )


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]
