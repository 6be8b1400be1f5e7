"""Document status 399 海关审结 is named examination_concluded (it was cleared_review).

Revision ID: stats_0005
Revises: stats_w001
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.events.status_renames import rename_statuses, restore_statuses

revision: str = "stats_0005"
down_revision: str | None = "stats_w001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rename_statuses("stats_facts", ("status",))


def downgrade() -> None:
    restore_statuses("stats_facts", ("status",))
