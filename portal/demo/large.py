"""`flask demo large`: the large data set for benchmarks, on PostgreSQL, by COPY.

It starts from the ordinary demo (every feature's records, the fixed sign-ins, scorecards, KPI
definitions) and grows it to the requested size: more managers under the head, each with
supervisors and their teams; a contact and an evaluation (one submitted revision, one answer per
question, scored by the real scoring code) per requested evaluation; weekly 1:1 series and their
meetings; daily KPI values on working days. The bulk rows are streamed as COPY ... FROM STDIN
with explicit ids (the sequences are reset afterwards), table by table, each committed and timed.

Every column a table requires is given (checked against the model before the first row), state
fields follow the state rules (a draft has no score; an acknowledged evaluation has its
acknowledged_at; a held meeting its recorded time and author).
"""

from __future__ import annotations

import io
import json
import math
import random
import time as clock
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.exc import DBAPIError

from portal import data_versions
from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.db import utcnow
from portal.demo import load, qa_answers, qa_feedback
from portal.demo.kpis import ACCOUNT_KPIS, AGENT_KPIS, AGENT_POSITIONS, _value
from portal.demo.names import NamePicker
from portal.demo.organisation import EMAIL_DOMAIN, MARKETS, TEAM_SEGMENTS
from portal.extensions import db
from portal.kpis.models import Kpi, KpiValue
from portal.org.models import Market, Person, Position, Segment, Team
from portal.qa import scoring
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
from portal.qa.evaluations import answer_rows, result_fields
from portal.qa.models import Contact, Scorecard, ScorecardVersion

CHANNELS = ["phone"] * 11 + ["email"] * 5 + ["voicemail"] * 2 + ["chat"] * 2
CARD_FOR_CHANNEL = {
    "phone": "Phone and voicemail quality",
    "voicemail": "Phone and voicemail quality",
    "email": "E-mail and chat quality",
    "chat": "E-mail and chat quality",
}
PATTERNS_PER_CARD = 600  # distinct scored answer sets per card, drawn from by skill
TEAM_SIZE = (9, 13)
PEOPLE_PER_MANAGER = 130


@dataclass(frozen=True)
class Options:
    people: int = 5_000
    evaluations: int = 1_000_000
    meetings: int = 250_000
    days: int = 730
    seed: int = 2026


class LargeRefused(Exception):
    """The database is not one the large set may be generated into."""


@dataclass
class Report:
    timings: list[tuple[str, int, float]] = field(default_factory=list)
    top_login: str = ""

    def add(self, name: str, rows: int, seconds: float) -> None:
        self.timings.append((name, rows, seconds))

    @property
    def total_seconds(self) -> float:
        return sum(t for _n, _r, t in self.timings)


# --- COPY helpers -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _check_columns(table: Table, columns: tuple[str, ...]) -> None:
    """Every column that must have a value and has no server default is in the COPY list."""
    missing = [
        c.name
        for c in table.columns
        if not c.nullable
        and c.server_default is None
        and c.name not in columns
        and not (c.primary_key and c.autoincrement is True and len(table.primary_key) == 1)
    ]
    unknown = [c for c in columns if c not in table.columns]
    if missing or unknown:
        raise ValueError(f"{table.name}: missing {missing}, unknown {unknown}")


def copy_rows(table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Stream rows into the table with COPY FROM STDIN (text format). Returns the count."""
    _check_columns(table, columns)
    # COPY bypasses the session: the cache's watermark is raised by hand (at the commit).
    data_versions.bump(db.session, *data_versions.areas_for_table(table.name))
    raw = db.session.connection().connection.driver_connection
    count = 0
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(map(_text, row)))
            buffer.write("\n")
            count += 1
            if count % 20_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _next_id(model: Any) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


def _reset_sequence(table: str) -> None:
    db.session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )
    )


# --- the organisation ---------------------------------------------------------------------


@dataclass
class Member:
    id: int
    position: str
    market_id: int
    market_code: str
    team_id: int | None
    segment_id: int | None
    manager_id: int
    path: str
    time_zone: str
    hire_on: date


@dataclass
class Org:
    head: Person
    members: list[Member] = field(default_factory=list)
    supervisor_of: dict[int, int] = field(default_factory=dict)  # frontline id -> supervisor

    @property
    def frontline(self) -> list[Member]:
        return [m for m in self.members if m.id in self.supervisor_of]


def _grow_organisation(options: Options, rng: random.Random, now: datetime, report: Report) -> Org:
    started = clock.perf_counter()
    head = db.session.execute(
        select(Person).where(Person.email == load.login_email("head"))
    ).scalar_one()
    existing = db.session.execute(select(func.count(Person.id))).scalar_one()
    extra = max(0, options.people - existing)
    markets = {m.code: m for m in db.session.execute(select(Market)).scalars()}
    positions = {p.code: p.id for p in db.session.execute(select(Position)).scalars()}
    segments = {s.code: s.id for s in db.session.execute(select(Segment)).scalars()}
    plans = {plan.code: plan for plan in MARKETS}
    names = NamePicker(rng)
    pools = {code: [names.pick(code) for _ in range(120)] for code in markets}
    org = Org(head=head)
    if extra == 0:
        report.add("person", 0, 0.0)
        return org

    next_person = _next_id(Person)
    next_team = _next_id(Team)
    team_numbers: dict[str, int] = {}
    team_rows: list[tuple] = []
    person_rows: list[tuple] = []
    today = now.date()
    hash_ = head.password_hash

    def add(position: str, market: Market, manager_id: int, manager_path: str, **kw: Any) -> Member:
        nonlocal next_person
        pid = next_person
        next_person += 1
        name = rng.choice(pools[market.code])
        # Hired before the generated history starts, so every day of it has their values.
        hire_on = today - timedelta(days=rng.randint(options.days + 30, options.days + 6 * 365))
        member = Member(
            id=pid,
            position=position,
            market_id=market.id,
            market_code=market.code,
            team_id=kw.get("team_id"),
            segment_id=kw.get("segment_id"),
            manager_id=manager_id,
            path=f"{manager_path}{pid}/",
            time_zone=market.time_zone,
            hire_on=hire_on,
        )
        person_rows.append(
            (
                pid,
                name.name,
                name.name_romanised,
                f"large.{pid}@{EMAIL_DOMAIN}",
                f"L{pid:07d}",
                positions[position],
                hire_on,
                hire_on,
                market.id,
                member.segment_id,
                member.team_id,
                plans[market.code].locale,
                market.time_zone,
                True,
                manager_id,
                member.path,
                member.path.count("/") - 2,
                hash_,
                now,
                1,
                now,
                now,
            )
        )
        org.members.append(member)
        return member

    n_managers = max(1, math.ceil(extra / PEOPLE_PER_MANAGER))
    codes = sorted(markets)
    managers = [
        add("manager", markets[codes[i % len(codes)]], head.id, head.path)
        for i in range(n_managers)
    ]
    remaining = extra - n_managers
    turn = 0
    while remaining > 1:
        manager = managers[turn % n_managers]
        turn += 1
        market = markets[manager.market_code]
        kind = "Merchant Care" if rng.random() < 0.7 else "Account Management"
        team_numbers[market.code] = team_numbers.get(market.code, 0) + 1
        team_id = next_team
        next_team += 1
        team_rows.append((team_id, f"{market.code} {kind} L{team_numbers[market.code]}", market.id))
        supervisor = add("supervisor", market, manager.id, manager.path, team_id=team_id)
        size = min(rng.randint(*TEAM_SIZE), remaining - 1)
        for _ in range(size):
            if kind == "Account Management":
                position = "account_manager"
            else:
                position = "senior_agent" if rng.random() < 0.15 else "agent"
            member = add(
                position,
                market,
                supervisor.id,
                supervisor.path,
                team_id=team_id,
                segment_id=segments[rng.choice(TEAM_SEGMENTS[kind])],
            )
            org.supervisor_of[member.id] = supervisor.id
        remaining -= size + 1

    copy_rows(Team.__table__, ("id", "name", "market_id"), team_rows)
    copy_rows(
        Person.__table__,
        (
            "id",
            "name",
            "name_romanised",
            "email",
            "employee_id",
            "position_id",
            "hire_on",
            "position_since_on",
            "market_id",
            "segment_id",
            "team_id",
            "locale",
            "time_zone",
            "is_active",
            "manager_id",
            "path",
            "depth",
            "password_hash",
            "password_changed_at",
            "version",
            "created_at",
            "updated_at",
        ),
        person_rows,
    )
    _reset_sequence("team")
    _reset_sequence("person")
    db.session.commit()
    report.add("team", len(team_rows), 0.0)
    report.add("person", len(person_rows), clock.perf_counter() - started)
    return org


# --- QA -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    answers: tuple[tuple[int, str, int | None, int | None, bool], ...]
    score: Decimal | None
    score_exact: str | None
    critical_failed: bool
    # Channel -> the evaluator's comment, and the agent's dispute (overall, question id and
    # reason, the upheld resolution); no dispute when nothing was lost.
    comments: dict[str, str]
    disputes: dict[str, tuple[str, str, str, str]]


def _patterns(rng: random.Random) -> dict[str, tuple[int, list[Pattern]]]:
    """Card name -> (version id, answer sets scored by the real scoring code, with the
    comments and disputes the ordinary demo would write on them, per channel)."""
    channels_of: dict[str, list[str]] = {}
    for channel, name in CARD_FOR_CHANNEL.items():
        channels_of.setdefault(name, []).append(channel)
    result: dict[str, tuple[int, list[Pattern]]] = {}
    cards = db.session.execute(select(Scorecard).where(Scorecard.current_version_id.is_not(None)))
    for card in cards.scalars():
        version = db.session.get(ScorecardVersion, card.current_version_id)
        spec = version.spec()
        facts = qa_feedback.question_facts(q for s in version.sections for q in s.questions)
        channels = channels_of.get(card.name, [])
        patterns = []
        for _ in range(PATTERNS_PER_CARD):
            skill = qa_answers.skill_on(qa_answers.agent_skill(rng), rng.random())
            answers = qa_answers.answers(rng, spec, skill)
            rows = answer_rows(spec, answers)
            result_ = scoring.score(spec, answers)
            fields = result_fields(result_)
            outcomes = qa_feedback.outcomes_of(facts, rows)
            overall = float(result_.overall) if result_.overall is not None else 0.0
            named = qa_feedback.to_work_on(outcomes)
            disputes = {}
            if named:
                for channel in channels:
                    reason, on_question = qa_feedback.dispute(channel, named[0])
                    disputes[channel] = (
                        reason,
                        str(named[0].question_id),
                        on_question,
                        qa_feedback.upheld(channel, named[0]),
                    )
            patterns.append(
                Pattern(
                    answers=tuple(
                        (r.question_id, r.value, r.earned, r.possible, bool(r.failed)) for r in rows
                    ),
                    score=fields["score"],
                    score_exact=fields["score_exact"],
                    critical_failed=fields["critical_failed"],
                    comments={c: qa_feedback.comment(rng, c, outcomes, overall) for c in channels},
                    disputes=disputes,
                )
            )
        result[card.name] = (version.id, patterns)
    return result


def _generate_qa(
    org: Org, options: Options, rng: random.Random, now: datetime, report: Report
) -> None:
    frontline = org.frontline
    if not frontline or options.evaluations <= 0:
        return
    cards = _patterns(rng)
    # The demo's cards were published weeks ago; the large set scores two years back.
    db.session.execute(
        update(ScorecardVersion)
        .where(ScorecardVersion.published_at.is_not(None))
        .values(published_at=now - timedelta(days=options.days + 30))
    )
    contact_id = _next_id(Contact)
    evaluation_id = _next_id(Evaluation)
    revision_id = _next_id(EvaluationRevision)
    span = options.days * 86_400 - 4 * 86_400
    draws = []
    for k in range(options.evaluations):
        # Everyone gets some; the rest are spread at random.
        agent = frontline[k] if k < len(frontline) else rng.choice(frontline)
        at = now - timedelta(seconds=4 * 86_400 + rng.randint(0, max(1, span)))
        draws.append((at, agent, rng.choice(CHANNELS)))
    draws.sort(key=lambda d: d[0])  # ids in time order, as they would have been made
    # (contact id, evaluation id, revision id, agent, at, channel)
    plan = [
        (contact_id + k, evaluation_id + k, revision_id + k, agent, at, channel)
        for k, (at, agent, channel) in enumerate(draws)
    ]
    del draws

    started = clock.perf_counter()
    n = copy_rows(
        Contact.__table__,
        (
            "id",
            "channel",
            "source",
            "external_id",
            "person_id",
            "occurred_at",
            "direction",
            "customer_ref",
            "duration_seconds",
            "market_id",
            "segment_id",
            "created_at",
        ),
        (
            (
                c_id,
                channel,
                "large",
                f"L{c_id:09d}",
                agent.id,
                at,
                "inbound" if rng.random() < 0.8 else "outbound",
                f"M-{rng.randint(10000, 99999)}",
                rng.randint(60, 900) if channel in ("phone", "voicemail") else None,
                agent.market_id,
                agent.segment_id,
                at,
            )
            for c_id, _e, _r, agent, at, channel in plan
        ),
    )
    _reset_sequence("contact")
    db.session.commit()
    report.add("contact", n, clock.perf_counter() - started)

    # One draw per evaluation: its answer set and its state.
    picks: list[tuple[int, Pattern, str]] = []
    draft_after = now - timedelta(days=14)
    for _c, _e, _r, _agent, at, channel in plan:
        version_id, patterns = cards[CARD_FOR_CHANNEL[channel]]
        roll = rng.random()
        if at > draft_after and roll < 0.3:
            state = "draft"
        elif at > draft_after or roll < 0.08:
            state = "submitted"
        elif roll < 0.95:
            state = "acknowledged"
        elif roll < 0.975:
            state = "disputed"
        else:
            state = "resolved"
        pattern = rng.choice(patterns)
        if state in ("disputed", "resolved") and channel not in pattern.disputes:
            state = "acknowledged"  # nothing was lost: nothing to dispute
        picks.append((version_id, pattern, state))

    started = clock.perf_counter()

    def evaluation_rows() -> Iterator[tuple]:
        for (c_id, e_id, _r, agent, at, channel), (version_id, p, state) in zip(
            plan, picks, strict=True
        ):
            draft = state == "draft"
            later = at + timedelta(hours=6)
            disputed = state in ("disputed", "resolved")
            dispute = p.disputes.get(channel) if disputed else None
            yield (
                e_id,
                at,
                later,
                c_id,
                agent.id,
                org.supervisor_of[agent.id],
                version_id,
                state,
                1,
                None if draft else p.score,
                None if draft else p.score_exact,
                False if draft else p.critical_failed,
                None if draft else at,
                later if state == "acknowledged" else None,
                later if disputed else None,
                dispute[0] if dispute else None,
                json.dumps({dispute[1]: dispute[2]} if dispute else {}),
                "upheld" if state == "resolved" else None,
                dispute[3] if dispute and state == "resolved" else None,
                later + timedelta(days=1) if state == "resolved" else None,
                org.supervisor_of[agent.id] if state == "resolved" else None,
                1,
            )

    n = copy_rows(
        Evaluation.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "contact_id",
            "person_id",
            "evaluator_id",
            "scorecard_version_id",
            "status",
            "revision_number",
            "score",
            "score_exact",
            "critical_failed",
            "submitted_at",
            "acknowledged_at",
            "disputed_at",
            "dispute_reason",
            "dispute_questions",
            "resolution",
            "resolution_reason",
            "resolved_at",
            "resolved_by_id",
            "version",
        ),
        evaluation_rows(),
    )
    _reset_sequence("evaluation")
    db.session.commit()
    report.add("evaluation", n, clock.perf_counter() - started)

    started = clock.perf_counter()
    n = copy_rows(
        EvaluationRevision.__table__,
        (
            "id",
            "evaluation_id",
            "number",
            "author_id",
            "overall_comment",
            "score",
            "score_exact",
            "critical_failed",
            "created_at",
            "submitted_at",
        ),
        (
            (
                r_id,
                e_id,
                1,
                org.supervisor_of[agent.id],
                "" if state == "draft" else p.comments.get(channel, ""),
                None if state == "draft" else p.score,
                None if state == "draft" else p.score_exact,
                False if state == "draft" else p.critical_failed,
                at,
                None if state == "draft" else at,
            )
            for (_c, e_id, r_id, agent, at, channel), (_v, p, state) in zip(
                plan, picks, strict=True
            )
        ),
    )
    _reset_sequence("evaluation_revision")
    db.session.commit()
    report.add("evaluation_revision", n, clock.perf_counter() - started)

    started = clock.perf_counter()
    n = copy_rows(
        EvaluationAnswer.__table__,
        ("revision_id", "question_id", "value", "comment", "earned", "possible", "failed"),
        (
            (r_id, qid, value, "", earned, possible, failed)
            for (_c, _e, r_id, *_rest), (_v, p, _s) in zip(plan, picks, strict=True)
            for qid, value, earned, possible, failed in p.answers
        ),
    )
    db.session.commit()
    report.add("evaluation_answer", n, clock.perf_counter() - started)


# --- 1:1s ---------------------------------------------------------------------------------


def _generate_coaching(
    org: Org, options: Options, rng: random.Random, now: datetime, report: Report
) -> None:
    frontline = org.frontline
    if not frontline or options.meetings <= 0:
        return
    started = clock.perf_counter()
    per_person = max(1, options.meetings // len(frontline))
    extra = options.meetings - per_person * len(frontline)
    series_id = _next_id(OneOnOneSeries)
    meeting_id = _next_id(OneOnOne)
    series_rows: list[tuple] = []
    meeting_rows: list[tuple] = []
    today = now.date()
    upcoming = 3  # of each person's meetings, the last few lie ahead
    for index, member in enumerate(frontline):
        count = per_person + (1 if index < extra else 0)
        supervisor = org.supervisor_of[member.id]
        weekday = rng.randint(0, 4)
        start_time = time(rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 30]))
        first = today - timedelta(weeks=count - upcoming)
        first -= timedelta(days=(first.weekday() - weekday) % 7)
        zone = ZoneInfo(member.time_zone)
        series_rows.append(
            (
                series_id,
                member.id,
                supervisor,
                "weekly",
                weekday,
                start_time,
                30,
                member.time_zone,
                first,
                None,
                1,
                now,
                now,
            )
        )
        for week in range(count):
            day = first + timedelta(weeks=week)
            at = datetime.combine(day, start_time, zone).astimezone(UTC)
            if at > now:
                status, recorded_at, recorded_by, reason = "scheduled", None, None, None
            else:
                roll = rng.random()
                status = "held" if roll < 0.86 else "missed" if roll < 0.93 else "cancelled"
                recorded_at, recorded_by = at + timedelta(minutes=35), supervisor
                reason = "Team meeting ran over." if status == "cancelled" else None
            meeting_rows.append(
                (
                    meeting_id,
                    series_id,
                    member.id,
                    supervisor,
                    at,
                    30,
                    status,
                    reason,
                    recorded_at,
                    recorded_by,
                    "",
                    1,
                    1,
                    now,
                    now,
                )
            )
            meeting_id += 1
        series_id += 1
    copy_rows(
        OneOnOneSeries.__table__,
        (
            "id",
            "person_id",
            "supervisor_id",
            "cadence",
            "weekday",
            "start_time",
            "duration_minutes",
            "time_zone",
            "starts_on",
            "ended_on",
            "version",
            "created_at",
            "updated_at",
        ),
        series_rows,
    )
    _reset_sequence("one_on_one_series")
    db.session.commit()
    report.add("one_on_one_series", len(series_rows), clock.perf_counter() - started)
    started = clock.perf_counter()
    n = copy_rows(
        OneOnOne.__table__,
        (
            "id",
            "series_id",
            "person_id",
            "supervisor_id",
            "scheduled_at",
            "duration_minutes",
            "status",
            "cancel_reason",
            "status_recorded_at",
            "status_recorded_by_id",
            "shared_notes",
            "version",
            "notes_version",
            "created_at",
            "updated_at",
        ),
        meeting_rows,
    )
    _reset_sequence("one_on_one")
    db.session.commit()
    report.add("one_on_one", n, clock.perf_counter() - started)


# --- KPIs ---------------------------------------------------------------------------------


def _generate_kpis(
    org: Org, options: Options, rng: random.Random, now: datetime, report: Report
) -> None:
    frontline = org.frontline
    if not frontline or options.days <= 0:
        return
    started = clock.perf_counter()
    ids = {code: kpi_id for code, kpi_id in db.session.execute(select(Kpi.code, Kpi.id))}
    today = now.date()
    workdays = [
        today - timedelta(days=offset)
        for offset in range(options.days, 0, -1)
        if (today - timedelta(days=offset)).weekday() < 5
    ]
    gauss = rng.gauss
    next_id = _next_id(KpiValue)

    def rows() -> Iterator[tuple]:
        nonlocal next_id
        for member in frontline:
            if member.position in AGENT_POSITIONS:
                codes = AGENT_KPIS
            elif member.position == "account_manager":
                codes = ACCOUNT_KPIS
            else:
                continue
            skill = gauss(0, 1)
            phase = rng.random() * 6.28
            for index, day in enumerate(workdays):
                level = skill + 0.5 * math.sin(phase + index / 60)
                for code in codes:
                    if code not in ids:
                        continue
                    row = _value(code, ids[code], member.id, day, level, gauss)
                    yield (next_id, *row, now)
                    next_id += 1

    n = copy_rows(
        KpiValue.__table__,
        (
            "id",
            "person_id",
            "kpi_id",
            "value_on",
            "value",
            "numerator",
            "denominator",
            "weight",
            "updated_at",
        ),
        rows(),
    )
    _reset_sequence("kpi_value")
    db.session.commit()
    report.add("kpi_value", n, clock.perf_counter() - started)


# --- the command --------------------------------------------------------------------------

Step = Callable[[Org, Options, random.Random, datetime, Report], None]
STEPS: list[Step] = [_generate_qa, _generate_coaching, _generate_kpis]


def _empty_database() -> None:
    """Empty a benchmark database. The audit log refuses TRUNCATE: only the tables' owner can
    lift that, for this transaction (the app's own role cannot; see portal/audit_roles.py)."""
    # data_version stays: its counters only grow, so no cache key of before is met again.
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name != "data_version"]
    try:
        db.session.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_truncate"))
    except DBAPIError as error:
        db.session.rollback()
        raise LargeRefused(
            "Only the tables' owner may empty the database (--force): the audit log refuses "
            "TRUNCATE to every other role. Run it with the owner's DATABASE_URL."
        ) from error
    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    db.session.execute(
        text("ALTER TABLE audit_entry ENABLE ALWAYS TRIGGER audit_entry_no_truncate")
    )
    db.session.commit()


def generate(
    options: Options, *, force: bool = False, now: datetime | None = None, analyze: bool = True
) -> Report:
    """Build the large data set into an empty PostgreSQL database; with force, empty it first."""
    if db.engine.dialect.name != "postgresql":
        raise LargeRefused(
            "The large data set is generated with PostgreSQL's COPY; point DATABASE_URL at a "
            "PostgreSQL database (the embedded SQLite demo is `flask demo load`)."
        )
    if db.session.execute(select(Person.id).limit(1)).first() is not None:
        if not force:
            raise LargeRefused(
                "People already exist in this database; the large set is generated only into "
                "an empty one (--force empties every table first)."
            )
        _empty_database()
    now = now or utcnow()
    report = Report()
    started = clock.perf_counter()
    load.load_demo(seed=options.seed, today=now.date())
    report.add("demo (ordinary sections)", 0, clock.perf_counter() - started)
    rng = random.Random(options.seed)
    org = _grow_organisation(options, rng, now, report)
    for step in STEPS:
        step(org, options, rng, now, report)
    started = clock.perf_counter()
    db.session.commit()
    if analyze:  # fresh statistics, or the planner guesses on a million rows
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    report.add("analyze", 0, clock.perf_counter() - started)
    report.top_login = load.login_email("head")
    return report
