"""Customs-style answers to declarations, as JSON-able data and as receipt XML.

For each record of a declaration the answer is either *accepted* or the list
of errors (code, message, JSON pointer).  Rendered as XML it becomes the
receipt message customs would send for that document type (CEB312 for
CEB311, CEB622 for CEB621 …), one receipt record per declaration record:

* accepted → ``returnStatus`` 2 (电子口岸申报中) and ``returnInfo``
  "新增申报成功[guid]" (变更/删除 for appType 2/3), as in the official CEB312 sample;
* rejected → ``returnStatus`` is the first error's negative customs code when
  it has one (``-621005``), else the document's validation family
  (``-301008`` 参数校验不通过 …, see the catalogue); ``returnInfo`` lists every
  error as ``code pointer message``, truncated to the XSD length.

Messages that fail the XSD (or never parse) get a CEB900 format receipt
instead: ``returnStatus`` -2 for a schema failure (exchange code 0002), -1 for
any other format failure (0001), ``oriMessageType`` the recognised root or
``Unknown``, ``oriBizMessage`` the original text in CDATA (bounded).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import CEB_NS, Role, spec_for
from services.declaration.ceb.customs_time import format_customs_time
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import CebMessage, Fields, Record
from services.declaration.ceb.xml_codec import encode_xml, validate_model
from services.declaration.ceb.xsd_fields import TimeFormat

ACCEPTED_STATUS = "2"
_APP_TYPE_TEXT = {"1": "新增申报成功", "2": "变更申报成功", "3": "删除申报成功"}
_RECORD_POINTER = re.compile(r"^/records/(\d+)(/|$)")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def new_guid() -> str:
    """A 36-character upper-case guid, as the XSD asks."""
    return str(uuid.uuid4()).upper()


@dataclass(frozen=True)
class RecordVerdict:
    """The answer for one declaration record."""

    index: int
    accepted: bool
    keys: dict[str, str]
    errors: tuple[Issue, ...] = ()
    review: tuple[Issue, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "index": self.index,
            "accepted": self.accepted,
            "keys": self.keys,
            "errors": [issue.to_dict() for issue in self.errors],
            "review": [issue.to_dict() for issue in self.review],
        }


@dataclass(frozen=True)
class Answer:
    """Verdicts for every record of one declaration message."""

    message_type: str
    receipt_type: str
    guid: str
    verdicts: tuple[RecordVerdict, ...]

    @property
    def all_accepted(self) -> bool:
        """True when no record was rejected."""
        return all(verdict.accepted for verdict in self.verdicts)

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "messageType": self.message_type,
            "receiptType": self.receipt_type,
            "guid": self.guid,
            "accepted": self.all_accepted,
            "records": [verdict.to_dict() for verdict in self.verdicts],
        }


def build_answer(message: CebMessage, issues: Sequence[Issue]) -> Answer:
    """Group issues by record; message-level issues (no record pointer) reject every record."""
    spec = message.spec
    if spec.role is not Role.DECLARATION or spec.answered_by is None:
        raise ValueError(f"{message.message_type} is not a declaration; nothing answers it")
    per_record: dict[int, list[Issue]] = {i: [] for i in range(len(message.records))}
    shared: list[Issue] = []
    for issue in issues:
        found = _RECORD_POINTER.match(issue.pointer or "")
        if found and int(found.group(1)) in per_record:
            per_record[int(found.group(1))].append(issue)
        else:
            shared.append(issue)
    verdicts = []
    for index, record in enumerate(message.records):
        mine = shared + per_record[index]
        errors = tuple(issue for issue in mine if issue.is_error)
        review = tuple(issue for issue in mine if not issue.is_error)
        keys = {name: str(record.head.get(name, "")) for name in spec.key_fields}
        verdicts.append(RecordVerdict(index, not errors, keys, errors, review))
    return Answer(message.message_type, spec.answered_by, message.guid, tuple(verdicts))


def rejection_status(answer_type: str, errors: Sequence[Issue]) -> str:
    """Negative returnStatus for a rejected record of ``answer_type`` (declaration code)."""
    for issue in errors:
        if issue.code.startswith("-"):
            return issue.code
    spec = spec_for(answer_type)
    return (spec.rejection_status if spec else None) or "-1"


@dataclass(frozen=True)
class RenderedReceipt:
    """Receipt XML plus any XSD problems (e.g. customs-only fields the caller did not supply)."""

    message: CebMessage
    xml: bytes
    schema_issues: tuple[Issue, ...] = field(default=())


def render_receipt(
    answer: Answer,
    declaration: CebMessage,
    now: datetime,
    assigned: Mapping[int, Mapping[str, str]] | None = None,
    guid_factory: Callable[[], str] = new_guid,
    *,
    info_prefix: str = "",
) -> RenderedReceipt:
    """Render an answer as the receipt message of the declaration's type.

    ``info_prefix`` starts every record's ``returnInfo`` (a dry run says it was not filed).

    Receipt fields are copied by name from the declaration head (keys such as
    ``orderNo``/``ebpCode`` or ``copNo``/``agentCode``).  Fields only customs
    or the e-port can know (``preNo``, ``invtNo`` …) come from ``assigned``,
    per record index; if a required one is still missing the XML is produced
    anyway and ``schema_issues`` says what is wrong.
    """
    spec = spec_for(answer.receipt_type)
    if spec is None:
        raise KeyError(answer.receipt_type)
    records: list[Record] = []
    for verdict in answer.verdicts:
        source = declaration.records[verdict.index].head
        extra = (assigned or {}).get(verdict.index, {})
        head: Fields = {}
        for field_spec in spec.head_fields:
            name = field_spec.name
            if name == "guid":
                head[name] = str(source.get("guid", guid_factory()))
            elif name == "returnStatus":
                head[name] = (
                    ACCEPTED_STATUS
                    if verdict.accepted
                    else rejection_status(answer.message_type, verdict.errors)
                )
            elif name == "returnTime":
                head[name] = format_customs_time(now, TimeFormat.DATETIME_MS)
            elif name == "returnInfo":
                head[name] = _clip(
                    info_prefix + _return_info(verdict, source, field_spec.max_length or 1000),
                    field_spec.max_length or 1000,
                )
            elif name in extra:
                head[name] = extra[name]
            elif name in source:
                head[name] = source[name]
            elif field_spec.required:
                head[name] = ""
        records.append(Record(head=head))
    receipt = CebMessage(message_type=spec.code, guid=guid_factory(), version="1.0", records=records)
    return RenderedReceipt(receipt, encode_xml(receipt), tuple(validate_model(receipt)))


def _return_info(verdict: RecordVerdict, source: Fields, limit: int) -> str:
    if verdict.accepted:
        text = _APP_TYPE_TEXT.get(str(source.get("appType", "1")), _APP_TYPE_TEXT["1"])
        return f"{text}[{source.get('guid', '')}]"
    parts = [
        f"{issue.code} {issue.pointer or ''} {issue.message}".replace("  ", " ") for issue in verdict.errors
    ]
    return _clip("; ".join(parts), limit)


def format_receipt_status(issues: Sequence[Issue]) -> str:
    """CEB900 returnStatus: -2 for schema failures (0002), -1 for every other format failure (0001)."""
    return "-2" if any(issue.code == codes.SCHEMA_INVALID for issue in issues) else "-1"


def render_format_receipt(
    original: bytes,
    issues: Sequence[Issue],
    now: datetime,
    ori_cop_msg_id: str,
    message_type: str | None = None,
    guid_factory: Callable[[], str] = new_guid,
    max_echo_chars: int = 65536,
) -> bytes:
    """A CEB900 ``MessageReturn`` for a message that failed format or schema checks.

    ``message_type`` is the recognised declaration (``"CEB311"``) if any —
    :attr:`DecodeResult.message_type` —; ``ori_cop_msg_id`` comes from the
    transport envelope.  The original is echoed as text (invalid characters
    dropped, at most ``max_echo_chars``) so a hostile payload cannot turn the
    receipt itself into a DOCTYPE or entity carrier.
    """
    spec = spec_for("CEB900")
    assert spec is not None
    limits = {f.name: f.max_length for f in spec.head_fields}
    root = etree.Element(f"{{{CEB_NS}}}CEB900Message", nsmap={"ceb": CEB_NS})
    root.set("guid", guid_factory())
    root.set("version", "1.0")
    body = etree.SubElement(root, f"{{{CEB_NS}}}MessageReturn")
    info = "; ".join(_describe(issue) for issue in issues) or "format check failed"
    values = {
        "guid": guid_factory(),
        "returnStatus": format_receipt_status(issues),
        "returnInfo": _clip(info, limits.get("returnInfo") or 5000),
        "returnTime": format_customs_time(now, TimeFormat.DATETIME_MS),
        "oriCopMsgId": _clip(ori_cop_msg_id, limits.get("oriCopMsgId") or 255),
        "oriMessageType": f"{message_type}Message" if message_type else "Unknown",
    }
    for name, value in values.items():
        etree.SubElement(body, f"{{{CEB_NS}}}{name}").text = value
    echo = _XML_ILLEGAL.sub("", original.decode("utf-8", errors="replace"))[:max_echo_chars]
    ori = etree.SubElement(body, f"{{{CEB_NS}}}oriBizMessage")
    ori.text = etree.CDATA(echo) if "]]>" not in echo else echo
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _describe(issue: Issue) -> str:
    where = ", ".join(
        part
        for part in (
            f"element {issue.element}" if issue.element else "",
            f"line {issue.line}" if issue.line else "",
            # JSON filings: the member, not a line of XML the filer never saw.
            f"member {issue.pointer}" if issue.pointer and not issue.line else "",
        )
        if part
    )
    return f"[{issue.code}] {issue.message}" + (f" ({where})" if where else "")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
