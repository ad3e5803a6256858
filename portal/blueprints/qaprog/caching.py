"""The figures the QA report and the calibration picker compute, remembered under the data
versions they read (portal/cache.py holds the key rules: the viewer, the request's path and
arguments, language, zone and today are in every key).

Only computed values are kept, never HTML: both pages render forms (the picker's holds a CSRF
token). The policy checks (policy.require, check_node's 404) run before any of these, on a hit
as on a miss; the scoping of the rows is inside the computing functions, and a key holds the
viewer, so a hit is only ever what the same viewer was shown under the same org version."""

from __future__ import annotations

from flask_login import current_user

from portal import cache
from portal.data_versions import ORG, QA
from portal.qa import calibration_service as service
from portal.qa import programme_choices as choices
from portal.qa.contacts import Choice, ContactFilters, ContactPage, ContactRow, filter_choices
from portal.qa.rollup_queries import RollupFilters, RollupReport, rollup_for

# Evaluations, contacts, scorecards and the daily roll-ups are QA; who is in which node and
# who may see whom is ORG. Nothing on these pages moves with the clock beyond the viewer's
# today (in every key): the report's period is computed from it before the key is asked.
AREAS = (QA, ORG)


def report_choices() -> tuple[list[Choice], list[Choice], list[Choice], list[Choice]]:
    """The report's filter lists: nodes (scoped to the viewer), markets, segments, scorecards."""

    def compute():
        _teams, markets, segments = filter_choices()
        return choices.nodes_for(current_user), markets, segments, choices.scorecard_choices()

    return cache.remembered("qaprog.report.choices", AREAS, compute)


def report(filters: RollupFilters, minimum: int, group_limit: int | None) -> RollupReport:
    """The report's roll-up (rollup_for) for these filters; the filters are in the key as well
    as the arguments they came from (their period depends on the viewer's today)."""
    return cache.remembered(
        "qaprog.report",
        AREAS,
        lambda: rollup_for(current_user, filters, minimum, group_limit=group_limit),
        filters=filters,
        minimum=minimum,
        group_limit=group_limit,
    )


def picker_choices() -> tuple[list[Choice], list[Choice]]:
    """The new calibration's published scorecard versions and the evaluators one may invite."""
    return cache.remembered(
        "qaprog.calibration.choices",
        AREAS,
        lambda: (choices.published_versions(), choices.reviewers_for(current_user)),
    )


def pickable_contacts(filters: ContactFilters, after: str | None) -> ContactPage:
    """One page of the picker's contacts. A search is posted, so the filters and the cursor
    (from the form, not the URL) are in the key."""
    return cache.remembered(
        "qaprog.calibration.pickable",
        AREAS,
        lambda: service.pickable_contacts(current_user, filters, after=after),
        filters=filters,
        after=after,
    )


def picked_contacts(contact_ids: list[int]) -> list[ContactRow]:
    """The contacts picked so far (posted with the form, so in the key)."""
    if not contact_ids:
        return []
    return cache.remembered(
        "qaprog.calibration.picked",
        AREAS,
        lambda: service.picked_contacts(current_user, contact_ids),
        ids=contact_ids,
    )
