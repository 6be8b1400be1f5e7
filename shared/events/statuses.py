"""The lifecycle vocabulary of customs documents, shared by their producer and every reader.

The declaration service decides a document's status (its lifecycle and receipts) and
publishes it in ``DocumentStatusChanged``; statistics, logistics and payments read it.
Both sides import this one enum, so a status added here is known everywhere at once,
and an event naming a status not listed here fails validation and is parked by the
consumer instead of being ranked as nothing.

The rank orders the states of one document: a document's state is the highest-ranked
status it reached (late, duplicated or out-of-order receipts never move it back). Tax
bills have their own small scale (``expected`` … ``tax_voided``) that is not compared
with the document scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class DocumentStatus(StrEnum):
    """Platform status names of a customs document (customs codes in the comments)."""

    # On the platform, before customs.
    ACCEPTED = "accepted"  # passed the platform's checks (orders, payments, waybills …)
    WAITING = "waiting"  # an inventory whose order, payment or waybill has not arrived
    MATCHED = "matched"  # 三单对碰 passed: the inventory may go to customs
    MISMATCHED = "mismatched"  # 三单对碰 found a difference
    DELETED = "deleted"  # withdrawn by its filer before sending
    # The exchange with customs.
    SENT = "sent"  # the platform sent the message
    STAGED = "staged"  # 1 电子口岸已暂存
    SUBMITTED = "submitted"  # 2 电子口岸申报中
    SENT_TO_CUSTOMS = "sent_to_customs"  # 3 发送海关成功
    SEND_FAILED = "send_failed"  # 4 发送海关失败
    CUSTOMS_ACCEPTED = "customs_accepted"  # 120 海关入库
    MANUAL_REVIEW = "manual_review"  # 300 人工审核
    SUSPENDED = "suspended"  # 600 挂起
    EXAMINATION_CONCLUDED = "examination_concluded"  # 399 海关审结: customs concluded its examination
    INSPECTION = "inspection"  # 500 查验
    DETAINED_CLEARANCE = "detained_clearance"  # 501 扣留移送通关
    DETAINED_ANTI_SMUGGLING = "detained_anti_smuggling"  # 502 扣留移送缉私
    DETAINED_LEGAL = "detained_legal"  # 503 扣留移送法规
    TRANSFERRED = "transferred"  # 505 移交其他部门
    DETAINED_OTHER = "detained_other"  # 599 其他扣留
    REJECTED = "rejected"  # 100 海关退单
    REFUSED = "refused"  # a negative returnStatus: the e-port refused the message
    FORMAT_REJECTED = "format_rejected"  # CEB900: the message failed customs' format check
    RETURNED = "returned"  # 700 退运
    RELEASED = "released"  # 800 放行
    CANCELLED = "cancelled"  # an approved cancellation (CEB624 / CEB606)
    CLOSED = "closed"  # 899 结关
    CLEARED = "cleared"  # a synonym of closed some producers use
    SUMMARY_RESULT = "summary_result"  # the summary result (CEB792) arrived
    # Tax bills (CEB816), on their own scale.
    EXPECTED = "expected"
    TAX_GENERATED = "tax_generated"
    TAX_SUMMARISED = "tax_summarised"
    TAX_VOIDED = "tax_voided"

    @classmethod
    def _missing_(cls, value: object) -> DocumentStatus | None:
        # Names a status had before: events already published, rows written, filters an
        # integrator saved keep meaning what they meant.
        renamed = LEGACY_NAMES.get(value) if isinstance(value, str) else None
        return cls(renamed) if renamed else None

    @property
    def rank(self) -> int:
        """Where the status stands in a document's lifecycle (higher wins)."""
        return STATUS_RANK[self]

    @property
    def counts_as_trade(self) -> bool:
        """True if an inventory in this status is real trade for the statistics."""
        return self in COUNTING_STATUSES


S = DocumentStatus

LEGACY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        # 399 海关审结 is customs concluding its examination of the declaration, with or
        # without a manual review (300) before it; the old name suggested a review always
        # happened.
        "cleared_review": "examination_concluded",
    }
)
"""Old status names, read as their new ones (events, stored rows, query filters)."""

STATUS_RANK: Mapping[DocumentStatus, int] = MappingProxyType(
    {
        S.SENT: 3,
        S.ACCEPTED: 1,
        S.WAITING: 1,
        S.MISMATCHED: 1,
        S.DELETED: 1,
        S.MATCHED: 2,
        S.STAGED: 10,
        S.SUBMITTED: 20,
        S.SENT_TO_CUSTOMS: 30,
        S.SEND_FAILED: 30,
        S.CUSTOMS_ACCEPTED: 40,
        S.MANUAL_REVIEW: 50,
        S.SUSPENDED: 55,
        S.EXAMINATION_CONCLUDED: 60,
        S.INSPECTION: 70,
        S.DETAINED_CLEARANCE: 80,
        S.DETAINED_ANTI_SMUGGLING: 80,
        S.DETAINED_LEGAL: 80,
        S.TRANSFERRED: 80,
        S.DETAINED_OTHER: 80,
        S.REJECTED: 85,
        S.REFUSED: 85,
        S.FORMAT_REJECTED: 85,
        S.RETURNED: 87,
        S.RELEASED: 90,
        S.CANCELLED: 95,
        S.CLOSED: 100,
        S.CLEARED: 100,
        S.SUMMARY_RESULT: 110,
        S.EXPECTED: 0,
        S.TAX_GENERATED: 10,
        S.TAX_SUMMARISED: 20,
        S.TAX_VOIDED: 30,
    }
)

#: Statuses that make an inventory count in the statistics (released or closed by customs).
COUNTING_STATUSES = frozenset({S.RELEASED, S.CLOSED, S.CLEARED})

#: Statuses a customs document never leaves by itself.
FINAL_STATUSES = frozenset(
    {S.REJECTED, S.REFUSED, S.FORMAT_REJECTED, S.RETURNED, S.CANCELLED, S.CLOSED, S.CLEARED, S.SUMMARY_RESULT}
)

__all__ = ["COUNTING_STATUSES", "FINAL_STATUSES", "STATUS_RANK", "DocumentStatus"]
