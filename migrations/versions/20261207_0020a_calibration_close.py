"""reviews: calibration closed by HR for a cycle, a team or one review (the share gate)

Revision ID: 0020a
Revises: 0020e
Create Date: 2026-12-07 08:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0020a"
down_revision = "0020e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calibration_close",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("scope_key", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "scope IN ('cycle', 'team', 'review')", name=op.f("ck_calibration_close_scope_valid")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_calibration_close_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_calibration_close_cycle_id_review_cycle"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_calibration_close_review_id_review")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_calibration_close_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_close")),
        sa.UniqueConstraint(
            "cycle_id", "scope_key", name=op.f("uq_calibration_close_cycle_id_scope_key")
        ),
    )
    with op.batch_alter_table("calibration_close", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calibration_close_by_id"), ["by_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_calibration_close_review_id"), ["review_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calibration_close_team_id"), ["team_id"], unique=False)


def downgrade():
    with op.batch_alter_table("calibration_close", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_close_team_id"))
        batch_op.drop_index(batch_op.f("ix_calibration_close_review_id"))
        batch_op.drop_index(batch_op.f("ix_calibration_close_by_id"))
    op.drop_table("calibration_close")
