"""What needs me: the home page's sections, one provider per role (see `items`).

`PROVIDERS` lists every provider in page order; `sections_for` asks each of them and keeps
the sections that apply, so a person with several roles sees every one of them.

The page remembers each provider's result (`page_sections_for`, portal/cache.py's
`remembered`) under the data areas it reads (`SECTION_CACHE`): a write to one of them raises
its version, so the next page builds that section afresh; the others come from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from portal import cache, data_versions
from portal.data_versions import COACHING, GOALS, ORG, QA, RECOGNITION, TRAINING
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

# provider -> (cache namespace, the data areas it reads, whether it moves with the clock). The
# org area is in every key (grants, managers: whether a section applies, whom it counts). The
# clock's 5-minute slice is in the key of the sections that compare times, not only days: the
# next 1:1 and this week's 1:1s held or to record (agent, supervisor), a contact import that
# stalled (HR). A provider not listed reads every area, with the clock.
SECTION_CACHE: dict[Provider, tuple[str, tuple[str, ...], bool]] = {
    agent.section: ("home.agent", (QA, COACHING, GOALS, TRAINING, RECOGNITION), True),
    supervisor.section: ("home.supervisor", (QA, COACHING, GOALS), True),
    queues.qa_section: ("home.qa", (QA,), False),
    queues.trainer_section: ("home.trainer", (TRAINING,), False),
    queues.hr_section: ("home.hr", (GOALS, QA), True),
}


def sections_for(person: Person, today: date) -> list[Section]:
    """Every section that applies to the person, in PROVIDERS' order."""
    sections = []
    for provider in PROVIDERS:
        found = provider(person, today)
        if found is not None:
            sections.append(found)
    return sections


def remembered_section(provider: Provider, person: Person, today: date) -> Section | None:
    """`provider(person, today)` from the cache when none of its areas changed (and the same
    viewer, language, zone, day, and for some the clock's slice); built and kept otherwise.
    A Section is plain data (strings, counts, dates, URLs): it pickles as it is."""
    namespace, areas, clock = SECTION_CACHE.get(
        provider, (f"home.{provider.__module__}.{provider.__name__}", data_versions.AREAS, True)
    )
    return cache.remembered(
        namespace,
        areas,
        lambda: provider(person, today),
        clock=clock,
        person=person.id,
        day=today.isoformat(),
    )


def panels_of(person: Person) -> list[str]:
    """The keys of the panels that apply to the person (who manages whom: the org area)."""
    return cache.remembered(
        "home.panels",
        (ORG,),
        lambda: [key for key, (applies, _provider) in PANELS.items() if applies(person)],
        person=person.id,
    )


def page_sections_for(person: Person, today: date) -> list[Section | str]:
    """What the page shows, in PROVIDERS' order: the sections built now (or remembered), and
    the key of each panel that applies (built by `panel_for` when the page asks for it)."""
    panels = {provider: key for key, (_applies, provider) in PANELS.items()}
    applying = set(panels_of(person))
    shown: list[Section | str] = []
    for provider in PROVIDERS:
        if provider in _IN_PANELS:
            if panels[provider] in applying:
                shown.append(panels[provider])
            continue
        found = remembered_section(provider, person, today)
        if found is not None:
            shown.append(found)
    return shown


def panel_for(person: Person, key: str, today: date) -> Section | None:
    """The panel's section, or None when there is no such panel or it is not the person's."""
    entry = PANELS.get(key)
    if entry is None or not entry[0](person):
        return None
    return entry[1](person, today)
