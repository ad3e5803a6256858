"""qa roll-up: daily sums and question counts per org node and time zone; evaluation indexes

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-23 15:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

BINS = [f"bin_{index}" for index in range(10)]


def _key_columns() -> list:
    return [
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "qa_rollup_daily",
        *_key_columns(),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("contact_market_id", sa.Integer(), nullable=True),
        sa.Column("contact_segment_id", sa.Integer(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Numeric(), nullable=False),
        sa.Column("score_squares", sa.Numeric(), nullable=False),
        sa.Column("n_critical", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in BINS],
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"], ["person.id"], name=op.f("fk_qa_rollup_daily_node_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_rollup_daily")),
    )
    with op.batch_alter_table("qa_rollup_daily", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qa_rollup_daily_node_id_time_zone_day", ["node_id", "time_zone", "day"]
        )
    op.create_table(
        "qa_rollup_question",
        *_key_columns(),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"], ["person.id"], name=op.f("fk_qa_rollup_question_node_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_rollup_question")),
    )
    with op.batch_alter_table("qa_rollup_question", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qa_rollup_question_node_id_time_zone_day", ["node_id", "time_zone", "day"]
        )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_submitted_at", ["submitted_at"])
        batch_op.create_index("ix_evaluation_updated_at", ["updated_at"])


def downgrade():
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_updated_at")
        batch_op.drop_index("ix_evaluation_submitted_at")
    with op.batch_alter_table("qa_rollup_question", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_rollup_question_node_id_time_zone_day")
    op.drop_table("qa_rollup_question")
    with op.batch_alter_table("qa_rollup_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_rollup_daily_node_id_time_zone_day")
    op.drop_table("qa_rollup_daily")
