"""The audit of quota-left lookups: who asked about which buyer (keyed hash), when, answered or not.

Revision ID: declaration_0006
Revises: declaration_0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.sqltypes import UTCDateTime

revision = "declaration_0006"
down_revision = "declaration_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_lookups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_hash", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("looked_up_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_lookups")),
    )
    op.create_index("ix_quota_lookups_buyer_hash", "quota_lookups", ["buyer_hash"])
    op.create_index("ix_quota_lookups_party_at", "quota_lookups", ["party_id", "looked_up_at"])


def downgrade() -> None:
    op.drop_index("ix_quota_lookups_party_at", table_name="quota_lookups")
    op.drop_index("ix_quota_lookups_buyer_hash", table_name="quota_lookups")
    op.drop_table("quota_lookups")
