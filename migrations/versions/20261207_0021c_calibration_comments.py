"""qa: comments on calibration scorings (per question and overall), like an evaluation's

Revision ID: 0021c
Revises: 0021b
Create Date: 2026-12-07 13:00:00.000000

Blind scoring uses the evaluation form, comments included; after the session is closed the
results show who wrote what.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021c"
down_revision = "0021b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calibration_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
    with op.batch_alter_table("calibration_score", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overall_comment", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("calibration_score", schema=None) as batch_op:
        batch_op.drop_column("overall_comment")
    with op.batch_alter_table("calibration_answer", schema=None) as batch_op:
        batch_op.drop_column("comment")
