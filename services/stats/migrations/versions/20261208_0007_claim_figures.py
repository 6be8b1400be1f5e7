"""Loss and damage claims: each claim's amounts and dates (from ``ClaimChanged``), for the
regulator's claim rates and payout times per carrier.

Revision ID: stats_0007
Revises: stats_0006
Create Date: 2026-12-08 01:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "stats_0007"
down_revision: str | None = "stats_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_claims",
        sa.Column("claim_id", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("claimant_party_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("carrier_code", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("claimed_cny", shared.sqltypes.Money(precision=19, scale=5), nullable=False),
        sa.Column("offer_cny", shared.sqltypes.Money(precision=19, scale=5), nullable=False),
        sa.Column("approved_cny", shared.sqltypes.Money(precision=19, scale=5), nullable=True),
        sa.Column("paid_cny", shared.sqltypes.Money(precision=19, scale=5), nullable=True),
        sa.Column("payout_seconds", sa.Integer(), nullable=True),
        sa.Column("submitted_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_stats_claims")),
    )
    with op.batch_alter_table("stats_claims", schema=None) as batch_op:
        batch_op.create_index("ix_stats_claims_year", ["year", "carrier_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stats_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_claims_year")
    op.drop_table("stats_claims")
