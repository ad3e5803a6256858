"""1:1 completion per org node and week: counts per node, direct report, supervisor, team and
market for the weeks over everywhere

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-06 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "one_on_one_node_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("monday", sa.Date(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("series_starts_on", sa.Date(), nullable=True),
        sa.Column("series_ended_on", sa.Date(), nullable=True),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("not_recorded", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["node_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("one_on_one_node_week", schema=None) as batch_op:
        batch_op.create_index(
            "ix_one_on_one_node_week_node_id_monday", ["node_id", "monday"], unique=False
        )


def downgrade():
    with op.batch_alter_table("one_on_one_node_week", schema=None) as batch_op:
        batch_op.drop_index("ix_one_on_one_node_week_node_id_monday")
    op.drop_table("one_on_one_node_week")
