"""Document status 399 海关审结 is named examination_concluded (it was cleared_review).

Revision ID: payments_0009
Revises: payments_0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.events.status_renames import rename_statuses, restore_statuses

revision: str = "payments_0009"
down_revision: str | None = "payments_0008"
branch_labels = None
depends_on = None

TABLES = {"payments_goods_documents": ("status",), "payments_goods_statuses": ("status",)}


def upgrade() -> None:
    for table, columns in TABLES.items():
        rename_statuses(table, columns)


def downgrade() -> None:
    for table, columns in TABLES.items():
        restore_statuses(table, columns)
