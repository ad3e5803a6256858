"""review cycles: a cap on each goal's achievement in the suggested rating (default 120 %)

Revision ID: 0020d
Revises: 0019
Create Date: 2026-12-07 08:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0020d"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_cycle", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("achievement_cap_percent", sa.Integer(), server_default="120", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_review_cycle_achievement_cap_in_range"),
            "achievement_cap_percent BETWEEN 100 AND 200",
        )


def downgrade():
    with op.batch_alter_table("review_cycle", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_review_cycle_achievement_cap_in_range"), type_="check")
        batch_op.drop_column("achievement_cap_percent")
