"""Contacts as their viewers see them: the filtered, keyset-paged list, one contact, and the
records of CSV imports. Every query goes through the Area.QA visibility scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select

from portal import audit, keyset, policy
from portal.errors import NotFound
from portal.extensions import db
from portal.org.models import Market, Person, Segment, Team
from portal.qa.evaluation_models import contact_reviewed
from portal.qa.models import Contact, ContactImport, ImportStatus
from portal.zones import day_start, zone_of


@dataclass(frozen=True)
class ContactFilters:
    agent: str = ""  # part of a name, or an exact employee id
    person_id: int | None = None
    team_id: int | None = None
    channel: str | None = None
    market_id: int | None = None
    segment_id: int | None = None
    start_on: date | None = None  # in the viewer's time zone, inclusive
    end_on: date | None = None  # in the viewer's time zone, inclusive
    reviewed: str | None = None  # "yes": an evaluation exists (even a draft); "no": none
    reference: str = ""  # part of the contact's external reference, any case
    ids: tuple[int, ...] | None = None  # only these contacts (still within the scope)


@dataclass(frozen=True)
class ContactRow:
    id: int
    occurred_at: datetime
    channel: str
    direction: str
    source: str
    external_id: str
    duration_seconds: int | None
    customer_ref: str | None
    agent_id: int
    agent_name: str
    market_code: str | None
    segment_name: str | None


@dataclass(frozen=True)
class ContactPage:
    rows: list[ContactRow]
    next_cursor: str | None
    has_previous: bool


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


# The contact list sorts by when the contact took place, newest first unless asked otherwise.
SORT_KEYS = ("occurred",)
DEFAULT_SORT = keyset.Sort("occurred", "desc")


def contacts_for(
    viewer: Person,
    filters: ContactFilters,
    *,
    sort: keyset.Sort = DEFAULT_SORT,
    after: str | None = None,
    limit: int = 25,
) -> ContactPage:
    """The contacts of the agents the viewer may see by date (newest first unless the sort
    says otherwise), one page after `after`."""
    stmt = (
        select(
            Contact.id,
            Contact.occurred_at,
            Contact.channel,
            Contact.direction,
            Contact.source,
            Contact.external_id,
            Contact.duration_seconds,
            Contact.customer_ref,
            Person.id,
            Person.name,
            Market.code,
            Segment.name,
        )
        .join(Person, Person.id == Contact.person_id)
        .outerjoin(Market, Market.id == Contact.market_id)
        .outerjoin(Segment, Segment.id == Contact.segment_id)
    )
    stmt = _filtered(policy.scoped(stmt, Contact, viewer, policy.Area.QA), filters, viewer)
    cursor = keyset.read_cursor(after)
    stmt = keyset.ordered_page(stmt, Contact.occurred_at, Contact.id, sort, cursor, limit)
    rows = [ContactRow(*row) for row in db.session.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    next_cursor = keyset.cursor_text(last.occurred_at, last.id) if last else None
    return ContactPage(rows=rows, next_cursor=next_cursor, has_previous=cursor is not None)


def _filtered(stmt: Select, filters: ContactFilters, viewer: Person) -> Select:
    if filters.agent:
        text = filters.agent.strip()
        stmt = stmt.where(
            or_(
                func.lower(Person.name).contains(text.lower(), autoescape=True),
                Person.employee_id == text,
            )
        )
    if filters.reference.strip():
        text = filters.reference.strip().lower()
        stmt = stmt.where(func.lower(Contact.external_id).contains(text, autoescape=True))
    if filters.ids is not None:
        stmt = stmt.where(Contact.id.in_(filters.ids))
    if filters.person_id:
        stmt = stmt.where(Contact.person_id == filters.person_id)
    if filters.team_id:
        stmt = stmt.where(Person.team_id == filters.team_id)
    if filters.channel:
        stmt = stmt.where(Contact.channel == filters.channel)
    if filters.market_id:
        stmt = stmt.where(Contact.market_id == filters.market_id)
    if filters.segment_id:
        stmt = stmt.where(Contact.segment_id == filters.segment_id)
    if filters.reviewed:
        reviewed = contact_reviewed()
        stmt = stmt.where(reviewed if filters.reviewed == "yes" else ~reviewed)
    zone = zone_of(viewer)
    if filters.start_on:
        stmt = stmt.where(Contact.occurred_at >= day_start(filters.start_on, zone))
    if filters.end_on:
        stmt = stmt.where(Contact.occurred_at < day_start(filters.end_on + timedelta(days=1), zone))
    return stmt


def get_contact(viewer: Person, contact_id: int) -> Contact:
    """One contact of an agent the viewer may see (404 otherwise, as when it does not exist)."""
    return policy.get_visible_or_404(Contact, contact_id, viewer, policy.Area.QA)


def filter_choices() -> tuple[list[Choice], list[Choice], list[Choice]]:
    """Teams, markets and segments to filter by (names only; the rows stay scoped)."""
    teams = db.session.execute(
        select(Team.id, Team.name, Market.code)
        .outerjoin(Market, Market.id == Team.market_id)
        .order_by(Team.name, Team.id)
    )
    markets = db.session.execute(select(Market.id, Market.code, Market.name).order_by(Market.code))
    segments = db.session.execute(select(Segment.id, Segment.name).order_by(Segment.name))
    return (
        [Choice(i, f"{name} ({code})" if code else name) for i, name, code in teams],
        [Choice(i, f"{code} · {name}") for i, code, name in markets],
        [Choice(i, name) for i, name in segments],
    )


# ---- import records -------------------------------------------------------------------------


def begin_contact_import(by: Person, *, file_name: str) -> ContactImport:
    """A running import record for an uploaded file; contact_import.run_import fills it."""
    policy.require(by, "contact.import")
    record = ContactImport(
        imported_by_id=by.id,
        file_name=(file_name or "contacts.csv")[:255],
        status=ImportStatus.RUNNING,
        errors=[],
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        by, "contact.import_start", "contact_import", record.id, None, {"file_name": file_name}
    )
    db.session.commit()
    return record


def get_contact_import(viewer: Person, import_id: int) -> ContactImport:
    """An import seen by the person who ran it, or HR (404 for anyone else)."""
    record = db.session.get(ContactImport, import_id)
    if record is None or not policy.can(viewer, "contact_import.view", record):
        raise NotFound()
    return record


def recent_imports_for(viewer: Person, limit: int = 10) -> list[ContactImport]:
    """The viewer's latest imports (HR: everyone's)."""
    stmt = select(ContactImport).order_by(ContactImport.id.desc()).limit(limit)
    if not policy.is_hr(viewer):
        stmt = stmt.where(ContactImport.imported_by_id == viewer.id)
    return list(db.session.execute(stmt).scalars())
