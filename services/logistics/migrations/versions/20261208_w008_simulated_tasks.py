"""the simulator's warehouse and claims tasks

Revision ID: logistics_w008
Revises: logistics_w007
Create Date: 2026-12-08 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "logistics_w008"
down_revision: str | None = "logistics_w007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, shared.sqltypes.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "logistics_simulated_tasks",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("object_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("plan", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("delay_scale", sa.Float(), nullable=False),
        _time("started_at"),
        sa.Column("steps_done", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        _time("finished_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("kind", "object_id"),
    )
    op.create_index(
        "ix_logistics_simulated_tasks_open", "logistics_simulated_tasks", ["finished_at", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_logistics_simulated_tasks_open", table_name="logistics_simulated_tasks")
    op.drop_table("logistics_simulated_tasks")
