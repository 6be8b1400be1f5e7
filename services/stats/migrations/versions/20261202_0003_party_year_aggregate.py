"""Yearly aggregate per party (top enterprises, active enterprises and reward snapshots of whole years),
filled from the facts already counted.

Revision ID: stats_0003
Revises: stats_0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "stats_0003"
down_revision: str | None = "stats_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_FILL = """
INSERT INTO stats_agg_party_year (year, party_id, mode, direction, district, park, documents, orders,
    value_fen, returned_fen, value_orig_cents)
SELECT YEAR, party_id, mode, direction, district, park, sum(documents), sum(orders), sum(value_fen),
    sum(returned_fen), sum(value_orig_cents)
FROM stats_facts WHERE counted GROUP BY YEAR, party_id, mode, direction, district, park
"""


def upgrade() -> None:
    op.create_table(
        "stats_agg_party_year",
        sa.Column("year", sa.Date(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.Column("value_orig_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "party_id", "year", "mode", "direction", "district", "park", name="pk_stats_agg_party_year"
        ),
    )
    with op.batch_alter_table("stats_agg_party_year", schema=None) as batch_op:
        batch_op.create_index("ix_stats_agg_party_year_year", ["year"], unique=False)
    year = (
        "date_trunc('year', business_day)::date"
        if op.get_bind().dialect.name == "postgresql"
        else "date(business_day, 'start of year')"
    )
    # YEAR is one of the two fixed expressions above; no input reaches the statement.
    op.execute(_FILL.replace("YEAR", year))


def downgrade() -> None:
    with op.batch_alter_table("stats_agg_party_year", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_agg_party_year_year")
    op.drop_table("stats_agg_party_year")
