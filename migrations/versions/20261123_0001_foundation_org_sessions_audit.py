"""foundation: org, sessions, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:03:52.500637

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP;
END
$$
"""


def upgrade():
    op.create_table(
        "market",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market")),
        sa.UniqueConstraint("code", name=op.f("uq_market_code")),
    )
    op.create_table(
        "position",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position")),
        sa.UniqueConstraint("code", name=op.f("uq_position_code")),
    )
    op.create_table(
        "segment",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment")),
        sa.UniqueConstraint("code", name=op.f("uq_segment_code")),
    )
    op.create_table(
        "team",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["market_id"], ["market.id"], name=op.f("fk_team_market_id_market")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("market_id", "name", name=op.f("uq_team_market_id_name")),
    )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_market_id"), ["market_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("name_romanised", sa.String(length=160), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("employee_id", sa.String(length=32), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("hire_on", sa.Date(), nullable=True),
        sa.Column("position_since_on", sa.Date(), nullable=True),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "manager_id IS NULL OR manager_id <> id", name=op.f("ck_person_not_own_manager")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["person.id"], name=op.f("fk_person_manager_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["market_id"], ["market.id"], name=op.f("fk_person_market_id_market")
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_person_position_id_position")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_person_segment_id_segment")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_person_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
        sa.UniqueConstraint("employee_id", name=op.f("uq_person_employee_id")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_is_active"), ["is_active"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_market_id"), ["market_id"], unique=False)
        batch_op.create_index("ix_person_name_id", ["name", "id"], unique=False)
        batch_op.create_index(
            "ix_person_path", ["path"], unique=False, postgresql_ops={"path": "text_pattern_ops"}
        )
        batch_op.create_index(batch_op.f("ix_person_position_id"), ["position_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_segment_id"), ["segment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_team_id"), ["team_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["person.id"], name=op.f("fk_audit_entry_actor_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)

    op.create_table(
        "staff_grant",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role = 'hr_admin' OR team_id IS NOT NULL OR market_id IS NOT NULL",
            name=op.f("ck_staff_grant_scope_given"),
        ),
        sa.CheckConstraint(
            "role IN ('qa_analyst', 'trainer', 'hr_admin')", name=op.f("ck_staff_grant_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["market_id"], ["market.id"], name=op.f("fk_staff_grant_market_id_market")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_staff_grant_person_id_person")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_staff_grant_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_grant")),
        sa.UniqueConstraint(
            "person_id",
            "role",
            "team_id",
            "market_id",
            name=op.f("uq_staff_grant_person_id_role_team_id_market_id"),
        ),
    )
    with op.batch_alter_table("staff_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_grant_market_id"), ["market_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_grant_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_grant_team_id"), ["team_id"], unique=False)

    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_user_session_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_ended_at"), ["ended_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_session_person_id"), ["person_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # The database itself refuses to change or remove audit rows.
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_refuse_change()")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_person_id"))
        batch_op.drop_index(batch_op.f("ix_user_session_ended_at"))

    op.drop_table("user_session")
    with op.batch_alter_table("staff_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_grant_team_id"))
        batch_op.drop_index(batch_op.f("ix_staff_grant_person_id"))
        batch_op.drop_index(batch_op.f("ix_staff_grant_market_id"))

    op.drop_table("staff_grant")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_team_id"))
        batch_op.drop_index(batch_op.f("ix_person_segment_id"))
        batch_op.drop_index(batch_op.f("ix_person_position_id"))
        batch_op.drop_index("ix_person_path", postgresql_ops={"path": "text_pattern_ops"})
        batch_op.drop_index("ix_person_name_id")
        batch_op.drop_index(batch_op.f("ix_person_market_id"))
        batch_op.drop_index(batch_op.f("ix_person_manager_id"))
        batch_op.drop_index(batch_op.f("ix_person_is_active"))

    op.drop_table("person")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_market_id"))

    op.drop_table("team")
    op.drop_table("segment")
    op.drop_table("position")
    op.drop_table("market")
