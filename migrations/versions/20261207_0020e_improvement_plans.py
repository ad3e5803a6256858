"""improvement plans (PIPs): plans, expectations, check-ins with values, history

Revision ID: 0020e
Revises: 0020f
Create Date: 2026-12-07 08:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0020e"
down_revision = "0020f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "improvement_plan",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("length_days", sa.Integer(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("check_in_every_days", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledgement_comment", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('met', 'not_met', 'extended')",
            name=op.f("ck_improvement_plan_outcome_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'active', 'closed')", name=op.f("ck_improvement_plan_state_valid")
        ),
        sa.CheckConstraint(
            "check_in_every_days BETWEEN 1 AND 31", name=op.f("ck_improvement_plan_cadence")
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_improvement_plan_period")),
        sa.CheckConstraint("length_days IN (30, 60, 90)", name=op.f("ck_improvement_plan_length")),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["person.id"], name=op.f("fk_improvement_plan_opened_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_improvement_plan_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_plan")),
        sa.UniqueConstraint("token", name=op.f("uq_improvement_plan_token")),
    )
    with op.batch_alter_table("improvement_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_improvement_plan_opened_by_id"), ["opened_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_improvement_plan_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_improvement_plan_state_ends_on", ["state", "ends_on"], unique=False
        )

    op.create_table(
        "improvement_check_in",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_improvement_check_in_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_improvement_check_in_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["improvement_plan.id"],
            name=op.f("fk_improvement_check_in_plan_id_improvement_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_check_in")),
        sa.UniqueConstraint("token", name=op.f("uq_improvement_check_in_token")),
    )
    with op.batch_alter_table("improvement_check_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_improvement_check_in_by_id"), ["by_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_improvement_check_in_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_improvement_check_in_plan_id_held_on", ["plan_id", "held_on"], unique=False
        )

    op.create_table(
        "improvement_expectation",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("baseline", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("target", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("latest_value", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("latest_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('higher', 'lower')",
            name=op.f("ck_improvement_expectation_direction_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_improvement_expectation_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["improvement_plan.id"],
            name=op.f("fk_improvement_expectation_plan_id_improvement_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_expectation")),
        sa.UniqueConstraint(
            "plan_id", "title", name=op.f("uq_improvement_expectation_plan_id_title")
        ),
    )
    with op.batch_alter_table("improvement_expectation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_improvement_expectation_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_improvement_expectation_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "improvement_plan_event",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('opened', 'edited', 'started', 'acknowledged', 'checked_in', 'extended', 'closed')",
            name=op.f("ck_improvement_plan_event_kind_valid"),
        ),
        sa.CheckConstraint(
            "outcome IN ('met', 'not_met', 'extended')",
            name=op.f("ck_improvement_plan_event_outcome_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_improvement_plan_event_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_improvement_plan_event_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["improvement_plan.id"],
            name=op.f("fk_improvement_plan_event_plan_id_improvement_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_plan_event")),
    )
    with op.batch_alter_table("improvement_plan_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_improvement_plan_event_by_id"), ["by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_improvement_plan_event_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_improvement_plan_event_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "improvement_check_in_value",
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("expectation_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["improvement_check_in.id"],
            name=op.f("fk_improvement_check_in_value_check_in_id_improvement_check_in"),
        ),
        sa.ForeignKeyConstraint(
            ["expectation_id"],
            ["improvement_expectation.id"],
            name=op.f("fk_improvement_check_in_value_expectation_id_improvement_expectation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_check_in_value")),
        sa.UniqueConstraint(
            "check_in_id",
            "expectation_id",
            name=op.f("uq_improvement_check_in_value_check_in_id_expectation_id"),
        ),
    )
    with op.batch_alter_table("improvement_check_in_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_improvement_check_in_value_expectation_id"),
            ["expectation_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("improvement_check_in_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_improvement_check_in_value_expectation_id"))

    op.drop_table("improvement_check_in_value")
    with op.batch_alter_table("improvement_plan_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_improvement_plan_event_plan_id"))
        batch_op.drop_index(batch_op.f("ix_improvement_plan_event_person_id"))
        batch_op.drop_index(batch_op.f("ix_improvement_plan_event_by_id"))

    op.drop_table("improvement_plan_event")
    with op.batch_alter_table("improvement_expectation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_improvement_expectation_plan_id"))
        batch_op.drop_index(batch_op.f("ix_improvement_expectation_person_id"))

    op.drop_table("improvement_expectation")
    with op.batch_alter_table("improvement_check_in", schema=None) as batch_op:
        batch_op.drop_index("ix_improvement_check_in_plan_id_held_on")
        batch_op.drop_index(batch_op.f("ix_improvement_check_in_person_id"))
        batch_op.drop_index(batch_op.f("ix_improvement_check_in_by_id"))

    op.drop_table("improvement_check_in")
    with op.batch_alter_table("improvement_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_improvement_plan_state_ends_on")
        batch_op.drop_index(batch_op.f("ix_improvement_plan_person_id"))
        batch_op.drop_index(batch_op.f("ix_improvement_plan_opened_by_id"))

    op.drop_table("improvement_plan")
