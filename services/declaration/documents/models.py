"""Tables of filed messages and their documents.

* ``filings`` — one row per message received (XML or JSON), accepted or not: the
  original bytes sealed verbatim (they carry personal data) for audit and for part 2's
  signed forwarding, the transport blocks, and the sealed answer we returned.
* ``documents`` — one row per business record the platform accepted: the record
  without its personal fields (``body``), the personal fields sealed beside it, the
  keyed hash the annual quota looks buyers up by, the keys documents are linked and
  deduplicated by, its status, and the non-personal facts events carry.
* ``document_status_changes`` — the full status history of every document (part 2
  appends the changes customs receipts cause; every receipt itself is in
  ``customs_receipt_entries``), with the filer's party id for the change feed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import BigIntPK, JSONText, Money, UTCDateTime


class Filing(Base):
    """One message as it was received."""

    __tablename__ = "filings"
    __table_args__ = (Index("ix_filings_party_received", "party_id", "received_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64))
    message_type: Mapped[str | None] = mapped_column(String(6))
    direction: Mapped[str | None] = mapped_column(String(6))
    guid: Mapped[str | None] = mapped_column(String(64))
    content_format: Mapped[str] = mapped_column(String(4), doc="xml or json")
    content_type: Mapped[str] = mapped_column(String(100))
    raw_key_id: Mapped[str] = mapped_column(String(32))
    raw_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[dict[str, Any] | None] = mapped_column(
        JSONText,
        doc="guid, version, baseTransfer, baseSubscribe, extendMessage, signature (no personal data)",
    )
    record_count: Mapped[int] = mapped_column(Integer)
    accepted_count: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), doc="accepted, partial, rejected or format_error")
    answer_key_id: Mapped[str] = mapped_column(String(32))
    answer_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    request_id: Mapped[str | None] = mapped_column(String(64))


class Document(Base):
    """One accepted business record (an order, a waybill, an inventory …)."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_party_accepted", "party_id", "accepted_at"),
        Index("ix_documents_order_ref", "direction", "kind", "order_ref"),
        Index("ix_documents_waybill_ref", "direction", "kind", "waybill_ref"),
        Index("ix_documents_business_no", "business_no"),
        # The exchange picks documents ready for customs by status, oldest first.
        Index("ix_documents_status_seq", "status", "seq"),
    )

    # seq orders documents and numbers the platform's pre-entry number (preNo).
    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    # No foreign key: a filing row is written after its documents, once the answer (with
    # the documents' numbers) is known; both are in the same transaction.
    filing_id: Mapped[str] = mapped_column(String(36), index=True)
    record_index: Mapped[int] = mapped_column(Integer)
    message_type: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(6))
    mode: Mapped[str | None] = mapped_column(String(4))
    party_id: Mapped[str] = mapped_column(String(64))
    business_no: Mapped[str] = mapped_column(String(100))
    record_guid: Mapped[str | None] = mapped_column(String(64))
    app_type: Mapped[str] = mapped_column(String(1))
    app_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Set while the document counts for duplicate checks; cleared when it is deleted
    # or its number may be reused (waybills after the reuse window). Unique: two
    # racing filings of one number cannot both commit.
    dedup_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    order_ref: Mapped[str | None] = mapped_column(String(100), doc="ebpCode|orderNo")
    waybill_ref: Mapped[str | None] = mapped_column(String(120), doc="logisticsCode|logisticsNo")
    ebp_code: Mapped[str | None] = mapped_column(String(50))
    ebc_code: Mapped[str | None] = mapped_column(String(50))
    # 32: customs status names reach 23 characters (detained_anti_smuggling); widened in declaration_0003.
    status: Mapped[str] = mapped_column(String(32))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[dict[str, Any]] = mapped_column(JSONText, doc="{head, lines} without personal fields")
    pii_key_id: Mapped[str | None] = mapped_column(String(32))
    pii_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    buyer_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    value: Mapped[Decimal] = mapped_column(Money)
    value_cny: Mapped[Decimal] = mapped_column(Money)
    cny_rate: Mapped[Decimal] = mapped_column(Money)
    country: Mapped[str | None] = mapped_column(String(3))
    chapters: Mapped[list[dict[str, Any]]] = mapped_column(JSONText)
    district: Mapped[str | None] = mapped_column(String(32))
    park: Mapped[str | None] = mapped_column(String(64))
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StatusChange(Base):
    """One step in a document's life: who moved it where, when and why."""

    __tablename__ = "document_status_changes"
    __table_args__ = (Index("ix_document_status_changes_party", "party_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    # The document's filer (declaration_0003): the per-party change feed pages by (party_id, id).
    party_id: Mapped[str | None] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    customs_status: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    request_id: Mapped[str | None] = mapped_column(String(64))
