"""Tables of the customs exchange (migration ``declaration_0003``).

* ``customs_outbox`` — every message for customs, built once and stored as the exact bytes
  handed to the transport (sealed: declarations carry personal data). A row is written
  in the same transaction that moves its documents to ``sent``; the dispatcher only
  ever sends the stored bytes, so a document can be sent again after a crash, but never
  with other content.
* ``customs_documents`` — the customs side of each document that entered the exchange:
  the lifecycle state (:mod:`.core.lifecycle`), the key receipts are matched by,
  the numbers customs assigned (preNo, invtNo, sumNo, entryId) and the customs times
  of release and closure.
* ``customs_receipts`` — every message customs sent, as received (sealed), once per
  content hash: a re-delivery is recognised and changes nothing.
* ``customs_receipt_entries`` — what each receipt record did to each document (applied,
  unchanged, stale, duplicate, unknown): the full customs history.
* ``customs_tax_bills`` — CEB816 tax bills and their CEB818 status, per inventory.
* ``customs_summary_results`` / ``customs_summary_lines`` — CEB792: the customs
  declaration (entryId) of a summary and, per inventory line, its declaration line.
* ``customs_summary_reminders`` — reminders already given (one per group, month and kind).
* ``customs_simulator_snapshots`` — the embedded simulator's state at a point of the
  send/receipt sequence (sealed); see :mod:`.embedded`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import BigIntPK, JSONText, Money, UTCDateTime


class CustomsOutboundMessage(Base):
    """One message for customs: its exact bytes, what it carries, and whether it left."""

    __tablename__ = "customs_outbox"
    __table_args__ = (
        Index("ix_customs_outbox_pending", "status", "id"),
        Index("ix_customs_outbox_send_seq", "send_seq"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True, doc="the envelope's CopMsgId")
    message_type: Mapped[str] = mapped_column(String(6))
    direction: Mapped[str] = mapped_column(String(6))
    party_id: Mapped[str] = mapped_column(String(64), index=True)
    document_ids: Mapped[list[str]] = mapped_column(JSONText)
    envelope: Mapped[str] = mapped_column(String(8), doc="DxpMsgSv, DxpMsg or bare")
    signed_by: Mapped[str] = mapped_column(String(10), doc="platform, enterprise or none")
    signature_method: Mapped[str | None] = mapped_column(String(100))
    payload_key_id: Mapped[str] = mapped_column(String(32))
    payload_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    payload_size: Mapped[int] = mapped_column(Integer)
    business_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), doc="pending, sent or failed")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    send_seq: Mapped[int | None] = mapped_column(BigInteger, doc="order of hand-over to the transport")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class CustomsDocument(Base):
    """A document's customs side: lifecycle state, assigned numbers, customs times."""

    __tablename__ = "customs_documents"
    __table_args__ = (
        Index("ix_customs_documents_key", "customs_key"),
        Index("ix_customs_documents_invt_no", "invt_no"),
        Index("ix_customs_documents_sum_no", "sum_no"),
        Index("ix_customs_documents_target", "target_id"),
        Index("ix_customs_documents_closed", "direction", "kind", "closed_at"),
    )

    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customs_key: Mapped[str] = mapped_column(String(255), doc="how receipts name it: CEB621|copNo|agentCode")
    message_type: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20), doc="the lifecycle kind (import_inventory …)")
    direction: Mapped[str] = mapped_column(String(6))
    party_id: Mapped[str] = mapped_column(String(64))
    state_code: Mapped[str] = mapped_column(String(16))
    state_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    attempt_started: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outbound_id: Mapped[int | None] = mapped_column(BigInteger)
    target_id: Mapped[str | None] = mapped_column(
        String(36), doc="the inventory a cancellation or return is about"
    )
    pre_no: Mapped[str | None] = mapped_column(String(20))
    invt_no: Mapped[str | None] = mapped_column(String(20))
    sum_no: Mapped[str | None] = mapped_column(String(36))
    entry_id: Mapped[str | None] = mapped_column(String(36), doc="customs declaration (报关单) number")
    summary_id: Mapped[str | None] = mapped_column(String(36), doc="the summary application naming it")
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    legal: Mapped[bool] = mapped_column(Boolean, default=True, doc="False after an unexpected move")
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CustomsReceipt(Base):
    """One message from customs as it arrived."""

    __tablename__ = "customs_receipts"
    __table_args__ = (Index("ix_customs_receipts_status", "status", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    transport: Mapped[str] = mapped_column(String(10))
    transport_id: Mapped[str] = mapped_column(
        Text, doc="the transport's id (a batched receipt's: its members')"
    )
    message_type: Mapped[str | None] = mapped_column(String(6))
    envelope: Mapped[str | None] = mapped_column(String(8))
    record_count: Mapped[int] = mapped_column(Integer)
    payload_key_id: Mapped[str] = mapped_column(String(32))
    payload_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    payload_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), doc="applied, unresolved or invalid")
    problem: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CustomsReceiptEntry(Base):
    """What one receipt record did to one document (or tax bill)."""

    __tablename__ = "customs_receipt_entries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    receipt_id: Mapped[int] = mapped_column(BigInteger, index=True)
    record_index: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    party_id: Mapped[str] = mapped_column(String(64))
    track: Mapped[str] = mapped_column(String(10), doc="document or tax_bill")
    message_type: Mapped[str] = mapped_column(String(6))
    return_status: Mapped[str] = mapped_column(String(16))
    return_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    return_info: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(10))
    state_after: Mapped[str] = mapped_column(String(16))
    legal: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CustomsTaxBill(Base):
    """A CEB816 tax bill (and its CEB818 status) of an import inventory."""

    __tablename__ = "customs_tax_bills"

    tax_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    invt_no: Mapped[str] = mapped_column(String(20), index=True)
    document_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customs_tax: Mapped[Decimal | None] = mapped_column(Money)
    value_added_tax: Mapped[Decimal | None] = mapped_column(Money)
    consumption_tax: Mapped[Decimal | None] = mapped_column(Money)
    state_code: Mapped[str] = mapped_column(String(8), doc="1 generated, 2 summarised, 3 voided")
    state_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    head: Mapped[dict[str, Any]] = mapped_column(JSONText, doc="TaxHeadRd as received")
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, doc="TaxListRd as received")
    receipt_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CustomsSummaryResult(Base):
    """A CEB792 summary result: the customs declaration a summary became."""

    __tablename__ = "customs_summary_results"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    sum_no: Mapped[str] = mapped_column(String(36), index=True)
    entry_id: Mapped[str | None] = mapped_column(String(36))
    decl_seq_no: Mapped[str | None] = mapped_column(String(36))
    dec_state: Mapped[str | None] = mapped_column(String(10))
    op_date: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    head: Mapped[dict[str, Any]] = mapped_column(JSONText)
    receipt_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CustomsSummaryLine(Base):
    """One inventory line of a summary result and the declaration line (gseqno) it went into."""

    __tablename__ = "customs_summary_lines"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    result_id: Mapped[int] = mapped_column(BigInteger, index=True)
    sum_no: Mapped[str] = mapped_column(String(36))
    entry_id: Mapped[str | None] = mapped_column(String(36))
    invt_no: Mapped[str] = mapped_column(String(20), index=True)
    inventory_id: Mapped[str | None] = mapped_column(String(36), index=True)
    logistics_no: Mapped[str | None] = mapped_column(String(60))
    gnum: Mapped[int] = mapped_column(Integer)
    gseqno: Mapped[int] = mapped_column(Integer)
    gcode: Mapped[str | None] = mapped_column(String(10))


class SummaryReminder(Base):
    """A summary reminder (or overdue notice) given, so it is given once."""

    __tablename__ = "customs_summary_reminders"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    reminder_key: Mapped[str] = mapped_column(String(255), unique=True)
    party_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(10), doc="remind or overdue")
    inventories: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SimulatorSnapshot(Base):
    """The embedded simulator's state after ``send_seq`` sends and receipts up to ``receipt_id``."""

    __tablename__ = "customs_simulator_snapshots"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    send_seq: Mapped[int] = mapped_column(BigInteger)
    receipt_id: Mapped[int] = mapped_column(BigInteger)
    config: Mapped[dict[str, Any]] = mapped_column(
        JSONText, doc="the simulator settings the state was made with"
    )
    state_key_id: Mapped[str] = mapped_column(String(32))
    state_cipher: Mapped[bytes] = mapped_column(LargeBinary, doc="zlib-compressed JSON, sealed")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
