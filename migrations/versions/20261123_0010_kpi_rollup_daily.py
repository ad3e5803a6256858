"""kpi roll-up: daily sums per org node, its state, kpi_value.updated_at index

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-23 14:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

SUM = sa.Numeric(24, 6)


def upgrade():
    op.create_table(
        "kpi_rollup_daily",
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("value_on", sa.Date(), nullable=False),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("n_value", sa.Integer(), nullable=False),
        sa.Column("value_sum", SUM, nullable=True),
        sa.Column("n_rate", sa.Integer(), nullable=False),
        sa.Column("numerator_sum", SUM, nullable=True),
        sa.Column("denominator_sum", SUM, nullable=True),
        sa.Column("n_weighted", sa.Integer(), nullable=False),
        sa.Column("weighted_sum", SUM, nullable=True),
        sa.Column("weight_sum", SUM, nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_rollup_daily_kpi_id_kpi")
        ),
        sa.ForeignKeyConstraint(
            ["node_id"], ["person.id"], name=op.f("fk_kpi_rollup_daily_node_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_rollup_daily")),
    )
    with op.batch_alter_table("kpi_rollup_daily", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_rollup_daily_kpi_id"), ["kpi_id"], unique=False)
        batch_op.create_index(
            "ix_kpi_rollup_daily_node_id_value_on", ["node_id", "value_on"], unique=False
        )
    op.create_table(
        "rollup_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("through_on", sa.Date(), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_state")),
    )
    with op.batch_alter_table("kpi_value", schema=None) as batch_op:
        batch_op.create_index("ix_kpi_value_updated_at", ["updated_at"], unique=False)


def downgrade():
    with op.batch_alter_table("kpi_value", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_value_updated_at")
    op.drop_table("rollup_state")
    with op.batch_alter_table("kpi_rollup_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_rollup_daily_node_id_value_on")
        batch_op.drop_index(batch_op.f("ix_kpi_rollup_daily_kpi_id"))
    op.drop_table("kpi_rollup_daily")
