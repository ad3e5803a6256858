"""What needs me: the home page's to-do list, built from the same services as the pages it
links to.

A *provider* looks at one person and returns a `Section` when the role applies to them (a
supervisor section for someone with direct reports, a QA section for someone with a QA grant),
or None. Each `Item` carries a count and a link straight to the work; the page orders items by
urgency. A provider never raises for a person it does not apply to: it returns None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

from portal.org.models import Person


class Urgency(IntEnum):
    OVERDUE = 0
    TODAY = 1
    THIS_WEEK = 2
    LATER = 3  # waiting, no date (a draft, a queue)
    INFO = 4  # good to know (kudos received)


@dataclass(frozen=True)
class Item:
    key: str  # stable id, e.g. "qa.drafts"; tests and the browser find items by it
    label: str  # translated, says what is waiting, e.g. "Drafts to finish"
    count: int
    url: str  # the page where the work is done, filtered to exactly these records
    urgency: Urgency = Urgency.LATER
    due: date | None = None  # the earliest due date among the counted records
    detail: str | None = None  # one short translated line (e.g. "next: Tue 10:00 with Ana")


@dataclass
class Section:
    key: str  # "agent", "supervisor", "manager", "qa", "trainer", "hr"
    title: str  # translated
    items: list[Item] = field(default_factory=list)

    def waiting(self) -> list[Item]:
        """Items with something to do, most urgent first (then earliest due, then label)."""
        live = [item for item in self.items if item.count > 0]
        return sorted(live, key=lambda i: (i.urgency, i.due or date.max, i.label))


Provider = Callable[[Person, date], Section | None]


def urgency_of(due: date | None, today: date) -> Urgency:
    """Overdue before today, due today, due within the next 7 days, else later."""
    if due is None:
        return Urgency.LATER
    if due < today:
        return Urgency.OVERDUE
    if due == today:
        return Urgency.TODAY
    if (due - today).days <= 7:
        return Urgency.THIS_WEEK
    return Urgency.LATER
