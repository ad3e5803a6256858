"""What needs me: the home page's sections, one provider per role (see `items`).

`PROVIDERS` lists every provider in page order; `sections_for` asks each of them and keeps
the sections that apply, so a person with several roles sees every one of them.
"""

from __future__ import annotations

from datetime import date

from portal.home import agent, manager, queues, supervisor
from portal.home.items import Provider, Section
from portal.org.models import Person

PROVIDERS: list[Provider] = [
    agent.section,
    supervisor.section,
    manager.section,
    queues.qa_section,
    queues.trainer_section,
    queues.hr_section,
]


def sections_for(person: Person, today: date) -> list[Section]:
    """Every section that applies to the person, in PROVIDERS' order."""
    sections = []
    for provider in PROVIDERS:
        found = provider(person, today)
        if found is not None:
            sections.append(found)
    return sections
