"""cache: a data version for sign-ins, raised when a session starts, ends or is replaced

Revision ID: 0023a
Revises: 0022a
Create Date: 2026-12-07 19:10:00.000000

portal/auth/session_cache.py remembers each session's signed-in lookup under the org and auth
versions; this adds the auth row (portal/data_versions.py would add it on the first write).
"""

import sqlalchemy as sa
from alembic import op

revision = "0023a"
down_revision = "0022a"
branch_labels = None
depends_on = None


def upgrade():
    table = sa.table(
        "data_version",
        sa.column("area", sa.String),
        sa.column("version", sa.BigInteger),
    )
    found = op.get_bind().execute(sa.text("SELECT 1 FROM data_version WHERE area = 'auth'"))
    if found.first() is None:
        op.bulk_insert(table, [{"area": "auth", "version": 0}])


def downgrade():
    op.execute("DELETE FROM data_version WHERE area = 'auth'")
