"""Business reviews outside 1900-2100: removed (their pages could not be computed)

A review whose period lies outside the portal's dates (1900-01-01 to 2100-12-31) could be made
before the bounds were checked; its page failed for everyone. Such a review carries no figures
anyone could have read, so it is removed with its decisions and actions. New ones are refused
(422 at the field, and at flush by portal.input_guard).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:00:00.000000

"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FIRST, LAST = date(1900, 1, 1), date(2100, 12, 31)


def upgrade():
    review = sa.table(
        "business_review",
        sa.column("id", sa.Integer),
        sa.column("period_start", sa.Date),
        sa.column("period_end", sa.Date),
    )
    out_of_range = sa.select(review.c.id).where(
        sa.or_(
            review.c.period_start < FIRST,
            review.c.period_start > LAST,
            review.c.period_end < FIRST,
            review.c.period_end > LAST,
        )
    )
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(out_of_range)]
    if not ids:
        return
    for child in ("business_decision", "business_action_item"):
        table = sa.table(child, sa.column("review_id", sa.Integer))
        bind.execute(sa.delete(table).where(table.c.review_id.in_(ids)))
    bind.execute(sa.delete(review).where(review.c.id.in_(ids)))


def downgrade():
    # Nothing to restore: the removed reviews could not be shown.
    pass
