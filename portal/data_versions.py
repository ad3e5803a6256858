"""The data's watermark: one version number per area that feeds a team panel, raised in the
same transaction as every write to that area. A cached panel's key holds the versions it was
built from, so after a write the next request looks for a key that does not exist yet and
builds the panel afresh: a stale read is impossible, not merely unlikely.

How a write raises the version, without the writer knowing:
- ORM writes: `before_flush` maps the tables of the new, changed and deleted objects to areas;
- Core statements run through the session (`insert(...)`, `update(...)`, `delete(...)`, and
  `text("INSERT INTO ...")`): `do_orm_execute` reads the statement's table;
- anything else (COPY through the raw connection): the writer calls `bump(session, *areas)`.
The areas gathered during a transaction are raised together just before it commits (one
UPDATE, areas in a fixed order), so the rows stay locked only for the commit itself and two
writers never take them in opposite orders. Knows no HTTP.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import TextClause

from portal.db import Base, UTCDateTime, utcnow

ORG = "org"
KPIS = "kpis"
QA = "qa"
COACHING = "coaching"
GOALS = "goals"
TRAINING = "training"
RECOGNITION = "recognition"
BUSINESS = "business"
AREAS: tuple[str, ...] = (ORG, KPIS, QA, COACHING, GOALS, TRAINING, RECOGNITION, BUSINESS)
# Not a panel's: raised when a session ends or is replaced (portal/auth/session_cache.py keys
# the remembered sign-ins by it and by ORG). Panels never read it, so sign-ins and sign-outs
# leave their cache alone.
AUTH = "auth"
KNOWN: tuple[str, ...] = (*AREAS, AUTH)
# The row whose version is a random number drawn when the table was made: two databases
# (a rebuilt one, a restored copy) never share cache keys even when their counters agree.
TOKEN = "_database"

# Every table, and the areas a write to it changes. tests/test_data_versions.py fails when a
# table is in neither this map nor IGNORED, so a new table needs a decision.
AREAS_BY_TABLE: dict[str, tuple[str, ...]] = {
    # who is in a node, who sees what
    "person": (ORG,),
    "position": (ORG,),
    "market": (ORG,),
    "segment": (ORG,),
    "team": (ORG,),
    "staff_grant": (ORG,),
    # sign-ins: a session started, ended or replaced (its last_seen_at touch raises nothing)
    "user_session": (AUTH,),
    # KPIs
    "kpi": (KPIS,),
    "kpi_position": (KPIS,),
    "kpi_target": (KPIS,),
    "kpi_value": (KPIS,),
    "kpi_rollup_daily": (KPIS,),
    "rollup_state": (KPIS, QA, COACHING),
    # QA
    "contact": (QA,),
    "contact_import": (QA,),
    "evaluation": (QA,),
    "evaluation_answer": (QA,),
    "evaluation_revision": (QA,),
    "scorecard": (QA,),
    "scorecard_version": (QA,),
    "scorecard_section": (QA,),
    "scorecard_question": (QA,),
    "scorecard_channel": (QA,),
    "scorecard_market": (QA,),
    "question_choice": (QA,),
    "qa_rollup_daily": (QA,),
    "qa_rollup_question": (QA,),
    "qa_rollup_people": (QA,),
    "qa_overturn_rollup": (QA,),
    "calibration_session": (QA,),
    "calibration_contact": (QA,),
    "calibration_participant": (QA,),
    "calibration_score": (QA,),
    "calibration_answer": (QA,),
    "sampling_rule": (QA,),
    "sampling_run": (QA,),
    "sampling_assignment": (QA,),
    # 1:1s and coaching
    "one_on_one_series": (COACHING,),
    "one_on_one": (COACHING,),
    "one_on_one_agenda_item": (COACHING,),
    "one_on_one_private_note": (COACHING,),
    "one_on_one_best_week": (COACHING,),
    "one_on_one_node_week": (COACHING,),
    "action_item": (COACHING,),
    "coaching_session": (COACHING, QA),
    "coaching_session_evaluation": (COACHING, QA),
    "coaching_session_question": (COACHING, QA),
    "coaching_calendar_feed": (COACHING,),
    # goals and reviews
    "review_cycle": (GOALS,),
    "cycle_phase": (GOALS,),
    "goal": (GOALS,),
    "goal_check_in": (GOALS,),
    "goal_comment": (GOALS,),
    "review": (GOALS,),
    "review_rating": (GOALS,),
    "review_reopening": (GOALS,),
    "calibration_change": (GOALS,),  # goals calibration's log (portal/goals/models.py)
    "calibration_close": (GOALS,),  # which reviews may still change
    # training
    "course": (TRAINING,),
    "course_qa_question": (TRAINING, QA),
    "assignment": (TRAINING,),
    "completion": (TRAINING,),
    "certification": (TRAINING,),
    "class_session": (TRAINING,),
    "assessment_question": (TRAINING,),
    "assessment_choice": (TRAINING,),
    "assessment_attempt": (TRAINING,),
    # recognition
    "kudos": (RECOGNITION,),
    "nomination": (RECOGNITION,),
    "recognition_programme": (RECOGNITION,),
    # business reviews and their actions (the home page's manager section counts them)
    "business_review": (BUSINESS,),
    "business_action_item": (BUSINESS,),
    "business_decision": (BUSINESS,),
}

# Tables no cached page reads: writing them changes no version (sign-ins, notifications and
# the audit log are written on nearly every request and would empty the cache each time).
IGNORED: frozenset[str] = frozenset(
    {
        "data_version",
        "audit_entry",
        "api_token",  # the API's tokens: no cached view reads them
        "session_seat",
        "notification",
        "notification_digest",
        "notification_preference",
        "corrective_action",
        "corrective_action_follow_up",
        "corrective_action_link",
        "improvement_plan",
        "improvement_plan_event",
        "improvement_expectation",
        "improvement_check_in",
        "improvement_check_in_value",
        "alembic_version",
    }
)

# Columns whose change no cached view shows (a password change): an UPDATE touching only
# these raises nothing.
IGNORED_COLUMNS: dict[str, frozenset[str]] = {
    "person": frozenset({"password_hash", "password_changed_at", "updated_at"}),
    "user_session": frozenset({"last_seen_at"}),
}

_PENDING = "data_versions.pending"
_SUSPENDED = "data_versions.suspended"
_MEMO = "data_versions.memo"
_TEXT_WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY)\s+\"?(\w+)",
    re.IGNORECASE,
)


class DataVersion(Base):
    __tablename__ = "data_version"

    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def areas_for_table(name: str) -> tuple[str, ...]:
    """The areas a write to table `name` changes; every area for a table not known (safe)."""
    if name in IGNORED:
        return ()
    return AREAS_BY_TABLE.get(name, KNOWN)


def areas_for_sql(sql: str) -> set[str]:
    """The areas a textual statement writes to (INSERT/UPDATE/DELETE/TRUNCATE/COPY), if any."""
    if re.search(r"\bTRUNCATE\b", sql, re.IGNORECASE):
        return set(KNOWN)
    found: set[str] = set()
    for name in _TEXT_WRITE.findall(sql):
        found.update(areas_for_table(name.lower()))
    return found


def bump(session: Session, *areas: str) -> None:
    """Mark `areas` changed by the session's transaction (raised when it commits). For the
    writes the session cannot see: COPY through the raw connection, another process."""
    unknown = set(areas) - set(KNOWN)
    if unknown:
        raise ValueError(f"unknown data areas: {sorted(unknown)}")
    session.info.setdefault(_PENDING, set()).update(areas)


@contextmanager
def suspended(session: Session) -> Iterator[None]:
    """Raise nothing for what the session commits inside the block: for writes to a schema
    older than the data_version table (a migration test at an earlier revision)."""
    session.info[_SUSPENDED] = True
    try:
        yield
    finally:
        session.info.pop(_SUSPENDED, None)
        session.info.pop(_PENDING, None)


def raise_now(session: Session, areas: Iterable[str]) -> None:
    """Raise the versions of `areas` at once, in the session's transaction (one UPDATE per
    area, in a fixed order). bump() defers to the commit; this is for code that commits
    through another path."""
    now = utcnow()
    for area in sorted(set(areas)):
        result = session.execute(
            update(DataVersion)
            .where(DataVersion.area == area)
            .values(version=DataVersion.version + 1, changed_at=now)
        )
        if result.rowcount == 0:  # the row went (a truncated table): start it again
            session.add(DataVersion(area=area, version=secrets.randbits(62), changed_at=now))
            session.flush()
    session.info.pop(_MEMO, None)


def read(session: Session) -> dict[str, int]:
    """Every area's version and the database's token: one small SELECT, remembered for the
    session (one request) until it commits or rolls back."""
    memo = session.info.get(_MEMO)
    if memo is None:
        rows = session.execute(select(DataVersion.area, DataVersion.version)).all()
        memo = {area: int(version) for area, version in rows}
        session.info[_MEMO] = memo
    return memo


# ---- session events --------------------------------------------------------------------


def _table_name(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


def _changes_what_is_shown(obj: Any, table: str) -> bool:
    """Whether a changed object has a changed column some cached view may read."""
    ignored = IGNORED_COLUMNS.get(table, frozenset())
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in ignored:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    found: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = _table_name(obj)
        if name is None:
            continue
        if obj in session.dirty and not _changes_what_is_shown(obj, name):
            continue
        found.update(areas_for_table(name))
    if found:
        session.info.setdefault(_PENDING, set()).update(found)


def _do_orm_execute(state: Any) -> None:
    statement = state.statement
    found: set[str] = set()
    if isinstance(statement, TextClause):
        found = areas_for_sql(statement.text)
    elif getattr(statement, "is_dml", False):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        found = set(areas_for_table(name)) if name else set(KNOWN)
    if found:
        state.session.info.setdefault(_PENDING, set()).update(found)


def _before_commit(session: Session) -> None:
    if session.info.get(_SUSPENDED):
        session.info.pop(_PENDING, None)
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # so before_flush has seen everything this commit writes
    pending = session.info.pop(_PENDING, None)
    if pending:
        raise_now(session, pending)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_MEMO, None)


def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: nothing left to raise
        session.info.pop(_PENDING, None)
        session.info.pop(_MEMO, None)


def init_app() -> None:
    """Listen on every session (idempotent)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("do_orm_execute", _do_orm_execute),
        ("before_commit", _before_commit),
        ("after_commit", _forget),
        ("after_rollback", _forget),
        ("after_transaction_end", _transaction_ended),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
