"""Pure rules of the milestone filings: which choice applies, what record a milestone makes.

A milestone becomes **one record** (one ``Arrival`` / ``Departure`` / ``LogisticsStatus``
naming its waybill); a message carries at most :data:`MAX_RECORDS` (100, as customs allows)
records of one type, so a ferry's loading of a thousand parcels is ten CEB509 messages,
not a thousand. The record's ``copNo`` derives from the milestone id, so the same
milestone delivered again names the same document (and customs' duplicate check holds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.declaration.ceb.customs_time import CUSTOMS_TZ

MAX_RECORDS = 100
MESSAGE_TYPES = ("CEB507", "CEB509", "CEB513")
CHOICES = ("off", "review", "auto")


def choice_for(settings: Mapping[str, str] | None, message_type: str) -> str:
    """The firm's choice for ``message_type``; a type it never named, or no choice at all, is ``off``."""
    choice = (settings or {}).get(message_type, "off")
    return choice if choice in CHOICES else "off"


def cop_no_for(milestone_id: str) -> str:
    """A stable enterprise number (≤ 30 characters) for the record a milestone makes."""
    return "TRK" + hashlib.sha256(milestone_id.encode()).hexdigest()[:27].upper()


def customs_time(moment: dt.datetime) -> str:
    """``YYYYMMDDhhmmss`` in China Standard Time, as CEB time fields are written."""
    return moment.astimezone(CUSTOMS_TZ).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Known:
    """A milestone's facts: the event's, completed from the waybill and the inventory."""

    message_type: str
    logistics_code: str
    logistics_no: str
    occurred_at: dt.datetime
    logistics_name: str | None = None
    customs_code: str | None = None
    operator_code: str | None = None
    operator_name: str | None = None
    loct_no: str | None = None
    traf_mode: str | None = None
    traf_name: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    domestic_traf_no: str | None = None
    total_package_no: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A record ready for a message (``head``, ``lines``), and the required fields nobody told."""

    head: dict[str, Any]
    lines: list[dict[str, Any]]
    missing: tuple[str, ...]


#: Required head fields per message type, and where each comes from.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "CEB507": ("customsCode", "operatorCode", "operatorName", "trafMode", "domesticTrafNo", "logisticsName"),
    "CEB509": ("customsCode", "trafMode", "logisticsName"),
    "CEB513": ("logisticsName",),
}


def prepare(known: Known, cop_no: str, guid: str, now: dt.datetime) -> Prepared:
    """The record ``known`` makes, with ``missing`` naming the required fields still empty.

    The site's operator defaults to the firm itself (a carrier running its own site); the
    arrival's and departure's ``billNo`` are optional and left out when unknown.
    """
    base: dict[str, Any] = {"guid": guid, "appType": "1", "appTime": customs_time(now), "appStatus": "2"}
    line = {"gnum": 1, "logisticsNo": known.logistics_no}
    if known.total_package_no:
        line["totalPackageNo"] = known.total_package_no
    if known.message_type == "CEB507":
        head = {
            **base,
            "customsCode": known.customs_code,
            "copNo": cop_no,
            "operatorCode": known.operator_code or known.logistics_code,
            "operatorName": known.operator_name
            or (known.logistics_name if not known.operator_code else None),
            "loctNo": known.loct_no,
            "ieFlag": "E",
            "trafMode": known.traf_mode,
            "billNo": known.bill_no,
            "domesticTrafNo": known.domestic_traf_no,
            "logisticsCode": known.logistics_code,
            "logisticsName": known.logistics_name,
            "msgCount": 1,
            "msgSeqNo": 1,
        }
        lines = [line]
    elif known.message_type == "CEB509":
        head = {
            **base,
            "customsCode": known.customs_code,
            "copNo": cop_no,
            "logisticsCode": known.logistics_code,
            "logisticsName": known.logistics_name,
            "trafMode": known.traf_mode,
            "trafName": known.traf_name,
            "voyageNo": known.voyage_no,
            "billNo": known.bill_no,
            "leaveTime": customs_time(known.occurred_at),
            "msgCount": 1,
            "msgSeqNo": 1,
        }
        lines = [line]
    elif known.message_type == "CEB513":
        head = {
            **base,
            "logisticsCode": known.logistics_code,
            "logisticsName": known.logistics_name,
            "logisticsNo": known.logistics_no,
            "logisticsStatus": "S",  # 签收: signed for by the consignee
            "logisticsTime": customs_time(known.occurred_at),
        }
        lines = []
    else:
        raise ValueError(f"{known.message_type} is not a milestone message")
    missing = tuple(name for name in _REQUIRED[known.message_type] if not head.get(name))
    return Prepared({k: v for k, v in head.items() if v not in (None, "")}, lines, missing)


def message_form(
    message_type: str, records: Sequence[Mapping[str, Any]], cop_code: str, cop_name: str, dxp_id: str
) -> dict[str, Any]:
    """The JSON message form (what a JSON filer sends) carrying ``records`` of one type."""
    if not 1 <= len(records) <= MAX_RECORDS:
        raise ValueError(f"a message carries 1 to {MAX_RECORDS} records, not {len(records)}")
    return {
        "messageType": message_type,
        "records": [
            {"head": dict(record["head"]), **({"lines": list(record["lines"])} if record["lines"] else {})}
            for record in records
        ],
        "baseTransfer": {"copCode": cop_code, "copName": cop_name, "dxpMode": "DXP", "dxpId": dxp_id},
    }


def batches(items: Sequence[Any], size: int = MAX_RECORDS) -> list[Sequence[Any]]:
    """``items`` in consecutive messages of at most ``size`` records."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def record_key(message_type: str, head: Mapping[str, Any]) -> str:
    """How a record of a released message finds its milestone: its copNo, or its waybill for CEB513."""
    if message_type == "CEB513":
        return f"{head.get('logisticsCode', '')}|{head.get('logisticsNo', '')}"
    return str(head.get("copNo", ""))


def waybills_of(head: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> list[str]:
    """The waybill numbers a record names (its list for CEB507/509, its head for CEB513)."""
    if lines:
        return [str(line.get("logisticsNo", "")) for line in lines]
    return [str(head.get("logisticsNo", ""))]
