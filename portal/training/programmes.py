"""Recognition programmes: create, nominate, approve / decline, pick winners; history and
leaderboard. Winners and approved nominations are public recognition; pending and declined
nominations are seen by the programme's owner, HR and whoever nominated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from portal import audit, policy
from portal.db import create_once
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Market, Person, Team
from portal.training import programme_rules as rules
from portal.training.models import Nomination, NominationStatus, RecognitionProgramme
from portal.web import path_for

register_kind(
    "programme.won",
    _l("You won %(programme)s for the period from %(period)s"),
    label=_l("I won a recognition programme"),
)
register_kind(
    "nomination.approved",
    _l("%(actor)s approved the nomination of %(person)s for %(programme)s"),
    label=_l("A nomination of me, or one I made, was approved"),
)
register_kind(
    "nomination.declined",
    _l("%(actor)s declined your nomination of %(person)s for %(programme)s"),
    label=_l("A nomination I made was declined"),
)
register_kind(
    "nomination.won",
    _l("%(person)s, whom you nominated, won %(programme)s for the period from %(period)s"),
    label=_l("Someone I nominated won"),
)


def create_programme(
    by: Person, *, name: str, cadence: str, team_id: int | None, market_id: int | None,
    winners_per_period: int,
) -> RecognitionProgramme:  # fmt: skip
    policy.require(by, "programme.create")
    if not team_id and not market_id:
        raise InvalidTransition()
    if team_id and db.session.get(Team, team_id) is None:
        raise NotFound()
    if not team_id and market_id and db.session.get(Market, market_id) is None:
        raise NotFound()
    programme = RecognitionProgramme(
        name=name.strip(), cadence=cadence, team_id=team_id or None,
        market_id=None if team_id else market_id, owner_id=by.id,
        winners_per_period=winners_per_period,
    )  # fmt: skip
    db.session.add(programme)
    db.session.flush()
    audit.record(by, "programme.create", "recognition_programme", programme.id, None,
                 {"name": programme.name, "cadence": cadence, "team_id": programme.team_id,
                  "market_id": programme.market_id})  # fmt: skip
    db.session.commit()
    return programme


def programmes() -> list[RecognitionProgramme]:
    return list(
        db.session.scalars(
            select(RecognitionProgramme)
            .where(RecognitionProgramme.is_active.is_(True))
            .options(joinedload(RecognitionProgramme.team), joinedload(RecognitionProgramme.market),
                     joinedload(RecognitionProgramme.owner))
            .order_by(RecognitionProgramme.name, RecognitionProgramme.id)
        )
    )  # fmt: skip


def get_programme(programme_id: int) -> RecognitionProgramme:
    programme = db.session.get(RecognitionProgramme, programme_id)
    if programme is None:
        raise NotFound()
    return programme


def _in_audience(programme: RecognitionProgramme, person: Person) -> bool:
    if programme.team_id is not None:
        return person.team_id == programme.team_id
    return person.market_id == programme.market_id


def nominate(
    by: Person, programme: RecognitionProgramme, person: Person | None, reason: str, today: date
) -> Nomination:
    """Nominate someone in the programme's team or market for the current period. Nominating
    the same person twice in a period finds the first nomination."""
    if person is None or not person.is_active or not _in_audience(programme, person):
        raise NotFound()
    if person.id == by.id:
        raise InvalidTransition()
    start = rules.period_start(programme.cadence, today)
    nomination, created = create_once(
        Nomination,
        lambda: Nomination(
            programme_id=programme.id, period_start=start, person_id=person.id,
            nominated_by_id=by.id, reason=reason.strip(),
        ),
        programme_id=programme.id, period_start=start, person_id=person.id, nominated_by_id=by.id,
    )  # fmt: skip
    if not created:
        return nomination
    audit.record(by, "nomination.create", "nomination", nomination.id, None,
                 {"programme_id": programme.id, "person_id": person.id,
                  "period_start": start.isoformat()})  # fmt: skip
    db.session.commit()
    return nomination


def decide(by: Person, nomination: Nomination, action: str, now: datetime) -> None:
    """The owner (or HR) approves, declines or picks a winner among the approved."""
    programme = nomination.programme
    policy.require(by, "programme.decide", programme)
    new = rules.next_status(nomination.status, action)
    if new is None:
        raise InvalidTransition()
    if new == NominationStatus.WINNER:
        winners = db.session.scalar(
            select(func.count()).where(
                Nomination.programme_id == programme.id,
                Nomination.period_start == nomination.period_start,
                Nomination.status == NominationStatus.WINNER,
            )
        ) or 0  # fmt: skip
        if not rules.may_pick_winner(winners, programme.winners_per_period):
            raise InvalidTransition(_winners_full())
    before = {"status": nomination.status}
    nomination.status = new
    nomination.decided_by_id = by.id
    nomination.decided_at = now
    db.session.flush()
    _tell_decision(nomination, by, new)
    audit.record(by, f"nomination.{action}", "nomination", nomination.id, before,
                 {"status": new})  # fmt: skip
    db.session.commit()


def _tell_decision(nomination: Nomination, by: Person, new: NominationStatus) -> None:
    """The nominee and the nominator hear the decision. A declined nomination is seen only by
    whoever nominated (and the owner, HR), so the nominee is not told of a decline."""
    programme = nomination.programme
    url = path_for("recognition.programme_detail", programme_id=programme.id)
    params = {
        "programme": programme.name,
        "person": nomination.person.display_name,
        "period": nomination.period_start.isoformat(),
    }
    if new == NominationStatus.WINNER:
        recipients = [(nomination.person_id, "programme.won"),
                      (nomination.nominated_by_id, "nomination.won")]  # fmt: skip
    elif new == NominationStatus.APPROVED:
        recipients = [(nomination.person_id, "nomination.approved"),
                      (nomination.nominated_by_id, "nomination.approved")]  # fmt: skip
    else:
        recipients = [(nomination.nominated_by_id, "nomination.declined")]
    for recipient, kind in recipients:
        if kind == "nomination.won" and recipient == nomination.person_id:
            continue  # nominated themselves: "you won" says it
        notify(recipient, by, kind, "nomination", nomination.id, url, **params)


def _winners_full() -> str:
    from flask_babel import gettext

    return gettext("This period already has all its winners.")


def get_nomination(viewer: Person, nomination_id: int) -> Nomination:
    """A nomination the viewer sees (policy.scoped_nominations); "not yours to see" and "does
    not exist" are the same 404."""
    stmt = policy.scoped_nominations(
        select(Nomination).where(Nomination.id == nomination_id), viewer
    )
    nomination = db.session.execute(stmt).scalar_one_or_none()
    if nomination is None:
        raise NotFound()
    return nomination


@dataclass(frozen=True)
class ProgrammeView:
    current_start: date
    current_end: date
    current: list[Nomination]  # this period's nominations the viewer may see
    history: list[tuple[date, list[Nomination]]]  # past winners by period, newest first
    leaderboard: list[tuple[str, int]]


def programme_view(viewer: Person, programme: RecognitionProgramme, today: date) -> ProgrammeView:
    """What the programme page shows the viewer (three queries, whatever the history)."""
    start = rules.period_start(programme.cadence, today)
    this_period = select(Nomination).where(
        Nomination.programme_id == programme.id, Nomination.period_start == start
    )
    current = list(
        db.session.scalars(
            policy.scoped_nominations(this_period, viewer)
            .options(joinedload(Nomination.person), joinedload(Nomination.nominated_by))
            .order_by(Nomination.id)
        )
    )
    past = list(
        db.session.scalars(
            select(Nomination)
            .where(and_(Nomination.programme_id == programme.id, Nomination.period_start < start,
                        Nomination.status == NominationStatus.WINNER))
            .options(joinedload(Nomination.person))
            .order_by(Nomination.period_start.desc(), Nomination.id)
            .limit(200)
        )
    )  # fmt: skip
    history: list[tuple[date, list[Nomination]]] = []
    for n in past:
        if not history or history[-1][0] != n.period_start:
            history.append((n.period_start, []))
        history[-1][1].append(n)
    wins = db.session.execute(
        select(Nomination.person_id, Person.name)
        .join(Person, Person.id == Nomination.person_id)
        .where(Nomination.programme_id == programme.id,
               Nomination.status == NominationStatus.WINNER)
    ).all()  # fmt: skip
    names = {pid: name for pid, name in wins}
    board = [(names[pid], n) for pid, n in rules.leaderboard(pid for pid, _ in wins)][:10]
    return ProgrammeView(start, rules.period_end(programme.cadence, start), current, history, board)
