"""Setting up 1:1 series and keeping their meetings generated ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select

from portal import audit, policy
from portal.coaching import schedule
from portal.coaching.models import (
    ActionItem,
    AgendaItem,
    Cadence,
    MeetingStatus,
    OneOnOne,
    OneOnOneSeries,
    PrivateNote,
)
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.org.models import Person
from portal.org.signals import person_moved


def _check_settings(cadence: str, weekday: int, start_time: time | None) -> None:
    errors: dict[str, list[str]] = {}
    if cadence not in set(Cadence):
        errors["cadence"] = [_("Choose weekly, every two weeks or monthly.")]
    if weekday not in range(7):
        errors["weekday"] = [_("Choose a day of the week.")]
    if start_time is None:
        errors["start_time"] = [_("Give a time, e.g. 10:00.")]
    if errors:
        raise ValidationFailed(field_errors=errors)


def _new_series(
    supervisor: Person, report: Person, cadence: str, weekday: int, start_time: time, today: date
) -> OneOnOneSeries:
    series = OneOnOneSeries(
        person_id=report.id,
        supervisor_id=supervisor.id,
        cadence=cadence,
        weekday=weekday,
        start_time=start_time,
        time_zone=supervisor.time_zone or "UTC",
        starts_on=today,
    )
    db.session.add(series)
    db.session.flush()
    return series


def setup_team(
    by: Person,
    *,
    cadence: str = Cadence.WEEKLY,
    weekday: int = 0,
    start_time: time | None = None,
    now: datetime,
) -> list[OneOnOneSeries]:
    """ "Set up weekly 1:1s with my team": a series for every active direct report who has none
    with the viewer; a report still in a series with a former supervisor gets a new one (the
    old one ends and keeps its history). Running it twice creates nothing the second time."""
    policy.require(by, "one_on_one.setup_team")
    _check_settings(cadence, weekday, start_time)
    assert start_time is not None
    today = schedule.local_date(now, by.time_zone or "UTC")
    reports = db.session.scalars(
        select(Person)
        .where(Person.manager_id == by.id, Person.is_active.is_(True))
        .order_by(Person.name, Person.id)
    ).all()
    active = {
        s.person_id: s
        for s in db.session.scalars(
            select(OneOnOneSeries).where(
                OneOnOneSeries.person_id.in_([r.id for r in reports]),
                OneOnOneSeries.ended_on.is_(None),
            )
        )
    }
    created = []
    for report in reports:
        current = active.get(report.id)
        if current is not None and current.supervisor_id == by.id:
            continue
        if current is not None:
            _end_series(by, current, today, now)
        series = _new_series(by, report, cadence, weekday, start_time, today)
        generate_meetings(series, now)
        audit.record(
            by, "one_on_one_series.create", "one_on_one_series", series.id, None, series.snapshot()
        )
        created.append(series)
    db.session.commit()
    return created


def generate_meetings(series: OneOnOneSeries, now: datetime) -> int:
    """Add the series' meetings from now to HORIZON_DAYS ahead that do not exist yet. Flushes."""
    if not series.is_active:
        return 0
    today = schedule.local_date(now, series.time_zone)
    until = today + timedelta(days=schedule.HORIZON_DAYS)
    days = schedule.occurrence_dates(series.cadence, series.weekday, series.starts_on, today, until)
    existing = set(
        db.session.scalars(
            select(OneOnOne.scheduled_at).where(
                OneOnOne.series_id == series.id, OneOnOne.scheduled_at >= now - timedelta(days=1)
            )
        )
    )
    added = 0
    for day in days:
        at = schedule.local_to_utc(day, series.start_time, series.time_zone)
        if at < now or at in existing:
            continue
        db.session.add(
            OneOnOne(
                series_id=series.id,
                person_id=series.person_id,
                supervisor_id=series.supervisor_id,
                scheduled_at=at,
                duration_minutes=series.duration_minutes,
            )
        )
        added += 1
    db.session.flush()
    return added


def generate_all(now: datetime) -> int:
    """Top up every active series (the `flask coaching generate` command); commits."""
    added = 0
    for series in db.session.scalars(
        select(OneOnOneSeries).where(OneOnOneSeries.ended_on.is_(None))
    ):
        added += generate_meetings(series, now)
    db.session.commit()
    return added


def _has_content(meeting_id_column) -> object:
    return (
        exists().where(AgendaItem.meeting_id == meeting_id_column)
        | exists().where(ActionItem.meeting_id == meeting_id_column)
        | exists().where(PrivateNote.meeting_id == meeting_id_column)
    )


def _end_series(by: Person | None, series: OneOnOneSeries, today: date, now: datetime) -> None:
    """End a series: its past stays; future meetings nobody wrote in go, the others are
    cancelled with the reason."""
    before = series.snapshot()
    series.ended_on = today
    future = db.session.scalars(
        select(OneOnOne).where(
            OneOnOne.series_id == series.id,
            OneOnOne.status == MeetingStatus.SCHEDULED,
            OneOnOne.scheduled_at > now,
        )
    ).all()
    for meeting in future:
        untouched = not meeting.shared_notes and not db.session.scalar(
            select(_has_content(OneOnOne.id)).where(OneOnOne.id == meeting.id)
        )
        if untouched:
            db.session.delete(meeting)
        else:
            meeting.status = MeetingStatus.CANCELLED
            meeting.cancel_reason = _("The series ended: the report moved to another supervisor.")
            meeting.status_recorded_at = now
    audit.record(
        by, "one_on_one_series.end", "one_on_one_series", series.id, before, series.snapshot()
    )
    db.session.flush()


def end_series_after_move(by: Person | None, person: Person, now: datetime) -> None:
    """Called when a person moves to another manager: their series with the former supervisor
    ends; if the new manager already runs 1:1s, a series like theirs starts. Flushes."""
    current = db.session.scalar(
        select(OneOnOneSeries).where(
            OneOnOneSeries.person_id == person.id, OneOnOneSeries.ended_on.is_(None)
        )
    )
    if current is not None and current.supervisor_id == person.manager_id:
        return
    if current is not None:
        _end_series(by, current, schedule.local_date(now, current.time_zone), now)
    if person.manager_id is None:
        return
    template = db.session.scalar(
        select(OneOnOneSeries)
        .where(OneOnOneSeries.supervisor_id == person.manager_id, OneOnOneSeries.ended_on.is_(None))
        .order_by(OneOnOneSeries.id.desc())
        .limit(1)
    )
    if template is None:
        return
    supervisor = db.session.get(Person, person.manager_id)
    assert supervisor is not None
    today = schedule.local_date(now, supervisor.time_zone or "UTC")
    series = _new_series(
        supervisor, person, template.cadence, template.weekday, template.start_time, today
    )
    generate_meetings(series, now)
    audit.record(
        by, "one_on_one_series.create", "one_on_one_series", series.id, None, series.snapshot()
    )


def update_series(
    by: Person,
    series: OneOnOneSeries,
    *,
    cadence: str,
    weekday: int,
    start_time: time | None,
    expected_version: int | None,
    now: datetime,
) -> None:
    """Change how often and when a series meets (its supervisor only). Upcoming meetings nobody
    has written in move to the new rhythm; those with an agenda, notes or items stay put."""
    policy.require(by, "one_on_one.edit_series", series)
    if expected_version is None or expected_version != series.version:
        raise Conflict()
    if not series.is_active:
        raise InvalidTransition(_("This series has ended; its history is kept as it was."))
    _check_settings(cadence, weekday, start_time)
    assert start_time is not None
    before = series.snapshot()
    for meeting in db.session.scalars(
        select(OneOnOne).where(
            OneOnOne.series_id == series.id,
            OneOnOne.status == MeetingStatus.SCHEDULED,
            OneOnOne.scheduled_at > now,
        )
    ).all():
        untouched = not meeting.shared_notes and not db.session.scalar(
            select(_has_content(OneOnOne.id)).where(OneOnOne.id == meeting.id)
        )
        if untouched:
            db.session.delete(meeting)
    db.session.flush()
    series.cadence = cadence
    series.weekday = weekday
    series.start_time = start_time
    series.time_zone = by.time_zone or series.time_zone
    series.starts_on = schedule.local_date(now, series.time_zone)
    db.session.flush()
    generate_meetings(series, now)
    audit.record(
        by, "one_on_one_series.edit", "one_on_one_series", series.id, before, series.snapshot()
    )
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


@person_moved.connect
def _on_person_moved(by: Person | None, *, person: Person, at: datetime, **_: object) -> None:
    end_series_after_move(by, person, at)
