"""Messaging tables: outbox, inbox, dead letters.

Revision ID: gateway_0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from shared.messaging.ddl_v1 import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "gateway_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()


def downgrade() -> None:
    drop_messaging_tables_v1()
