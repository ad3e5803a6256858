"""The app's database role on PostgreSQL: everything it needs, and no way to rewrite the log.

Production runs with two roles: the owner, which migrates (and so owns the tables and their
triggers), and the app role the web nodes and jobs connect as. The app role may read and write
every table except that on audit_entry it may only INSERT and SELECT: it can neither UPDATE,
DELETE nor TRUNCATE the log, nor (not being the owner) disable or drop its triggers.
`flask audit grant-app-role ROLE`, run as the owner after each `flask db upgrade`, applies it.
"""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db


class RoleRefused(Exception):
    """The role cannot be the app role (missing, superuser, or the tables' owner)."""


def app_role_statements(role: str, schema: str = "public") -> list[str]:
    """The GRANT/REVOKE statements that make `role` the app role (idempotent)."""
    preparer = db.session.get_bind().dialect.identifier_preparer
    who, where = preparer.quote(role), preparer.quote(schema)
    return [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        # Tables that later migrations create get the same rights.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        # The audit log: append and read only.
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {where}.audit_entry FROM {who}",
        # The migrations' bookkeeping belongs to the owner.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {where}.alembic_version FROM {who}",
    ]


def _check(role: str) -> None:
    found = db.session.execute(
        text(
            "SELECT r.rolsuper, pg_has_role(:role, t.tableowner, 'MEMBER') AS owns "
            "FROM pg_roles r, pg_tables t "
            "WHERE r.rolname = :role AND t.tablename = 'audit_entry' "
            "AND t.schemaname = current_schema()"
        ),
        {"role": role},
    ).first()
    if found is None:
        raise RoleRefused(f"role {role!r} does not exist (CREATE ROLE it first)")
    if found.rolsuper:
        raise RoleRefused(f"role {role!r} is a superuser: it could rewrite the audit log")
    if found.owns:
        raise RoleRefused(
            f"role {role!r} owns the tables (or is a member of their owner): it could disable "
            "the audit log's triggers; the app role must be another role"
        )


def grant_app_role(role: str) -> list[str]:
    """Check the role, then grant and revoke; returns the statements run. The caller commits."""
    if db.session.get_bind().dialect.name != "postgresql":
        raise RoleRefused(
            "only PostgreSQL has roles; on SQLite whoever can write the file can write the log, "
            "and the keyed chain and its checkpoints are what show a change"
        )
    _check(role)
    statements = app_role_statements(role)
    for statement in statements:
        db.session.execute(text(statement))
    return statements
