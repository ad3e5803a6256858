"""qa roll-up by agent and evaluator: monthly sums per time zone for the QA report's tables

Revision ID: 0014
Revises: 0015
Create Date: 2026-11-23 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "qa_rollup_people",
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Numeric(), nullable=False),
        sa.Column("score_squares", sa.Numeric(), nullable=False),
        sa.Column("n_critical", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_rollup_people")),
    )
    with op.batch_alter_table("qa_rollup_people", schema=None) as batch_op:
        batch_op.create_index("ix_qa_rollup_people_time_zone_month", ["time_zone", "month"])


def downgrade():
    with op.batch_alter_table("qa_rollup_people", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_rollup_people_time_zone_month")
    op.drop_table("qa_rollup_people")
