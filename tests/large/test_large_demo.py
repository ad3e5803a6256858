"""`flask demo large` at a tiny scale: consistent rows, the counts asked for, pages that work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.coaching.models import OneOnOne
from portal.demo import large, load
from portal.extensions import db, limiter
from portal.kpis.models import KpiValue
from portal.org.models import Person
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
from portal.qa.models import Contact, ScorecardQuestion, ScorecardSection
from tests.conftest import as_user
from tests.teams.page import team_page

OPTIONS = large.Options(people=230, evaluations=3_000, meetings=700, days=15, seed=7)


def _is_postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_the_large_set_is_refused_on_sqlite_with_a_clear_message(app):
    if _is_postgres(app):
        pytest.skip("SQLite only")
    result = app.test_cli_runner().invoke(args=["demo", "large", "--people", "10"])
    assert result.exit_code != 0
    assert "PostgreSQL" in result.output


@pytest.fixture(scope="module")
def _generated_once(app):
    """Generated once for this module inside one outer transaction rolled back at its end (the
    tests only read it; a test that writes rolls its own change back)."""
    if not _is_postgres(app):
        yield None
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            report = large.generate(OPTIONS, analyze=False)
            db.session.remove()
            yield report
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture(autouse=True)
def _transaction(_generated_once, app):
    """Replaces the per-test transaction of tests/conftest.py for this module."""
    with app.app_context():
        limiter.reset()
        yield
        db.session.remove()


@pytest.fixture
def generated(_generated_once):
    if _generated_once is None:
        pytest.skip("the large set is generated with PostgreSQL's COPY")
    return _generated_once


def _count(stmt) -> int:
    return db.session.execute(stmt).scalar_one()


def test_the_generator_makes_the_counts_asked_for(generated):
    assert _count(select(func.count(Person.id))) == OPTIONS.people
    assert _count(select(func.count(Contact.id)).where(Contact.source == "large")) == 3_000
    large_evaluations = (
        select(Evaluation.id).join(Contact, Contact.id == Evaluation.contact_id)
    ).where(Contact.source == "large")
    assert _count(select(func.count()).select_from(large_evaluations.subquery())) == 3_000
    assert (
        _count(
            select(func.count(EvaluationRevision.id)).where(
                EvaluationRevision.evaluation_id.in_(large_evaluations)
            )
        )
        == 3_000
    )
    large_people = select(Person.id).where(Person.email.like("large.%"))
    assert (
        _count(select(func.count(OneOnOne.id)).where(OneOnOne.person_id.in_(large_people))) == 700
    )
    values = _count(select(func.count(KpiValue.id)).where(KpiValue.person_id.in_(large_people)))
    assert values > 0
    assert {name for name, _rows, _s in generated.timings} >= {
        "person",
        "contact",
        "evaluation",
        "evaluation_answer",
        "one_on_one",
        "kpi_value",
    }
    assert generated.top_login == load.login_email("head")


def test_generated_rows_follow_the_models_rules(generated):
    # Every revision has one answer per question of its card version.
    per_revision = (
        select(EvaluationAnswer.revision_id, func.count().label("n"))
        .group_by(EvaluationAnswer.revision_id)
        .subquery()
    )
    expected = (
        select(EvaluationRevision.id, func.count(ScorecardQuestion.id).label("n"))
        .join(Evaluation, Evaluation.id == EvaluationRevision.evaluation_id)
        .join(ScorecardSection, ScorecardSection.version_id == Evaluation.scorecard_version_id)
        .join(ScorecardQuestion, ScorecardQuestion.section_id == ScorecardSection.id)
        .group_by(EvaluationRevision.id)
        .subquery()
    )
    mismatched = (
        select(func.count())
        .select_from(
            expected.join(per_revision, per_revision.c.revision_id == expected.c.id, isouter=True)
        )
        .where(func.coalesce(per_revision.c.n, 0) != expected.c.n)
    )
    assert _count(mismatched) == 0
    # A draft has no score and no submission; everything else has both.
    assert (
        _count(
            select(func.count(Evaluation.id)).where(
                Evaluation.status == "draft", Evaluation.score.is_not(None)
            )
        )
        == 0
    )
    assert (
        _count(
            select(func.count(Evaluation.id)).where(
                Evaluation.status != "draft", Evaluation.submitted_at.is_(None)
            )
        )
        == 0
    )
    # The evaluator of a generated evaluation is the agent's manager; the tree is consistent.
    agent = db.session.execute(
        select(Person)
        .where(Person.email.like("large.%"), Person.manager_id.is_not(None))
        .order_by(Person.id.desc())
        .limit(1)
    ).scalar_one()
    assert agent.path == f"{agent.manager.path}{agent.id}/"
    assert agent.depth == agent.manager.depth + 1
    # New rows get ids after the copied ones (the sequences were reset).
    person = Person(
        name="After",
        email="after@example.com",
        employee_id="AFTER-1",
        position_id=agent.position_id,
    )
    db.session.add(person)
    db.session.flush()
    assert person.id > agent.id
    db.session.rollback()


def test_pages_render_for_the_generated_top_manager_and_a_supervisor(generated, client):
    head = db.session.execute(
        select(Person).where(Person.email == generated.top_login)
    ).scalar_one()
    as_user(client, head)
    for url in (
        f"/teams/{head.id}?period=month",
        f"/teams/{head.id}?period=quarter",
        "/qa/evaluations",
        "/qa/contacts",
        "/org/people",
        "/coaching/completion",
    ):
        assert team_page(client, url).status_code == 200, url
    supervisor = db.session.execute(
        select(Person)
        .join(Person.position)
        .where(Person.email.like("large.%"))
        .where(Person.id.in_(select(Person.manager_id).where(Person.email.like("large.%"))))
        .order_by(Person.id.desc())
        .limit(1)
    ).scalar_one()
    as_user(client, supervisor)
    for url in ("/coaching/", "/qa/evaluate", "/qa/evaluations", f"/teams/{supervisor.id}"):
        assert team_page(client, url).status_code == 200, url


def test_the_generator_refuses_a_database_that_holds_people(generated):
    with pytest.raises(large.LargeRefused):
        large.generate(OPTIONS, analyze=False)


def test_dates_stay_inside_the_requested_history(generated):
    oldest = _count(select(func.min(Contact.occurred_at)).where(Contact.source == "large"))
    newest = _count(select(func.max(Contact.occurred_at)).where(Contact.source == "large"))
    assert newest - oldest <= timedelta(days=OPTIONS.days)


def test_the_large_set_looks_like_the_demo_qa(generated):
    """Drawn like the ordinary demo: averages in the 80s, a few critical fails, comments on
    every submitted evaluation, disputes that fit their channel."""
    large_evaluations = (
        select(Evaluation.score, Evaluation.critical_failed, Evaluation.dispute_reason,
               Evaluation.resolution_reason, Contact.channel)
        .join(Contact, Contact.id == Evaluation.contact_id)
        .where(Contact.source == "large", Evaluation.status != "draft")
    )  # fmt: skip
    rows = db.session.execute(large_evaluations).all()
    assert len(rows) > 1_000
    average = sum(float(r.score) for r in rows) / len(rows)
    critical = 100 * sum(r.critical_failed for r in rows) / len(rows)
    assert 80 <= average <= 88
    assert 4 <= critical <= 11
    for row in rows:
        written = f"{row.dispute_reason or ''} {row.resolution_reason or ''}".lower()
        assert ("recording" in written) == (
            row.channel in ("phone", "voicemail") and bool(written.strip())
        )
    uncommented = (
        select(func.count(EvaluationRevision.id))
        .join(Evaluation, Evaluation.id == EvaluationRevision.evaluation_id)
        .join(Contact, Contact.id == Evaluation.contact_id)
        .where(Contact.source == "large", EvaluationRevision.submitted_at.is_not(None),
               EvaluationRevision.overall_comment == "")
    )  # fmt: skip
    assert _count(uncommented) == 0
