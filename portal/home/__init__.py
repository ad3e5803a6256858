"""What needs me: the home page's sections, one provider per role (see `items`).

`PROVIDERS` lists every provider in page order; `sections_for` asks each of them and keeps
the sections that apply, so a person with several roles sees every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
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

# Sections that roll up a whole subtree load as a panel after the page (its own request): the
# page shows the person's own work at once. key -> (does it apply to the person, provider).
PANELS: dict[str, tuple[Callable[[Person], bool], Provider]] = {
    "manager": (manager.manages_managers, manager.section),
}
_IN_PANELS = {provider for _applies, provider in PANELS.values()}


def sections_for(person: Person, today: date) -> list[Section]:
    """Every section that applies to the person, in PROVIDERS' order."""
    sections = []
    for provider in PROVIDERS:
        found = provider(person, today)
        if found is not None:
            sections.append(found)
    return sections


def page_sections_for(person: Person, today: date) -> list[Section | str]:
    """What the page shows, in PROVIDERS' order: the sections built now, and the key of each
    panel that applies (built by `panel_for` when the page asks for it)."""
    panels = {provider: key for key, (_applies, provider) in PANELS.items()}
    shown: list[Section | str] = []
    for provider in PROVIDERS:
        if provider in _IN_PANELS:
            key = panels[provider]
            if PANELS[key][0](person):
                shown.append(key)
            continue
        found = provider(person, today)
        if found is not None:
            shown.append(found)
    return shown


def panel_for(person: Person, key: str, today: date) -> Section | None:
    """The panel's section, or None when there is no such panel or it is not the person's."""
    entry = PANELS.get(key)
    if entry is None or not entry[0](person):
        return None
    return entry[1](person, today)
