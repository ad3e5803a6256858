"""qa overturn roll-up: cumulative counts per boundary, evaluator and agent; undated index

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "qa_overturn_rollup",
        sa.Column("before_on", sa.Date(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("disputed", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("rescored", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "before_on", "evaluator_id", "person_id", name=op.f("pk_qa_overturn_rollup")
        ),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evaluation_undated",
            ["id"],
            unique=False,
            sqlite_where=sa.text("status <> 'draft' AND submitted_at IS NULL"),
            postgresql_where=sa.text("status <> 'draft' AND submitted_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_undated")
    op.drop_table("qa_overturn_rollup")
