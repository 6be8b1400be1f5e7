"""The declaration domain: filings, documents, status history, match state, quota, tax, code directory.

Replaces the foundation's JSON order slice (``order_documents``), whose rows were
demonstration data of the embedded mode: they are dropped, not migrated.

Revision ID: declaration_0002
Revises: declaration_0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.sqltypes import BigIntPK, JSONText, Money, UTCDateTime

revision = "declaration_0002"
down_revision = "declaration_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_order_documents_party_id", table_name="order_documents")
    op.drop_table("order_documents")

    op.create_table(
        "filings",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=True),
        sa.Column("direction", sa.String(6), nullable=True),
        sa.Column("guid", sa.String(64), nullable=True),
        sa.Column("content_format", sa.String(4), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("raw_key_id", sa.String(32), nullable=False),
        sa.Column("raw_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("envelope", JSONText(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("answer_key_id", sa.String(32), nullable=False),
        sa.Column("answer_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_filings"),
    )
    op.create_index("ix_filings_party_received", "filings", ["party_id", "received_at"])

    op.create_table(
        "documents",
        sa.Column("seq", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("filing_id", sa.String(36), nullable=False),
        sa.Column("record_index", sa.Integer(), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("mode", sa.String(4), nullable=True),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("business_no", sa.String(100), nullable=False),
        sa.Column("record_guid", sa.String(64), nullable=True),
        sa.Column("app_type", sa.String(1), nullable=False),
        sa.Column("app_time", UTCDateTime(), nullable=True),
        sa.Column("dedup_key", sa.String(255), nullable=True),
        sa.Column("order_ref", sa.String(100), nullable=True),
        sa.Column("waybill_ref", sa.String(120), nullable=True),
        sa.Column("ebp_code", sa.String(50), nullable=True),
        sa.Column("ebc_code", sa.String(50), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("body", JSONText(), nullable=False),
        sa.Column("pii_key_id", sa.String(32), nullable=True),
        sa.Column("pii_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("buyer_hash", sa.String(64), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("value", Money(), nullable=False),
        sa.Column("value_cny", Money(), nullable=False),
        sa.Column("cny_rate", Money(), nullable=False),
        sa.Column("country", sa.String(3), nullable=True),
        sa.Column("chapters", JSONText(), nullable=False),
        sa.Column("district", sa.String(32), nullable=True),
        sa.Column("park", sa.String(64), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_documents"),
        sa.UniqueConstraint("id", name="uq_documents_id"),
        sa.UniqueConstraint("dedup_key", name="uq_documents_dedup_key"),
    )
    op.create_index("ix_documents_filing_id", "documents", ["filing_id"])
    op.create_index("ix_documents_party_accepted", "documents", ["party_id", "accepted_at"])
    op.create_index("ix_documents_order_ref", "documents", ["direction", "kind", "order_ref"])
    op.create_index("ix_documents_waybill_ref", "documents", ["direction", "kind", "waybill_ref"])
    op.create_index("ix_documents_business_no", "documents", ["business_no"])
    op.create_index("ix_documents_buyer_hash", "documents", ["buyer_hash"])

    op.create_table(
        "document_status_changes",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("customs_status", sa.String(10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_document_status_changes"),
    )
    op.create_index("ix_document_status_changes_document_id", "document_status_changes", ["document_id"])

    op.create_table(
        "inventory_matches",
        sa.Column("inventory_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=True),
        sa.Column("payment_id", sa.String(36), nullable=True),
        sa.Column("waybill_id", sa.String(36), nullable=True),
        sa.Column("report", JSONText(), nullable=False),
        sa.Column("matched_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("inventory_id", name="pk_inventory_matches"),
    )

    op.create_table(
        "buyer_quotas",
        sa.Column("buyer_hash", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("used_e5", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("buyer_hash", "year", name="pk_buyer_quotas"),
    )
    op.create_table(
        "quota_usages",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("buyer_hash", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_e5", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reserved_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("release_reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("document_id", name="pk_quota_usages"),
    )
    op.create_index("ix_quota_usages_buyer_hash", "quota_usages", ["buyer_hash"])

    op.create_table(
        "tax_assessments",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("treatment", sa.String(24), nullable=False),
        sa.Column("dutiable_value", Money(), nullable=False),
        sa.Column("customs_tax", Money(), nullable=False),
        sa.Column("value_added_tax", Money(), nullable=False),
        sa.Column("consumption_tax", Money(), nullable=False),
        sa.Column("lines", JSONText(), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_tax_assessments"),
    )

    op.create_table(
        "party_codes",
        sa.Column("code", sa.String(18), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_party_codes"),
    )
    op.create_index("ix_party_codes_party_id", "party_codes", ["party_id"])


def downgrade() -> None:
    for table in (
        "party_codes",
        "tax_assessments",
        "quota_usages",
        "buyer_quotas",
        "inventory_matches",
        "document_status_changes",
        "documents",
        "filings",
    ):
        op.drop_table(table)
    op.create_table(
        "order_documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("order_no", sa.String(60), nullable=False),
        sa.Column("ebp_code", sa.String(18), nullable=False),
        sa.Column("ebc_code", sa.String(18), nullable=False),
        sa.Column("mode", sa.String(4), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("goods_value", Money(), nullable=False),
        sa.Column("value_cny", Money(), nullable=False),
        sa.Column("cny_rate", Money(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_documents"),
        sa.UniqueConstraint("ebp_code", "order_no", name="uq_order_documents_ebp_code_order_no"),
    )
    op.create_index("ix_order_documents_party_id", "order_documents", ["party_id"])
