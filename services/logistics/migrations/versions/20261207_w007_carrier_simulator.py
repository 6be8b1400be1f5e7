"""the embedded carrier simulator's legs

Revision ID: logistics_w007
Revises: logistics_w006
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "logistics_w007"
down_revision: str | None = "logistics_w006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, shared.sqltypes.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "logistics_simulated_legs",
        sa.Column("leg_id", sa.String(length=36), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("journey", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("delay_scale", sa.Float(), nullable=False),
        _time("started_at", nullable=True),
        sa.Column("steps_sent", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        _time("finished_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("leg_id"),
    )
    op.create_index(
        "ix_logistics_simulated_legs_open", "logistics_simulated_legs", ["finished_at", "shipment_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_logistics_simulated_legs_open", table_name="logistics_simulated_legs")
    op.drop_table("logistics_simulated_legs")
