"""The app's PostgreSQL role (flask audit grant-app-role): it works everywhere, but it can
neither TRUNCATE, UPDATE nor DELETE the audit log, nor switch its triggers off.

The role is created inside the test's outer transaction (CREATE ROLE is transactional) under a
unique name, and the statements run after SET LOCAL ROLE inside a savepoint, so everything,
the role included, is rolled back at the test's end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal import audit
from portal.audit import AuditEntry
from portal.audit_roles import RoleRefused, grant_app_role
from portal.demo import large
from portal.extensions import db
from portal.org.models import Person
from tests.test_audit import five_entries, is_postgresql


@pytest.fixture
def app_role(world) -> str:
    if not is_postgresql():
        pytest.skip("database roles exist on PostgreSQL only (SQLite has none)")
    name = f"portal_app_test_{uuid.uuid4().hex[:12]}"
    db.session.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
    grant_app_role(name)
    db.session.commit()  # releases the test's savepoint only; the outer transaction remains
    return name


@contextmanager
def as_role(name: str) -> Iterator[None]:
    """Run the block as `name` inside a savepoint (an error rolls back to it, and the role
    with it); RESET ROLE after a block that succeeded."""
    with db.session.begin_nested():
        db.session.execute(text(f'SET LOCAL ROLE "{name}"'))
        yield
    db.session.execute(text("RESET ROLE"))


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_entry",
        "UPDATE audit_entry SET action = 'forged' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
        "DELETE FROM audit_entry",
    ],
)
def test_the_app_role_cannot_truncate_update_or_delete_the_log(world, app_role, statement):
    entry = five_entries(world)[1]
    with pytest.raises(DBAPIError, match="permission denied for table audit_entry"):
        with as_role(app_role):
            db.session.execute(text(statement), {"id": entry.id})
    assert db.session.execute(text("SELECT current_user")).scalar_one() != app_role
    assert (
        db.session.execute(select(AuditEntry.action).where(AuditEntry.id == entry.id)).scalar_one()
        == "person.edit"
    )
    assert audit.verify_chain().checked == 5


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        (
            "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
            "must be owner of table audit_entry",
        ),
        (
            "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_truncate",
            "must be owner of table audit_entry",
        ),
        ("DROP TRIGGER audit_entry_append_only ON audit_entry", "must be owner"),
        ("SET LOCAL session_replication_role = replica", "permission denied to set parameter"),
        ("UPDATE alembic_version SET version_num = '0001'", "permission denied for table"),
    ],
)
def test_the_app_role_cannot_switch_the_protection_off(world, app_role, statement, refusal):
    with pytest.raises(DBAPIError, match=refusal):
        with as_role(app_role):
            db.session.execute(text(statement))


def test_the_app_role_appends_and_reads_the_log_and_writes_elsewhere(world, app_role):
    five_entries(world)
    with as_role(app_role):
        assert db.session.execute(text("SELECT current_user")).scalar_one() == app_role
        entry = audit.record(world.hr, "person.edit", "person", world.agent_a1.id, {}, {"n": 1})
        db.session.execute(
            text("UPDATE person SET name = 'Renamed' WHERE id = :id"), {"id": world.agent_a1.id}
        )
        report = audit.verify_chain()
    assert report.ok and report.checked == 6 and report.last_id == entry.id
    name = db.session.execute(select(Person.name).where(Person.id == world.agent_a1.id))
    assert name.scalar_one() == "Renamed"


def test_grant_refuses_a_superuser_and_the_owner_and_a_missing_role(world):
    if not is_postgresql():
        pytest.skip("database roles exist on PostgreSQL only (SQLite has none)")
    owner = db.session.execute(text("SELECT current_user")).scalar_one()
    with pytest.raises(RoleRefused, match="superuser|owns the tables"):
        grant_app_role(owner)
    with pytest.raises(RoleRefused, match="does not exist"):
        grant_app_role(f"no_such_role_{uuid.uuid4().hex[:8]}")
    member = f"portal_owner_member_{uuid.uuid4().hex[:12]}"
    db.session.execute(text(f'CREATE ROLE "{member}" NOLOGIN'))
    table_owner = db.session.execute(
        text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entry'")
    ).scalar_one()
    db.session.execute(text(f'GRANT "{table_owner}" TO "{member}"'))
    with pytest.raises(RoleRefused, match="owns the tables"):
        grant_app_role(member)


def test_grant_app_role_cli_prints_what_it_ran(app, world):
    if not is_postgresql():
        pytest.skip("database roles exist on PostgreSQL only (SQLite has none)")
    name = f"portal_app_test_{uuid.uuid4().hex[:12]}"
    db.session.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
    result = app.test_cli_runner().invoke(args=["audit", "grant-app-role", name])
    assert result.exit_code == 0, result.output
    assert (
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.audit_entry FROM {name};"
        in result.output
    )
    privileges = db.session.execute(
        text(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = :name AND table_name = 'audit_entry' ORDER BY 1"
        ),
        {"name": name},
    ).scalars()
    assert list(privileges) == ["INSERT", "SELECT"]


def test_grant_app_role_cli_explains_that_sqlite_has_no_roles(app):
    if is_postgresql():
        pytest.skip("SQLite only")
    result = app.test_cli_runner().invoke(args=["audit", "grant-app-role", "portal_app"])
    assert result.exit_code != 0
    assert "only PostgreSQL has roles" in result.output


def test_only_the_owner_may_empty_the_database_for_the_large_set(world, app_role):
    """`flask demo large --force` lifts the TRUNCATE refusal for its one transaction: the
    owner may, the app role may not."""
    five_entries(world)
    db.session.execute(text(f'SET LOCAL ROLE "{app_role}"'))
    with pytest.raises(large.LargeRefused, match="Only the tables' owner"):
        large._empty_database()
    assert db.session.execute(text("SELECT current_user")).scalar_one() != app_role
    assert audit.verify_chain().checked == 5

    large._empty_database()
    assert db.session.execute(select(AuditEntry.id)).first() is None
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        with db.session.begin_nested():
            db.session.execute(text("TRUNCATE audit_entry"))
