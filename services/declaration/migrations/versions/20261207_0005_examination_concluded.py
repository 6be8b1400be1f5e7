"""Document status 399 海关审结 is named examination_concluded (it was cleared_review).

Revision ID: declaration_0005
Revises: declaration_0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.events.status_renames import rename_statuses, restore_statuses

revision: str = "declaration_0005"
down_revision: str | None = "declaration_0004"
branch_labels = None
depends_on = None

TABLES = {"documents": ("status",), "document_status_changes": ("from_status", "to_status")}


def upgrade() -> None:
    for table, columns in TABLES.items():
        rename_statuses(table, columns)


def downgrade() -> None:
    for table, columns in TABLES.items():
        restore_statuses(table, columns)
