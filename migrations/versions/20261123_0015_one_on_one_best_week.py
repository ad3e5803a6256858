"""1:1 completion: the stored best meeting per series and week, one_on_one.updated_at index

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-23 17:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "one_on_one_best_week",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("monday", sa.Date(), nullable=False),
        sa.Column("best", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["one_on_one_series.id"]),
        sa.PrimaryKeyConstraint("series_id", "monday"),
    )
    with op.batch_alter_table("one_on_one_best_week", schema=None) as batch_op:
        batch_op.create_index(
            "ix_one_on_one_best_week_monday_series_id_best",
            ["monday", "series_id", "best"],
            unique=False,
        )
    with op.batch_alter_table("one_on_one", schema=None) as batch_op:
        batch_op.create_index("ix_one_on_one_updated_at", ["updated_at"], unique=False)


def downgrade():
    with op.batch_alter_table("one_on_one", schema=None) as batch_op:
        batch_op.drop_index("ix_one_on_one_updated_at")
    with op.batch_alter_table("one_on_one_best_week", schema=None) as batch_op:
        batch_op.drop_index("ix_one_on_one_best_week_monday_series_id_best")
    op.drop_table("one_on_one_best_week")
