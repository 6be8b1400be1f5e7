"""returns and exchanges

Revision ID: logistics_w004
Revises: logistics_w003
Create Date: 2026-12-07 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "logistics_w004"
down_revision: str | None = "logistics_w003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logistics_returns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_party_id", sa.String(length=64), nullable=False),
        sa.Column("created_by_party_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("customs_mode", sa.String(length=4), nullable=True),
        sa.Column("invt_no", sa.String(length=20), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("window_closes_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("disposition", sa.String(length=10), nullable=False),
        sa.Column("warehouse_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("return_leg_id", sa.String(length=36), nullable=True),
        sa.Column("carrier_code", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("exchange_order_id", sa.String(length=32), nullable=True),
        sa.Column("customs_return_id", sa.String(length=64), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shipped_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("filed_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_returns")),
        sa.UniqueConstraint(
            "owner_party_id", "reference", name=op.f("uq_logistics_returns_owner_party_id_reference")
        ),
    )
    op.create_index("ix_logistics_returns_owner", "logistics_returns", ["owner_party_id", "created_at"])
    op.create_index("ix_logistics_returns_warehouse", "logistics_returns", ["warehouse_id", "status"])
    op.create_index("ix_logistics_returns_invt", "logistics_returns", ["invt_no"])
    op.create_table(
        "logistics_return_lines",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("return_id", sa.String(length=32), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("sellable", sa.Integer(), nullable=False),
        sa.Column("unsellable", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_return_lines")),
        sa.UniqueConstraint("return_id", "line_no", name=op.f("uq_logistics_return_lines_return_id_line_no")),
    )


def downgrade() -> None:
    op.drop_table("logistics_return_lines")
    op.drop_index("ix_logistics_returns_invt", table_name="logistics_returns")
    op.drop_index("ix_logistics_returns_warehouse", table_name="logistics_returns")
    op.drop_index("ix_logistics_returns_owner", table_name="logistics_returns")
    op.drop_table("logistics_returns")
