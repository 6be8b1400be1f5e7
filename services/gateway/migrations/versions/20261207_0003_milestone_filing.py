"""A logistics firm's milestone filing choices (CEB507/509/513: off, review, auto).

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "gateway_0003"
down_revision: str | None = "gateway_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "party_milestone_filing",
        sa.Column("party_id", sa.String(length=40), nullable=False),
        sa.Column("settings", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("updated_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.id"],
            name=op.f("fk_party_milestone_filing_party_id_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_party_milestone_filing")),
    )


def downgrade() -> None:
    op.drop_table("party_milestone_filing")
