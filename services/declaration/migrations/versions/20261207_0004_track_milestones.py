"""Customs milestones from the track: each firm's filing choice and each milestone reached.

Revision ID: declaration_0004
Revises: declaration_0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.sqltypes import JSONText, UTCDateTime

revision = "declaration_0004"
down_revision = "declaration_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "milestone_filing_choices",
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("settings", JSONText(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_milestone_filing_choices")),
    )
    op.create_table(
        "track_milestones",
        sa.Column("milestone_id", sa.String(length=128), nullable=False),
        sa.Column("message_type", sa.String(length=6), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=True),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_no", sa.String(length=60), nullable=False),
        sa.Column("record_key", sa.String(length=80), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("record", JSONText(), nullable=False),
        sa.Column("missing", JSONText(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reasons", JSONText(), nullable=False),
        sa.Column("filing_id", sa.String(length=36), nullable=True),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("signed_by", sa.String(length=10), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("milestone_id", name=op.f("pk_track_milestones")),
    )
    op.create_index(
        "ix_track_milestones_party_created", "track_milestones", ["party_id", "created_at", "milestone_id"]
    )
    op.create_index("ix_track_milestones_record_key", "track_milestones", ["message_type", "record_key"])


def downgrade() -> None:
    op.drop_index("ix_track_milestones_record_key", table_name="track_milestones")
    op.drop_index("ix_track_milestones_party_created", table_name="track_milestones")
    op.drop_table("track_milestones")
    op.drop_table("milestone_filing_choices")
