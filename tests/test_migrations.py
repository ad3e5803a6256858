"""Migrations go up to head, down to base and up again on a scratch database, and the
models match them exactly (a model change without a migration fails here)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db


def _server_url(url: str) -> str:
    """A libpq URL to the server's maintenance database, for CREATE/DROP DATABASE."""
    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[str]:
    """An empty database of the suite's kind that no other test uses."""
    test_url = os.environ.get("TEST_DATABASE_URL")
    if not test_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = make_url(f"{test_url}_{worker}" if worker else test_url)
    name = f"{url.database}_mig"
    with psycopg.connect(_server_url(test_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_server_url(test_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_app(scratch_url):
    class ScratchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = scratch_url

    application = create_app(ScratchConfig)
    yield application
    with application.app_context():
        db.engine.dispose()


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def schema_differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes (the evaluations list's date, `ix_evaluation_listed_at_id`) are
        # not compared by autogenerate: SQLAlchemy and Alembic say they skip them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", ".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_go_up_down_and_up_again(scratch_app):
    with scratch_app.app_context():
        upgrade()
        assert {"person", "audit_entry", "user_session", "staff_grant"} <= tables()
        downgrade(revision="base")
        assert tables() <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= tables()


def test_the_models_match_the_migrations(scratch_app):
    with scratch_app.app_context():
        upgrade()
        differences = schema_differences()
    assert differences == [], (
        "The models differ from the migrations; run `flask db migrate -m ...` and review: "
        f"{differences}"
    )
