"""Duplicate documents: the customs uniqueness rules (the documents holding a key are read
with the filing's other lookups, in one query: ``DocumentRepository.keys_and_partners`` /
``holding_keys``).

Keys are the catalogue's ``key_fields`` of each message type (:func:`ceb.keys.document_key`):
orderNo per platform (CEB311/303), payTransactionId per payment firm (CEB411),
logisticsNo per carrier (CEB511/505/513), copNo per declaring agent (inventories,
cancellations, warehouse entries …), coElNo for export returns. Split messages
(msgSeqNo) are keyed per part. A carrier may reuse a logisticsNo after the reuse
window (6 months, "同一物流企业的运单编号在6个月内不重复"): an older document with the same
number is retired rather than reported.

Codes are customs' own where the interface spec has one (:data:`ceb.keys.DUPLICATE_CODES`:
-301010 order, -401007 payment, -504012 waybill, -621004 inventory …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.declaration.ceb.issues import Issue
from services.declaration.ceb.keys import DUPLICATE_CODES, document_key
from services.declaration.ceb.model import Record, head_pointer

#: Duplicates customs publishes no code for (our DDT-2xx cross-document family).
DUPLICATE_FALLBACK = "DDT-203"
_EXTRA_CODES = {"CEB403": "-401007"}
_TEXT = {
    "-301010": "已存在相同编号的订单 (an order with this number exists on this platform)",
    "-401007": "已存在相同编号的支付单 (a payment with this number exists)",
    "-504012": "物流运单已存在 (the carrier already used this waybill number)",
    "-621004": "清单已经申报过 (this inventory was already declared)",
}


def duplicate_code(message_type: str) -> str:
    """The code a duplicate of ``message_type`` is rejected with."""
    return DUPLICATE_CODES.get(message_type) or _EXTRA_CODES.get(message_type) or DUPLICATE_FALLBACK


def dedup_key(message_type: str, record: Record) -> str:
    """The uniqueness key of a record: ``CEB311:orderNo+ebpCode`` (plus ``#n`` for split parts)."""
    key = str(document_key(message_type, record))
    seq = record.head.get("msgSeqNo")
    return f"{key}#{seq}" if isinstance(seq, int) and "msgCount" in record.head else key


def duplicate_issue(
    message_type: str, index: int, record: Record, business_field: str, within: bool
) -> Issue:
    """The issue reporting a duplicate, pointing at the business number."""
    code = duplicate_code(message_type)
    where = "earlier in this message" if within else "already filed"
    text = _TEXT.get(code, f"a {message_type} document with this key exists")
    return Issue(
        code,
        f"{text}: {business_field} {record.head.get(business_field, '')} ({where})",
        head_pointer(index, business_field),
    )


@dataclass(frozen=True, slots=True)
class Existing:
    """A stored document holding a key."""

    id: str
    dedup_key: str
    party_id: str
    status: str
    message_type: str
    accepted_at: dt.datetime


def existing_in(rows: Iterable[Any], keys: Iterable[str]) -> dict[str, Existing]:
    """The documents among ``rows`` (any query's rows with these columns) that hold one of ``keys``."""
    wanted = set(keys)
    return {
        row.dedup_key: Existing(
            row.id, row.dedup_key, row.party_id, row.status, row.message_type, row.accepted_at
        )
        for row in rows
        if row.dedup_key is not None and row.dedup_key in wanted
    }


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` minus calendar months, the day clamped to the target month's length."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def reusable(existing: Existing, now: dt.datetime, reuse_months: int) -> bool:
    """True when a carrier may reuse the number: the older document is past the window."""
    return existing.accepted_at < months_before(now, reuse_months)
