"""qa: contacts, contact imports and versioned scorecards

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:17:50.038644

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scorecard",
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard")),
        sa.UniqueConstraint("name", name=op.f("uq_scorecard_name")),
    )
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_current_version_id"), ["current_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scorecard_is_archived"), ["is_archived"], unique=False)

    op.create_table(
        "scorecard_channel",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'email', 'voicemail', 'chat')",
            name=op.f("ck_scorecard_channel_channel_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecard.id"],
            name=op.f("fk_scorecard_channel_scorecard_id_scorecard"),
        ),
        sa.PrimaryKeyConstraint("scorecard_id", "channel", name=op.f("pk_scorecard_channel")),
    )
    with op.batch_alter_table("scorecard_channel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecard_channel_channel"), ["channel"], unique=False)

    op.create_table(
        "scorecard_market",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("market_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["market_id"], ["market.id"], name=op.f("fk_scorecard_market_market_id_market")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecard.id"],
            name=op.f("fk_scorecard_market_scorecard_id_scorecard"),
        ),
        sa.PrimaryKeyConstraint("scorecard_id", "market_id", name=op.f("pk_scorecard_market")),
    )
    with op.batch_alter_table("scorecard_market", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_market_market_id"), ["market_id"], unique=False
        )

    op.create_table(
        "contact_import",
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("imported_rows", sa.Integer(), nullable=False),
        sa.Column("duplicate_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed')", name=op.f("ck_contact_import_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["person.id"], name=op.f("fk_contact_import_imported_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_import")),
    )
    with op.batch_alter_table("contact_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_import_imported_by_id"), ["imported_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_import_status"), ["status"], unique=False)

    op.create_table(
        "scorecard_version",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_scorecard_version_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecard.id"],
            name=op.f("fk_scorecard_version_scorecard_id_scorecard"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_version")),
        sa.UniqueConstraint(
            "scorecard_id", "number", name=op.f("uq_scorecard_version_scorecard_id_number")
        ),
    )
    with op.batch_alter_table("scorecard_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_version_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scorecard_version_scorecard_id"), ["scorecard_id"], unique=False
        )

    # scorecard and scorecard_version refer to each other: the second link comes once both exist.
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_scorecard_current_version_id_scorecard_version"),
            "scorecard_version",
            ["current_version_id"],
            ["id"],
        )

    op.create_table(
        "contact",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("customer_ref", sa.String(length=120), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("market_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("recording_url", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'email', 'voicemail', 'chat')",
            name=op.f("ck_contact_channel_valid"),
        ),
        sa.CheckConstraint(
            "direction IN ('inbound', 'outbound')", name=op.f("ck_contact_direction_valid")
        ),
        sa.CheckConstraint(
            "duration_seconds IS NULL OR duration_seconds >= 0", name=op.f("ck_contact_duration")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["contact_import.id"],
            name=op.f("fk_contact_import_batch_id_contact_import"),
        ),
        sa.ForeignKeyConstraint(
            ["market_id"], ["market.id"], name=op.f("fk_contact_market_id_market")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_contact_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_contact_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_contact_source_external_id")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_channel"), ["channel"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_market_id"), ["market_id"], unique=False)
        batch_op.create_index("ix_contact_occurred_at_id", ["occurred_at", "id"], unique=False)
        batch_op.create_index(
            "ix_contact_person_id_occurred_at", ["person_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_segment_id"), ["segment_id"], unique=False)

    op.create_table(
        "scorecard_section",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint("weight > 0", name=op.f("ck_scorecard_section_weight_positive")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["scorecard_version.id"],
            name=op.f("fk_scorecard_section_version_id_scorecard_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_section")),
    )
    with op.batch_alter_table("scorecard_section", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scorecard_section_version_id_position", ["version_id", "position"], unique=False
        )

    op.create_table(
        "scorecard_question",
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("answer_type", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("scale_max", sa.Integer(), nullable=True),
        sa.Column("na_allowed", sa.Boolean(), nullable=False),
        sa.Column("critical_scope", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "answer_type IN ('yes_no', 'scale', 'choice')",
            name=op.f("ck_scorecard_question_answer_type_valid"),
        ),
        sa.CheckConstraint(
            "critical_scope IN ('section', 'evaluation')",
            name=op.f("ck_scorecard_question_critical_scope_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["scorecard_section.id"],
            name=op.f("fk_scorecard_question_section_id_scorecard_section"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_question")),
    )
    with op.batch_alter_table("scorecard_question", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scorecard_question_section_id_position", ["section_id", "position"], unique=False
        )

    op.create_table(
        "question_choice",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("is_failing", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_question_choice_points_not_negative")),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["scorecard_question.id"],
            name=op.f("fk_question_choice_question_id_scorecard_question"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_choice")),
    )
    with op.batch_alter_table("question_choice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_question_choice_question_id_position", ["question_id", "position"], unique=False
        )


def downgrade():
    with op.batch_alter_table("question_choice", schema=None) as batch_op:
        batch_op.drop_index("ix_question_choice_question_id_position")

    op.drop_table("question_choice")
    with op.batch_alter_table("scorecard_question", schema=None) as batch_op:
        batch_op.drop_index("ix_scorecard_question_section_id_position")

    op.drop_table("scorecard_question")
    with op.batch_alter_table("scorecard_section", schema=None) as batch_op:
        batch_op.drop_index("ix_scorecard_section_version_id_position")

    op.drop_table("scorecard_section")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_segment_id"))
        batch_op.drop_index("ix_contact_person_id_occurred_at")
        batch_op.drop_index("ix_contact_occurred_at_id")
        batch_op.drop_index(batch_op.f("ix_contact_market_id"))
        batch_op.drop_index(batch_op.f("ix_contact_import_batch_id"))
        batch_op.drop_index(batch_op.f("ix_contact_channel"))

    op.drop_table("contact")
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scorecard_current_version_id_scorecard_version"), type_="foreignkey"
        )

    with op.batch_alter_table("scorecard_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_version_scorecard_id"))
        batch_op.drop_index(batch_op.f("ix_scorecard_version_created_by_id"))

    op.drop_table("scorecard_version")
    with op.batch_alter_table("contact_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_import_status"))
        batch_op.drop_index(batch_op.f("ix_contact_import_imported_by_id"))

    op.drop_table("contact_import")
    with op.batch_alter_table("scorecard_market", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_market_market_id"))

    op.drop_table("scorecard_market")
    with op.batch_alter_table("scorecard_channel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_channel_channel"))

    op.drop_table("scorecard_channel")
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_is_archived"))
        batch_op.drop_index(batch_op.f("ix_scorecard_current_version_id"))

    op.drop_table("scorecard")
