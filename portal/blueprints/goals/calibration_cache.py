"""The calibration board and its log, remembered under the data versions they read, as plain
rows (portal/cache.py holds the key rules: the viewer, the request's path and arguments,
language, zone and today are in every key).

The page holds forms with CSRF tokens (a rating's edit row) and a flashed confirmation, so
only the computed rows are kept, never HTML. policy.require runs before any of these, on a hit
as on a miss; the reviews are scoped to the viewer inside calibration_for (a key holds the
viewer, so a hit is only what the same viewer was shown under the same org version).

Areas: reviews, cycles, the calibration log (calibration_change) and its close
(calibration_close) are GOALS; names, teams, positions and who manages whom are ORG. Nothing
here moves with the clock: no clock slice."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_login import current_user

from portal import cache
from portal.data_versions import GOALS, ORG
from portal.goals import calibration as service
from portal.goals.models import ReviewCycle, ReviewState

AREAS = (GOALS, ORG)


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    display_name: str
    position: Named | None = None


@dataclass(frozen=True)
class BoardRow:
    """What the board's table, a row's edit form and the what-if list read of a review."""

    id: int
    cycle_id: int
    state: ReviewState
    proposed_rating: int | None
    final_rating: int | None
    version: int
    person: PersonRef
    team: Named | None
    reviewer: PersonRef | None


def _person(person, with_position: bool = False) -> PersonRef | None:
    if person is None:
        return None
    position = person.position if with_position else None
    return PersonRef(
        id=person.id,
        display_name=person.display_name,
        position=Named(position.id, position.name) if position is not None else None,
    )


def _named(thing) -> Named | None:
    return None if thing is None else Named(thing.id, thing.name)


def _row(review) -> BoardRow:
    return BoardRow(
        id=review.id,
        cycle_id=review.cycle_id,
        state=ReviewState(review.state),
        proposed_rating=review.proposed_rating,
        final_rating=review.final_rating,
        version=review.version,
        person=_person(review.person, with_position=True),
        team=_named(review.team),
        reviewer=_person(review.reviewer),
    )


def _plain_board(board: service.Calibration) -> service.Calibration:
    choices = service.Choices(
        teams=[_named(t) for t in board.choices.teams],
        reviewers=[_person(p) for p in board.choices.reviewers],
        positions=[_named(p) for p in board.choices.positions],
    )
    return replace(board, reviews=[_row(r) for r in board.reviews], choices=choices)


def board(cycle: ReviewCycle, filters: service.CalibrationFilters):
    """The board (calibration_for, its reviews as BoardRow) and the ids of those whose rating
    may still change (changeable_ids)."""

    def compute():
        found = service.calibration_for(current_user, cycle, filters)
        return _plain_board(found), service.changeable_ids(found.reviews)

    return cache.remembered(
        "goals.calibration.board", AREAS, compute, cycle=cycle.id, filters=filters
    )


def _plain_log(page: service.LogPage) -> service.LogPage:
    rows = [replace(r, person=_person(r.person), by=_person(r.by)) for r in page.rows]
    return replace(page, rows=rows)


def log(
    cycle: ReviewCycle,
    filters: service.CalibrationFilters,
    *,
    limit: int,
    by_id: int | None = None,
    after: int | None = None,
):
    """One page of the change log and the calibrators (its "changed by" list)."""

    def compute():
        page = service.change_log(
            current_user, cycle, filters, by_id=by_id, after=after, limit=limit
        )
        people = [_person(p) for p in service.calibrators(current_user, cycle)]
        return _plain_log(page), people

    return cache.remembered(
        "goals.calibration.log",
        AREAS,
        compute,
        cycle=cycle.id,
        filters=filters,
        by_id=by_id,
        after=after,
        limit=limit,
    )
