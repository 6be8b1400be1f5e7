"""Messaging tables and daily activity.

Revision ID: stats_0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.messaging.ddl_v1 import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "stats_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "daily_activity",
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("value_cny_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", "day", "mode", "direction", name="pk_daily_activity"),
    )


def downgrade() -> None:
    op.drop_table("daily_activity")
    drop_messaging_tables_v1()
