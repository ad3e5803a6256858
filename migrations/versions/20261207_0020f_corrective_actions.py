"""corrective actions: the action, its follow-up dates and the records it refers to

Revision ID: 0020f
Revises: 0020d
Create Date: 2026-12-07 08:11:52.952082

"""

import sqlalchemy as sa
from alembic import op

revision = "0020f"
down_revision = "0020d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "corrective_action",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("expectations", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledgment_comment", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("request_token", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('conversation', 'verbal_warning', 'written_warning', 'final_warning')",
            name=op.f("ck_corrective_action_kind_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'issued', 'acknowledged', 'closed')",
            name=op.f("ck_corrective_action_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_corrective_action_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["person.id"], name=op.f("fk_corrective_action_closed_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_corrective_action_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action")),
        sa.UniqueConstraint(
            "author_id", "request_token", name=op.f("uq_corrective_action_author_id_request_token")
        ),
    )
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_action_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_corrective_action_closed_by_id"), ["closed_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_corrective_action_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            "ix_corrective_action_person_id_id", ["person_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_corrective_action_state"), ["state"], unique=False)

    op.create_table(
        "corrective_action_follow_up",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["corrective_action.id"],
            name=op.f("fk_corrective_action_follow_up_action_id_corrective_action"),
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["person.id"],
            name=op.f("fk_corrective_action_follow_up_done_by_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action_follow_up")),
        sa.UniqueConstraint(
            "action_id", "due_on", name=op.f("uq_corrective_action_follow_up_action_id_due_on")
        ),
    )
    with op.batch_alter_table("corrective_action_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_action_follow_up_done_by_id"), ["done_by_id"], unique=False
        )
        batch_op.create_index("ix_corrective_action_follow_up_due_on", ["due_on"], unique=False)

    op.create_table(
        "corrective_action_link",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "record_type IN ('evaluation', 'review', 'kpi', 'one_on_one')",
            name=op.f("ck_corrective_action_link_record_type_valid"),
        ),
        sa.CheckConstraint(
            "record_id > 0", name=op.f("ck_corrective_action_link_record_id_positive")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["corrective_action.id"],
            name=op.f("fk_corrective_action_link_action_id_corrective_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action_link")),
        sa.UniqueConstraint(
            "action_id",
            "record_type",
            "record_id",
            name=op.f("uq_corrective_action_link_action_id_record_type_record_id"),
        ),
    )


def downgrade():
    op.drop_table("corrective_action_link")
    with op.batch_alter_table("corrective_action_follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_corrective_action_follow_up_due_on")
        batch_op.drop_index(batch_op.f("ix_corrective_action_follow_up_done_by_id"))

    op.drop_table("corrective_action_follow_up")
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_action_state"))
        batch_op.drop_index("ix_corrective_action_person_id_id")
        batch_op.drop_index(batch_op.f("ix_corrective_action_expires_on"))
        batch_op.drop_index(batch_op.f("ix_corrective_action_closed_by_id"))
        batch_op.drop_index(batch_op.f("ix_corrective_action_author_id"))

    op.drop_table("corrective_action")
