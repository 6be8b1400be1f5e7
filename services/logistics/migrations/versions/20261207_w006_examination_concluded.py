"""Document status 399 海关审结 is named examination_concluded (it was cleared_review).

Revision ID: logistics_w006
Revises: logistics_w005
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.events.status_renames import rename_statuses, restore_statuses

revision: str = "logistics_w006"
down_revision: str | None = "logistics_w005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rename_statuses("logistics_customs_inventories", ("status",))


def downgrade() -> None:
    restore_statuses("logistics_customs_inventories", ("status",))
