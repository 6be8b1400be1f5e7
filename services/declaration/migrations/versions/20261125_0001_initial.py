"""Messaging tables and the order documents of the JSON intake.

Revision ID: declaration_0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.messaging.ddl_v1 import create_messaging_tables_v1, drop_messaging_tables_v1
from shared.sqltypes import Money, UTCDateTime

revision = "declaration_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "order_documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("order_no", sa.String(60), nullable=False),
        sa.Column("ebp_code", sa.String(18), nullable=False),
        sa.Column("ebc_code", sa.String(18), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("goods_value", Money(), nullable=False),
        sa.Column("value_cny", Money(), nullable=False),
        sa.Column("cny_rate", Money(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_documents"),
        sa.UniqueConstraint("ebp_code", "order_no", name="uq_order_documents_ebp_code_order_no"),
    )
    op.create_index("ix_order_documents_party_id", "order_documents", ["party_id"])


def downgrade() -> None:
    op.drop_table("order_documents")
    drop_messaging_tables_v1()
