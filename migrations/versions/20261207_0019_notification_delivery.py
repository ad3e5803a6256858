"""notifications: delivery preferences per kind, e-mail state, digests

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_notification_preference_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint(
            "person_id", "kind", name=op.f("uq_notification_preference_person_id_kind")
        ),
    )
    op.create_table(
        "notification_digest",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_notification_digest_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_digest")),
        sa.UniqueConstraint(
            "person_id",
            "cadence",
            "period",
            name=op.f("uq_notification_digest_person_id_cadence_period"),
        ),
    )
    with op.batch_alter_table("notification_digest", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_digest_state_next_at", ["state", "next_at"], unique=False
        )

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), server_default="portal", nullable=False)
        )
        batch_op.add_column(
            sa.Column("email_state", sa.String(length=16), server_default="none", nullable=False)
        )
        batch_op.add_column(
            sa.Column("email_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("email_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("email_error", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_notification_digest_id_notification_digest"),
            "notification_digest",
            ["digest_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_notification_person_id_read_at", ["person_id", "read_at"], unique=False
        )
        batch_op.create_index(
            "ix_notification_email_state_next_at", ["email_state", "email_next_at"], unique=False
        )
        batch_op.create_index("ix_notification_digest_id", ["digest_id"], unique=False)


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_digest_id")
        batch_op.drop_index("ix_notification_email_state_next_at")
        batch_op.drop_index("ix_notification_person_id_read_at")
        batch_op.drop_constraint(
            batch_op.f("fk_notification_digest_id_notification_digest"), type_="foreignkey"
        )
        batch_op.drop_column("digest_id")
        batch_op.drop_column("emailed_at")
        batch_op.drop_column("email_error")
        batch_op.drop_column("email_next_at")
        batch_op.drop_column("email_attempts")
        batch_op.drop_column("email_state")
        batch_op.drop_column("channel")

    with op.batch_alter_table("notification_digest", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_digest_state_next_at")
    op.drop_table("notification_digest")
    op.drop_table("notification_preference")
