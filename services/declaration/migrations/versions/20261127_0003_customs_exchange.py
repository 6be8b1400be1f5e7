"""The customs exchange: outbox, customs state, receipts, tax bills, summary results, reminders.

Also gives ``document_status_changes`` the filer's party id (backfilled from
``documents``) so the per-party change feed pages by an index, widens the status
columns to 32 characters (customs status names such as ``detained_anti_smuggling``),
and indexes documents by (status, seq) for the exchange's "ready for customs" query.

Revision ID: declaration_0003
Revises: declaration_0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.sqltypes import BigIntPK, JSONText, Money, UTCDateTime

revision = "declaration_0003"
down_revision = "declaration_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Customs status names reach 23 characters. SQLite does not enforce VARCHAR lengths,
    # but the declared type is widened there too so the schema matches the models
    # (batch mode rebuilds the table on SQLite and is a plain ALTER on PostgreSQL).
    with op.batch_alter_table("documents") as batch:
        batch.alter_column(
            "status", type_=sa.String(32), existing_type=sa.String(20), existing_nullable=False
        )
    op.create_index("ix_documents_status_seq", "documents", ["status", "seq"])
    with op.batch_alter_table("document_status_changes") as batch:
        batch.alter_column(
            "from_status", type_=sa.String(32), existing_type=sa.String(20), existing_nullable=True
        )
        batch.alter_column(
            "to_status", type_=sa.String(32), existing_type=sa.String(20), existing_nullable=False
        )
        batch.add_column(sa.Column("party_id", sa.String(64), nullable=True))
    op.execute(
        "UPDATE document_status_changes SET party_id = "
        "(SELECT documents.party_id FROM documents WHERE documents.id = document_status_changes.document_id)"
    )
    op.create_index("ix_document_status_changes_party", "document_status_changes", ["party_id", "id"])

    op.create_table(
        "customs_outbox",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("document_ids", JSONText(), nullable=False),
        sa.Column("envelope", sa.String(8), nullable=False),
        sa.Column("signed_by", sa.String(10), nullable=False),
        sa.Column("signature_method", sa.String(100), nullable=True),
        sa.Column("payload_key_id", sa.String(32), nullable=False),
        sa.Column("payload_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("payload_size", sa.Integer(), nullable=False),
        sa.Column("business_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("send_seq", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customs_outbox"),
        sa.UniqueConstraint("message_id", name="uq_customs_outbox_message_id"),
    )
    op.create_index("ix_customs_outbox_pending", "customs_outbox", ["status", "id"])
    op.create_index("ix_customs_outbox_send_seq", "customs_outbox", ["send_seq"])
    op.create_index("ix_customs_outbox_party_id", "customs_outbox", ["party_id"])

    op.create_table(
        "customs_documents",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("customs_key", sa.String(255), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("state_code", sa.String(16), nullable=False),
        sa.Column("state_since", UTCDateTime(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("attempt_started", UTCDateTime(), nullable=True),
        sa.Column("outbound_id", sa.BigInteger(), nullable=True),
        sa.Column("target_id", sa.String(36), nullable=True),
        sa.Column("pre_no", sa.String(20), nullable=True),
        sa.Column("invt_no", sa.String(20), nullable=True),
        sa.Column("sum_no", sa.String(36), nullable=True),
        sa.Column("entry_id", sa.String(36), nullable=True),
        sa.Column("summary_id", sa.String(36), nullable=True),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("legal", sa.Boolean(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_customs_documents"),
    )
    op.create_index("ix_customs_documents_key", "customs_documents", ["customs_key"])
    op.create_index("ix_customs_documents_invt_no", "customs_documents", ["invt_no"])
    op.create_index("ix_customs_documents_sum_no", "customs_documents", ["sum_no"])
    op.create_index("ix_customs_documents_target", "customs_documents", ["target_id"])
    op.create_index("ix_customs_documents_closed", "customs_documents", ["direction", "kind", "closed_at"])

    op.create_table(
        "customs_receipts",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("transport", sa.String(10), nullable=False),
        sa.Column("transport_id", sa.Text(), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=True),
        sa.Column("envelope", sa.String(8), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("payload_key_id", sa.String(32), nullable=False),
        sa.Column("payload_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("payload_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customs_receipts"),
        sa.UniqueConstraint("sha256", name="uq_customs_receipts_sha256"),
    )
    op.create_index("ix_customs_receipts_status", "customs_receipts", ["status", "id"])

    op.create_table(
        "customs_receipt_entries",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("record_index", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("track", sa.String(10), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=False),
        sa.Column("return_status", sa.String(16), nullable=False),
        sa.Column("return_time", UTCDateTime(), nullable=True),
        sa.Column("return_info", sa.Text(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("state_after", sa.String(16), nullable=False),
        sa.Column("legal", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customs_receipt_entries"),
    )
    op.create_index("ix_customs_receipt_entries_receipt_id", "customs_receipt_entries", ["receipt_id"])
    op.create_index("ix_customs_receipt_entries_document_id", "customs_receipt_entries", ["document_id"])

    op.create_table(
        "customs_tax_bills",
        sa.Column("tax_no", sa.String(40), nullable=False),
        sa.Column("invt_no", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=True),
        sa.Column("customs_tax", Money(), nullable=True),
        sa.Column("value_added_tax", Money(), nullable=True),
        sa.Column("consumption_tax", Money(), nullable=True),
        sa.Column("state_code", sa.String(8), nullable=False),
        sa.Column("state_since", UTCDateTime(), nullable=True),
        sa.Column("head", JSONText(), nullable=False),
        sa.Column("lines", JSONText(), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tax_no", name="pk_customs_tax_bills"),
    )
    op.create_index("ix_customs_tax_bills_invt_no", "customs_tax_bills", ["invt_no"])
    op.create_index("ix_customs_tax_bills_document_id", "customs_tax_bills", ["document_id"])

    op.create_table(
        "customs_summary_results",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("sum_no", sa.String(36), nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=True),
        sa.Column("decl_seq_no", sa.String(36), nullable=True),
        sa.Column("dec_state", sa.String(10), nullable=True),
        sa.Column("op_date", UTCDateTime(), nullable=True),
        sa.Column("head", JSONText(), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customs_summary_results"),
        sa.UniqueConstraint("receipt_id", name="uq_customs_summary_results_receipt_id"),
    )
    op.create_index("ix_customs_summary_results_sum_no", "customs_summary_results", ["sum_no"])

    op.create_table(
        "customs_summary_lines",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("result_id", sa.BigInteger(), nullable=False),
        sa.Column("sum_no", sa.String(36), nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=True),
        sa.Column("invt_no", sa.String(20), nullable=False),
        sa.Column("inventory_id", sa.String(36), nullable=True),
        sa.Column("logistics_no", sa.String(60), nullable=True),
        sa.Column("gnum", sa.Integer(), nullable=False),
        sa.Column("gseqno", sa.Integer(), nullable=False),
        sa.Column("gcode", sa.String(10), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customs_summary_lines"),
    )
    op.create_index("ix_customs_summary_lines_result_id", "customs_summary_lines", ["result_id"])
    op.create_index("ix_customs_summary_lines_invt_no", "customs_summary_lines", ["invt_no"])
    op.create_index("ix_customs_summary_lines_inventory_id", "customs_summary_lines", ["inventory_id"])

    op.create_table(
        "customs_summary_reminders",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("reminder_key", sa.String(255), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("inventories", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customs_summary_reminders"),
        sa.UniqueConstraint("reminder_key", name="uq_customs_summary_reminders_reminder_key"),
    )

    op.create_table(
        "customs_simulator_snapshots",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("send_seq", sa.BigInteger(), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("config", JSONText(), nullable=False),
        sa.Column("state_key_id", sa.String(32), nullable=False),
        sa.Column("state_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customs_simulator_snapshots"),
    )


def downgrade() -> None:
    for table in (
        "customs_simulator_snapshots",
        "customs_summary_reminders",
        "customs_summary_lines",
        "customs_summary_results",
        "customs_tax_bills",
        "customs_receipt_entries",
        "customs_receipts",
        "customs_documents",
        "customs_outbox",
    ):
        op.drop_table(table)
    op.drop_index("ix_document_status_changes_party", table_name="document_status_changes")
    with op.batch_alter_table("document_status_changes") as batch:
        batch.drop_column("party_id")
        batch.alter_column(
            "to_status", type_=sa.String(20), existing_type=sa.String(32), existing_nullable=False
        )
        batch.alter_column(
            "from_status", type_=sa.String(20), existing_type=sa.String(32), existing_nullable=True
        )
    op.drop_index("ix_documents_status_seq", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.alter_column(
            "status", type_=sa.String(20), existing_type=sa.String(32), existing_nullable=False
        )
