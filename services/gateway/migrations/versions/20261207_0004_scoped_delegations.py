"""Delegations scoped by message type (an empty list: every message type).

Revision ID: gateway_0004
Revises: gateway_0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "gateway_0004"
down_revision: str | None = "gateway_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("party_delegations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_types", shared.sqltypes.JSONText(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("party_delegations", schema=None) as batch_op:
        batch_op.drop_column("message_types")
