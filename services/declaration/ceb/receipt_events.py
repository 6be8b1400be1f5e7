"""Typed events from every customs-sent message (receipts, tax bills, CEB792, CEB900).

The customs exchange will feed raw bytes to :func:`parse_receipt`; each
receipt record becomes one :class:`ReceiptEvent` carrying the document keys
(the catalogue key fields plus ``copNo``/``preNo``/``invtNo`` where the
receipt has them), ``returnStatus`` with its documented meaning, the return
time as an aware Asia/Shanghai datetime, and ``returnInfo``.

Tax bills (CEB816/818) map their ``status`` (1 已生成 / 2 已汇总 / 3 作废) into
``return_status``; CEB792 maps ``decState`` and its ``opDate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import Role
from services.declaration.ceb.customs_time import parse_customs_time
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.json_codec import json_value
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.ceb.xml_security import XmlLimits
from services.declaration.ceb.xsd_fields import TimeFormat

# CEB622 annotation (the superset), CEB214's 505/600, and the tax-bill statuses.
RETURN_STATUS_TEXT: dict[str, str] = {
    "1": "电子口岸已暂存",
    "2": "电子口岸申报中",
    "3": "发送海关成功",
    "4": "发送海关失败",
    "100": "海关退单",
    "120": "海关入库",
    "300": "人工审核",
    "399": "海关审结",
    "500": "查验",
    "501": "扣留移送通关",
    "502": "扣留移送缉私",
    "503": "扣留移送法规",
    "505": "移交",
    "599": "其它扣留",
    "600": "挂起",
    "700": "退运",
    "800": "放行",
    "899": "结关",
}
TAX_STATUS_TEXT = {"1": "已生成", "2": "已汇总", "3": "作废"}
_KEY_EXTRAS = ("copNo", "preNo", "invtNo", "taxNo", "sumNo", "entryId", "orderNo", "logisticsNo")


@dataclass(frozen=True)
class ReceiptEvent:
    """One customs answer about one document."""

    message_type: str
    answers: str | None
    guid: str
    return_status: str
    return_time: datetime | None
    return_info: str
    keys: dict[str, str] = field(default_factory=dict)
    invt_no: str | None = None
    pre_no: str | None = None
    fields: dict[str, str | int] = field(default_factory=dict)

    @property
    def status_code(self) -> int | None:
        """``return_status`` as an int when numeric."""
        try:
            return int(self.return_status)
        except ValueError:
            return None

    @property
    def is_error(self) -> bool:
        """Negative statuses are processing errors (“小于0表示处理异常回执”)."""
        code = self.status_code
        return code is not None and code < 0

    @property
    def status_text(self) -> str | None:
        """Documented meaning of the status, when the spec gives one."""
        if self.message_type in {"CEB816", "CEB818"}:
            return TAX_STATUS_TEXT.get(self.return_status)
        return RETURN_STATUS_TEXT.get(self.return_status)


@dataclass(frozen=True)
class ReceiptParse:
    """Events from one message, or the issues that stopped parsing it."""

    events: tuple[ReceiptEvent, ...] = ()
    issues: tuple[Issue, ...] = ()


def parse_receipt(data: bytes, limits: XmlLimits | None = None) -> ReceiptParse:
    """Parse customs-sent bytes into events; declarations are refused."""
    decoded = decode_xml(data, limits)
    if decoded.message is None:
        return ReceiptParse(issues=decoded.issues)
    message = decoded.message
    if message.spec.role is Role.DECLARATION:
        issue = Issue(
            codes.XML_UNKNOWN_MESSAGE, f"{message.message_type} is a declaration, not a customs receipt"
        )
        return ReceiptParse(issues=(issue,))
    return ReceiptParse(events=tuple(events_from_message(message)))


def events_from_message(message: CebMessage) -> list[ReceiptEvent]:
    """One event per record of an already-decoded customs message."""
    spec = message.spec
    events = []
    for record in message.records:
        head = {name: json_value(value) for name, value in record.head.items()}
        status = str(head.get("returnStatus", head.get("status", head.get("decState", ""))))
        time_text = str(head.get("returnTime", head.get("opDate", "")))
        keys = {
            name: str(head[name])
            for name in (*spec.key_fields, *_KEY_EXTRAS)
            if head.get(name) not in (None, "")
        }
        events.append(
            ReceiptEvent(
                message_type=spec.code,
                answers=spec.answers,
                guid=str(head.get("guid", "")),
                return_status=status,
                return_time=_time(time_text),
                return_info=str(head.get("returnInfo", head.get("note", ""))),
                keys=keys,
                invt_no=str(head["invtNo"]) if head.get("invtNo") else None,
                pre_no=str(head["preNo"]) if head.get("preNo") else None,
                fields=head,
            )
        )
    return events


def _time(text: str) -> datetime | None:
    for fmt in (TimeFormat.DATETIME_MS, TimeFormat.DATETIME, TimeFormat.DATE):
        if len(text) == len(fmt.value):
            return parse_customs_time(text, fmt)
    return None
