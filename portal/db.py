"""Declarative base, common mixins and small database helpers."""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import CheckConstraint, DateTime, Integer, MetaData, String, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from portal.errors import Conflict

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A timestamp read outside UTCDateTime (an aggregate such as max(updated_at), which SQLite
    returns without its zone) as an aware UTC one."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def enum_column(enum_cls: type[enum.StrEnum], name: str, length: int = 32) -> tuple:
    """A string column for a StrEnum and the CHECK constraint that keeps it honest."""
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return String(length), CheckConstraint(f"{name} IN ({values})", name=f"{name}_valid")


# ---- races: stale versions and double submits ----------------------------------------------


class ConflictSession(FlaskSession):
    """`db.session`'s class. A write that lost a race (another request moved the row's version
    column between our read and our UPDATE: SQLAlchemy's StaleDataError) is rolled back and
    raised as Conflict, wherever the flush happens: an explicit flush, the autoflush before a
    query (audit.record's), or the commit. So every versioned form answers 409, and a view
    that catches Conflict re-renders what was typed; errors.py renders any other."""

    _committing = False

    def flush(self, objects: Any = None) -> None:
        try:
            super().flush(objects)
        except StaleDataError as error:
            if self._committing:
                raise  # commit() rolls back once its own flush has ended, then raises Conflict
            self.rollback()  # first: Conflict's message may read the signed-in person
            raise Conflict() from error

    def commit(self) -> None:
        self._committing = True
        try:
            super().commit()
        except StaleDataError as error:
            self._committing = False
            self.rollback()
            raise Conflict() from error
        finally:
            self._committing = False


TOKEN_MAX = 64  # the width of every double-submit token column
_TOKEN = re.compile(rf"[A-Za-z0-9_\-]{{1,{TOKEN_MAX}}}")


def usable_token(value: object) -> str | None:
    """A form's double-submit token if it can be one (1 to 64 URL-safe characters, as
    secrets.token_urlsafe makes them); anything else (blank, too long for the column, other
    characters) is no token: the form then records once per submit, unguarded."""
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    return None


def fresh_token() -> str:
    return secrets.token_urlsafe(24)


def create_once(model: type[T], make: Callable[[], T], **key: Any) -> tuple[T, bool]:
    """The record `key` (column=value pairs covering a unique constraint, e.g. a form's token
    and its author) names: the one already made, or `make()` inserted now. Returns (record,
    created); a key holding None (a form without a usable token) guards nothing.

    Two submits racing past the lookup both insert; the unique constraint refuses the second
    inside a savepoint (so the session and, on PostgreSQL, the transaction stay usable) and
    the record the first made is returned. A key taken by a record the lookup does not find
    (another person's token) is a Conflict. Flushes; the caller audits and commits."""
    from portal.extensions import db

    if any(value is None for value in key.values()):  # no token: nothing to guard
        record = make()
        db.session.add(record)
        db.session.flush()
        return record, True
    stmt = select(model).filter_by(**key)
    existing = find_existing(stmt)
    if existing is not None:
        return existing, False
    record = make()
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError as error:
        existing = find_existing(stmt)
        if existing is None:
            raise Conflict() from error
        return existing, False
    return record, True


def find_existing(stmt: Any) -> Any:
    """create_once's lookup (one place, so a test can make it miss as a racing request's did)."""
    from portal.extensions import db

    return db.session.scalars(stmt).first()


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        # No server-side prepared statements: after five runs psycopg prepares a query, and
        # PostgreSQL may then keep a generic plan that cannot use the tree-path prefix index
        # (LIKE '/1/5/%' with the prefix as a parameter): the team pages went from tens of
        # milliseconds to most of a second on the large data set.
        dbapi_connection.prepare_threshold = None
        # No JIT compilation: the aggregates over the large tables have estimated costs near
        # its threshold, and compiling took longer (300 ms and more) than the queries saved.
        dbapi_connection.execute("SET jit = off")
        # Sessions in UTC, spelt "UTC": psycopg then returns timestamps with `datetime.UTC`
        # itself, which UTCDateTime passes through, instead of a ZoneInfo (a server's default
        # is often "Etc/UTC") converted row by row: a third less CPU per timestamp read.
        # Stored values and every explicit AT TIME ZONE are unchanged.
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()
        return
    # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy docs).
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    """On a SQLite file, every transaction takes the write lock as it begins (IMMEDIATE): the
    web server and the job worker share the file, and a transaction that read first and then
    writes is refused at once ("database is locked") when the other committed meanwhile,
    while one that begins by locking waits its turn (busy_timeout). Writers queue; readers
    still read under write-ahead logging. In memory (the tests) one connection: plain BEGIN."""
    if conn.dialect.name == "sqlite":
        database = conn.engine.url.database
        shared_file = database not in (None, "", ":memory:") and "mode=memory" not in database
        conn.exec_driver_sql("BEGIN IMMEDIATE" if shared_file else "BEGIN")
