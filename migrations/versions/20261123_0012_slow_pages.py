"""slow pages: one_on_one and evaluation indexes, person.org_changed_at

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 15:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("one_on_one", schema=None) as batch_op:
        batch_op.create_index(
            "ix_one_on_one_scheduled_at_series_id_status",
            ["scheduled_at", "series_id", "status"],
            unique=False,
        )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evaluation_evaluator_id_person_id_submitted",
            ["evaluator_id", "person_id"],
            unique=False,
            sqlite_where=sa.text("status <> 'draft'"),
            postgresql_where=sa.text("status <> 'draft'"),
        )
        batch_op.create_index(
            "ix_evaluation_disputed_evaluator_id",
            ["evaluator_id", "person_id", "status", "resolution"],
            unique=False,
            sqlite_where=sa.text("disputed_at IS NOT NULL"),
            postgresql_where=sa.text("disputed_at IS NOT NULL"),
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_org_changed_at"), ["org_changed_at"])
    # Until now any change of a person counted: start from that (conservative).
    op.execute("UPDATE person SET org_changed_at = updated_at")


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_org_changed_at"))
        batch_op.drop_column("org_changed_at")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_disputed_evaluator_id")
        batch_op.drop_index("ix_evaluation_evaluator_id_person_id_submitted")
    with op.batch_alter_table("one_on_one", schema=None) as batch_op:
        batch_op.drop_index("ix_one_on_one_scheduled_at_series_id_status")
