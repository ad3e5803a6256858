"""Promotion readiness: at least the cycle's months in the current position and a latest
overall rating strictly above the team's average (rating.promotion_check). The average counts
only with at least rating.MIN_TEAM_RATED (5) rated people in the team in that cycle (the person
included); below that the answer is "not enough rated people in the team (n = 2)", never
"ready". The n behind the average is always stated. Read for a page of people in a fixed number
of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select

from portal.extensions import db
from portal.goals import rating
from portal.goals.models import Review, ReviewCycle, ReviewState
from portal.org.models import Person

# A rating counts once the employee may see it.
OFFICIAL = (ReviewState.SHARED, ReviewState.ACKNOWLEDGED, ReviewState.LOCKED)


@dataclass(frozen=True)
class Readiness:
    is_ready: bool
    latest: int | None
    team_average: Fraction | None
    team_rated: int  # n behind the average
    months_in_position: int
    min_months: int
    check: rating.Readiness = rating.Readiness.NO_RATING  # the rule that decided
    min_team_rated: int = rating.MIN_TEAM_RATED

    @property
    def enough_rated(self) -> bool:
        """Enough rated people in the team for its average to be compared with."""
        return self.team_rated >= self.min_team_rated


def readiness_for(people: Sequence[Person], today: date) -> dict[int, Readiness]:
    """Each person's readiness from their latest official rating, compared with the average of
    their team (as frozen in that cycle) in the same cycle."""
    if not people:
        return {}
    ranked = (
        select(
            Review.person_id,
            Review.cycle_id,
            Review.team_id,
            Review.final_rating,
            ReviewCycle.promotion_min_months,
            func.row_number()
            .over(
                partition_by=Review.person_id,
                order_by=(ReviewCycle.ends_on.desc(), Review.id.desc()),
            )
            .label("rank"),
        )
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .where(
            Review.person_id.in_([p.id for p in people]),
            Review.state.in_([s.value for s in OFFICIAL]),
            Review.final_rating.is_not(None),
        )
        .subquery()
    )
    latest = {
        row.person_id: row for row in db.session.execute(select(ranked).where(ranked.c.rank == 1))
    }
    pairs = {(row.cycle_id, row.team_id) for row in latest.values() if row.team_id is not None}
    team_ratings: dict[tuple[int, int], list[int]] = {pair: [] for pair in pairs}
    if pairs:
        cycle_ids = {cycle_id for cycle_id, _team in pairs}
        team_ids = {team_id for _cycle, team_id in pairs}
        for cycle_id, team_id, value in db.session.execute(
            select(Review.cycle_id, Review.team_id, Review.final_rating).where(
                Review.cycle_id.in_(cycle_ids),
                Review.team_id.in_(team_ids),
                Review.state.in_([s.value for s in OFFICIAL]),
                Review.final_rating.is_not(None),
            )
        ):
            if (cycle_id, team_id) in team_ratings:
                team_ratings[(cycle_id, team_id)].append(value)
    result = {}
    for person in people:
        row = latest.get(person.id)
        months = rating.months_between(person.position_since_on or person.hire_on or today, today)
        if row is None:
            result[person.id] = Readiness(False, None, None, 0, months, 6)
            continue
        values = team_ratings.get((row.cycle_id, row.team_id), [])
        average = rating.average_rating(values)
        check = rating.promotion_check(
            months, row.final_rating, average, len(values), row.promotion_min_months
        )
        result[person.id] = Readiness(
            is_ready=check is rating.Readiness.READY,
            latest=row.final_rating,
            team_average=average,
            team_rated=len(values),
            months_in_position=months,
            min_months=row.promotion_min_months,
            check=check,
        )
    return result
