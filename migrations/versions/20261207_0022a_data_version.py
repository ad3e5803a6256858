"""cache: the data's watermark, one version per area that feeds a team panel

Revision ID: 0022a
Revises: 0021c
Create Date: 2026-12-07 15:30:00.000000

portal/data_versions.py raises a row's version in the same transaction as every write to its
area; cached panels are keyed by these versions. The "_database" row holds a random number
drawn here, so two databases never share cache keys.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0022a"
down_revision = "0021c"
branch_labels = None
depends_on = None

AREAS = ("org", "kpis", "qa", "coaching", "goals", "training", "recognition", "business")


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("area", name=op.f("pk_data_version")),
    )
    rows = [{"area": area, "version": 0} for area in AREAS]
    rows.append({"area": "_database", "version": secrets.randbits(62)})
    op.bulk_insert(table, rows)


def downgrade():
    op.drop_table("data_version")
