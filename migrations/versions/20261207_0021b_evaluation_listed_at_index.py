"""qa: index on the evaluations list's date (submitted, else started) and id

Revision ID: 0021b
Revises: 0020a
Create Date: 2026-12-07 12:10:00.000000

The evaluations list sorts by coalesce(submitted_at, created_at), then id; this expression
index lets a large list read its first page backwards along the index instead of sorting every
visible evaluation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021b"
down_revision = "0020a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_evaluation_listed_at_id",
        "evaluation",
        [sa.text("coalesce(submitted_at, created_at)"), "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_evaluation_listed_at_id", table_name="evaluation")
