"""The demo organisation: its shape, its names, its sign-ins, and loading it only once."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.audit import AuditEntry, verify_chain
from portal.auth.services import authenticate
from portal.demo import load
from portal.demo.names import strip_diacritics
from portal.extensions import db, limiter
from portal.org.models import Grant, Market, Person, Position, Segment, Team

LOGIN_EMAILS = [load.login_email(local) for local, _role in load.LOGINS]


@pytest.fixture(scope="module")
def _demo_loaded_once(app):
    """The demo is loaded once for this module, inside one outer transaction rolled back at its
    end: these tests only read it (the ones that reload or clash are in test_demo_reload.py)."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            assert load.load_demo(if_empty=True) is True
            db.session.remove()
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture(autouse=True)
def _transaction(_demo_loaded_once, app):
    """Replaces the per-test transaction of tests/conftest.py for this module."""
    with app.app_context():
        limiter.reset()
        yield
        db.session.remove()


@pytest.fixture
def demo() -> None:
    """The demo, already loaded for the module."""


def people() -> list[Person]:
    return list(db.session.execute(select(Person)).scalars())


def by_email(email: str) -> Person:
    return db.session.execute(select(Person).where(Person.email == email)).scalar_one()


def in_script(text: str, script: str) -> bool:
    return any(unicodedata.name(c, "").startswith(script) for c in text)


def test_the_demo_has_about_150_people_in_five_markets_and_three_segments(demo):
    assert 130 <= len(people()) <= 170
    markets = {m.code: (m.name, m.time_zone) for m in db.session.execute(select(Market)).scalars()}
    assert markets == {
        "HK": ("Hong Kong", "Asia/Hong_Kong"),
        "TW": ("Taiwan", "Asia/Taipei"),
        "JP": ("Japan", "Asia/Tokyo"),
        "KR": ("Korea", "Asia/Seoul"),
        "VN": ("Vietnam", "Asia/Ho_Chi_Minh"),
    }
    segments = {s.code: s.name for s in db.session.execute(select(Segment)).scalars()}
    assert segments == {"SMALL": "Small", "MEDIUM": "Medium", "VIP": "VIP / Enterprise"}


def test_every_position_has_a_readable_name_and_a_rank_above_the_agents(demo):
    positions = {p.code: p for p in db.session.execute(select(Position)).scalars()}
    assert set(positions) == {
        "agent",
        "senior_agent",
        "account_manager",
        "supervisor",
        "manager",
        "head",
        "qa_analyst",
        "trainer",
        "hr",
    }
    assert positions["senior_agent"].name == "Senior Agent"
    assert positions["agent"].rank < positions["supervisor"].rank < positions["manager"].rank
    assert positions["manager"].rank < positions["head"].rank


def test_the_tree_has_one_root_and_every_path_extends_the_managers_path(demo):
    roots = [p for p in people() if p.manager_id is None]
    assert [p.email for p in roots] == ["head@demo.example.com"]
    assert roots[0].path == f"/{roots[0].id}/"
    manager = aliased(Person)
    pairs = db.session.execute(
        select(Person.id, Person.path, Person.depth, manager.path).join(
            manager, manager.id == Person.manager_id
        )
    ).all()
    assert len(pairs) == len(people()) - 1
    for person_id, path, depth, manager_path in pairs:
        assert path == f"{manager_path}{person_id}/"
        assert depth == path.count("/") - 2


def test_every_supervisor_leads_a_named_team_of_eight_to_twelve_reports(demo):
    supervisors = [p for p in people() if p.position.code == "supervisor"]
    assert 10 <= len(supervisors) <= 15
    for supervisor in supervisors:
        reports = [p for p in people() if p.manager_id == supervisor.id]
        assert 8 <= len(reports) <= 12, supervisor.email
        assert {r.team_id for r in reports} == {supervisor.team_id}
        assert {r.position.code for r in reports} <= {"agent", "senior_agent", "account_manager"}
    team_names = set(db.session.execute(select(Team.name)).scalars())
    assert "HK Merchant Care 1" in team_names
    assert all(re.fullmatch(r"(HK|TW|JP|KR|VN) [A-Za-z ]+ \d", name) for name in team_names)


def test_each_market_has_one_manager_reporting_to_the_head(demo):
    head = by_email("head@demo.example.com")
    managers = [p for p in people() if p.position.code == "manager"]
    assert sorted(m.market.code for m in managers) == ["HK", "JP", "KR", "TW", "VN"]
    assert all(m.manager_id == head.id for m in managers)
    for m in managers:
        supervisors = [p for p in people() if p.manager_id == m.id]
        assert 2 <= len(supervisors) <= 3


@pytest.mark.parametrize(
    ("market", "script"),
    [("HK", "CJK"), ("TW", "CJK"), ("JP", "CJK"), ("KR", "HANGUL"), ("VN", "LATIN")],
)
def test_names_are_written_in_each_markets_own_script(demo, market, script):
    locals_ = [p for p in people() if p.market and p.market.code == market]
    assert locals_
    for person in locals_:
        assert in_script(person.name, script), person.name
        assert person.name_romanised and person.name_romanised.isascii()
        assert in_script(person.name_romanised, "LATIN")


def test_vietnamese_names_keep_their_diacritics_and_romanise_without_them(demo):
    vietnamese = [p for p in people() if p.market.code == "VN"]
    assert any(not p.name.isascii() for p in vietnamese)
    for person in vietnamese:
        assert person.name_romanised == strip_diacritics(person.name)
    assert strip_diacritics("Nguyễn Đức Thắng") == "Nguyen Duc Thang"


def test_people_get_their_markets_locale_and_time_zone(demo):
    expected = {"HK": "zh_Hant", "TW": "zh_Hant", "JP": "ja", "KR": "ko", "VN": "vi"}
    for person in people():
        assert person.time_zone == person.market.time_zone
        if person.position.code not in {"head", "qa_analyst", "trainer", "hr"}:
            assert person.locale == expected[person.market.code], person.email


def test_emails_and_employee_ids_are_ascii_unique_and_follow_the_pattern(demo):
    everyone = people()
    emails = [p.email for p in everyone]
    assert len(set(emails)) == len(emails)
    fixed = set(LOGIN_EMAILS)
    for email in emails:
        assert email.isascii()
        if email not in fixed:
            assert re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@demo\.example\.com", email), email
    ids = [p.employee_id for p in everyone]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"(HK|TW|JP|KR|VN)-\d{4}", i) for i in ids)


def test_hire_and_position_dates_spread_over_the_last_one_to_eight_years(demo):
    everyone = people()
    newest = max(p.hire_on for p in everyone)
    oldest = min(p.hire_on for p in everyone)
    today = max(p.created_at for p in everyone).date()
    assert today - newest >= timedelta(days=365)
    assert today - oldest <= timedelta(days=8 * 366)
    assert (newest - oldest).days > 4 * 365
    assert all(p.hire_on <= p.position_since_on < today for p in everyone)


def test_a_few_people_have_left_and_keep_their_place_and_history(demo):
    gone = [p for p in people() if not p.is_active]
    assert 1 <= len(gone) <= 10
    for person in gone:
        assert person.deactivated_at is not None
        assert person.manager_id is not None and person.team_id is not None
        assert person.deactivated_at.date() >= person.position_since_on
        assert person.email not in LOGIN_EMAILS


def test_every_fixed_login_signs_in_with_the_demo_password(demo):
    for email in LOGIN_EMAILS:
        person = authenticate(email, load.DEMO_PASSWORD)
        assert person is not None and person.email == email
        assert authenticate(email, "Wrong-Password-1!") is None


def test_the_fixed_logins_sit_where_their_description_says(demo):
    head, manager, supervisor, agent = (
        by_email(load.login_email(local))
        for local in ("head", "manager.hk", "supervisor.hk", "agent.hk")
    )
    assert head.position.code == "head" and head.manager_id is None
    assert manager.position.code == "manager" and manager.market.code == "HK"
    assert supervisor.manager_id == manager.id and supervisor.team.name == "HK Merchant Care 1"
    assert agent.position.code == "agent" and agent.manager_id == supervisor.id


def test_staff_are_granted_their_markets(demo):
    def grants_of(local: str) -> set[tuple[str, str | None]]:
        person = by_email(load.login_email(local))
        rows = db.session.execute(
            select(Grant.role, Market.code)
            .outerjoin(Market, Market.id == Grant.market_id)
            .where(Grant.person_id == person.id)
        ).all()
        return {(role, code) for role, code in rows}

    assert grants_of("qa") == {("qa_analyst", "HK"), ("qa_analyst", "TW")}
    assert grants_of("trainer") == {("trainer", "JP"), ("trainer", "KR"), ("trainer", "VN")}
    assert grants_of("hr") == {("hr_admin", None)}


def test_loading_again_with_if_empty_creates_nothing(demo):
    before = db.session.execute(select(func.count(Person.id))).scalar_one()
    assert load.load_demo(if_empty=True) is False
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == before


def test_the_load_is_audited_once_and_the_chain_verifies(demo):
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "demo.load")
    ).scalars()
    entries = list(entries)
    assert len(entries) == 1
    assert entries[0].record_type == "organisation"
    assert entries[0].after["people"] == len(people())
    assert entries[0].after["evaluations"] > 0
    assert verify_chain().ok


def test_flask_demo_logins_prints_every_login_the_password_and_the_address(app):
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code == 0
    for email in LOGIN_EMAILS:
        assert email in result.output
    assert "Portal-Demo-2026!" in result.output
    assert "http://127.0.0.1:5000" in result.output


def test_the_demo_has_a_sampling_run_and_calibration_sessions_with_varied_agreement(demo):
    from portal.qa import calibration_service
    from portal.qa.programme_models import CalibrationSession, SamplingRun

    run = db.session.execute(select(SamplingRun)).scalar_one()
    assert run.picked_count > 50
    sessions = db.session.execute(select(CalibrationSession).order_by(CalibrationSession.id))
    sessions = list(sessions.scalars())
    assert [s.is_open for s in sessions] == [False, False, False, True]
    qa = by_email(load.login_email("qa"))
    agreement = [
        calibration_service.results_for(qa, s).by_level[0].percent_agreement for s in sessions[:3]
    ]
    assert agreement[0] > agreement[2]
    lenient = calibration_service.results_for(qa, sessions[2]).evaluators
    assert lenient[0].mean_difference > 0 > lenient[1].mean_difference


def test_the_demo_has_the_eight_kpis_with_targets_and_daily_values(demo):
    from portal.kpis.models import Kpi, KpiTarget, KpiValue

    codes = set(db.session.execute(select(Kpi.code)).scalars())
    assert codes == {"csat", "nps", "aht", "frt", "adherence", "contacts", "returning", "accounts"}
    assert db.session.execute(select(func.count(KpiTarget.id))).scalar_one() >= 35
    assert db.session.execute(select(func.count(KpiValue.id))).scalar_one() > 1000


# --- QA realism: what a new user sees first on the QA pages --------------------------------


def _qa_rows():
    """(market, channel, score, critical_failed, person id) of every submitted evaluation."""
    from portal.qa.evaluation_models import Evaluation, EvaluationStatus
    from portal.qa.models import Contact

    return db.session.execute(
        select(Market.code, Contact.channel, Evaluation.score, Evaluation.critical_failed,
               Evaluation.person_id)
        .join(Person, Person.id == Evaluation.person_id)
        .join(Market, Market.id == Person.market_id)
        .join(Contact, Contact.id == Evaluation.contact_id)
        .where(Evaluation.status != EvaluationStatus.DRAFT)
    ).all()  # fmt: skip


def _figures(rows) -> tuple[float, float]:
    scores = [float(r.score) for r in rows]
    return sum(scores) / len(scores), 100 * sum(r.critical_failed for r in rows) / len(rows)


def test_demo_qa_averages_in_the_80s_with_5_to_10_percent_critical_fails(demo):
    rows = _qa_rows()
    assert len(rows) > 800
    average, critical = _figures(rows)
    assert 80 <= average <= 88
    assert 5 <= critical <= 10
    for market in ("HK", "TW", "JP", "KR", "VN"):  # every market looks like a working centre
        average, critical = _figures([r for r in rows if r.code == market])
        assert 78 <= average <= 90, market
        assert 2 <= critical <= 13, market


def test_demo_qa_has_a_few_weak_agents_and_mostly_good_ones(demo):
    per_agent: dict[int, list[float]] = {}
    for row in _qa_rows():
        per_agent.setdefault(row.person_id, []).append(float(row.score))
    averages = sorted(sum(v) / len(v) for v in per_agent.values() if len(v) >= 5)
    weak = [a for a in averages if a < 75]
    good = [a for a in averages if a >= 80]
    assert 1 <= len(weak) <= len(averages) * 0.25
    assert len(good) >= len(averages) * 0.6


def test_every_demo_comment_follows_from_its_answers(demo):
    """The comment generator's rule, on every submitted revision: praise only when nothing was
    lost; otherwise it names a question that lost points, every failed critical question, and
    never a question that lost nothing; it speaks of the contact's channel."""
    from portal.demo import qa_feedback
    from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
    from portal.qa.models import Contact, ScorecardQuestion

    facts = qa_feedback.question_facts(db.session.execute(select(ScorecardQuestion)).scalars())
    answers: dict[int, list] = {}
    for row in db.session.execute(select(EvaluationAnswer)).scalars():
        answers.setdefault(row.revision_id, []).append(row)
    revisions = db.session.execute(
        select(EvaluationRevision.id, EvaluationRevision.overall_comment, Contact.channel)
        .join(Evaluation, Evaluation.id == EvaluationRevision.evaluation_id)
        .join(Contact, Contact.id == Evaluation.contact_id)
        .where(EvaluationRevision.submitted_at.is_not(None))
    ).all()
    assert len(revisions) > 800
    problems = {}
    for revision_id, comment, channel in revisions:
        assert comment, revision_id  # every submitted evaluation carries a comment
        found = qa_feedback.comment_problems(
            comment, channel, qa_feedback.outcomes_of(facts, answers[revision_id])
        )
        if found:
            problems[revision_id] = (comment, found)
    assert problems == {}


def test_demo_disputes_fit_their_channel_and_the_question_disputed(demo):
    from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
    from portal.qa.models import Contact

    disputed = db.session.execute(
        select(Evaluation, Contact.channel)
        .join(Contact, Contact.id == Evaluation.contact_id)
        .where(Evaluation.disputed_at.is_not(None))
    ).all()
    channels = {channel for _e, channel in disputed}
    assert {"phone", "email"} <= channels
    for evaluation, channel in disputed:
        texts = [evaluation.dispute_reason or "", evaluation.resolution_reason or ""]
        texts += list(evaluation.dispute_questions.values())
        written = " ".join(texts).lower()
        if channel in ("email", "chat"):
            assert "recording" not in written and "listen" not in written, evaluation.id
        else:
            assert "recording" in written, evaluation.id
        # The agent disputes a question on which the first version lost points.
        (question_id,) = evaluation.dispute_questions
        first = db.session.execute(
            select(EvaluationAnswer)
            .join(EvaluationRevision, EvaluationRevision.id == EvaluationAnswer.revision_id)
            .where(
                EvaluationRevision.evaluation_id == evaluation.id,
                EvaluationRevision.number == 1,
                EvaluationAnswer.question_id == int(question_id),
            )
        ).scalar_one()
        assert first.possible is not None and first.earned < first.possible, evaluation.id
