"""What the demo sections share: the seeded generator, the dates, and what earlier sections made."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from portal.org.models import Market, Person, Position, Segment, Team


@dataclass
class DemoContext:
    """Passed to each demo section in order. The organisation section fills the reference data
    and the people; later sections (QA, 1:1s, goals, ...) read them and add their own records.
    Sections only flush; load_demo commits once at the end."""

    rng: random.Random
    today: date
    now: datetime
    password_hash: str
    markets: dict[str, Market] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    teams: list[Team] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    # Position code -> the people holding it ("agent", "supervisor", "qa_analyst", ...).
    by_role: dict[str, list[Person]] = field(default_factory=dict)
    # Supervisor id -> their direct reports (agents, senior agents, account managers).
    reports: dict[int, list[Person]] = field(default_factory=dict)
    # The people behind the fixed demo sign-ins, by e-mail local part ("agent.hk").
    logins: dict[str, Person] = field(default_factory=dict)
    # Figures for the "demo.load" audit entry; each section adds its own.
    counts: dict[str, int] = field(default_factory=dict)

    def role(self, code: str) -> list[Person]:
        return self.by_role.get(code, [])

    @property
    def frontline(self) -> list[Person]:
        """Everyone who reports to a supervisor: the people whose contacts get scored."""
        return [person for group in self.reports.values() for person in group]

    @property
    def supervisors(self) -> list[Person]:
        return self.role("supervisor")

    def days_ago(self, low: int, high: int) -> date:
        """A date between `high` and `low` days before today, drawn from the seeded generator."""
        return self.today - timedelta(days=self.rng.randint(low, high))
