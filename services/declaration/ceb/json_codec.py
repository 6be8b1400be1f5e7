"""CEB model ⇄ JSON-able dicts.

Field names are the specification's camelCase element names, unchanged
(``acturalPaid``, ``POD`` …).  Decimals travel as strings so no JSON parser
can turn them into binary floats; ints are JSON numbers; everything else is a
string.  The JSON form of a message::

    {"messageType": "CEB311", "guid": "…", "version": "1.0",
     "records": [{"head": {…}, "lines": [{…}, …]}],
     "baseTransfer": {…}, "baseSubscribe": [{…}],
     "extendMessage": {"name": "…", "version": "…", "message": "<x/>"},
     "signature": "<ds:Signature …>…</ds:Signature>"}

``lines`` appears only for message types that have list lines; absent
optional blocks are omitted.  Decoding checks names and value types against
the XSD-derived catalogue and reports problems as issues with JSON pointers;
it does not run the XSD (use :func:`xml_codec.validate_model` for that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import MessageSpec, spec_for
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import CebMessage, ExtendMessage, Fields, FieldValue, Record
from services.declaration.ceb.xml_security import secure_parse
from services.declaration.ceb.xsd_fields import FieldSpec, ValueKind

# xs:decimal lexical space: no exponent, no NaN/Infinity.
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_TOP_KEYS = {
    "messageType",
    "guid",
    "version",
    "records",
    "baseTransfer",
    "baseSubscribe",
    "extendMessage",
    "signature",
}


@dataclass(frozen=True)
class JsonDecodeResult:
    """Outcome of :func:`message_from_json`."""

    message: CebMessage | None
    issues: tuple[Issue, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when a message was built without issues."""
        return self.message is not None and not self.issues


def message_to_json(message: CebMessage) -> dict[str, Any]:
    """The JSON-able form of a message (decimals as strings)."""
    spec = message.spec
    data: dict[str, Any] = {
        "messageType": message.message_type,
        "guid": message.guid,
        "version": message.version,
        "records": [_record_to_json(record, spec) for record in message.records],
    }
    if message.base_transfer is not None:
        data["baseTransfer"] = _fields_to_json(message.base_transfer)
    if message.base_subscribe:
        data["baseSubscribe"] = [_fields_to_json(block) for block in message.base_subscribe]
    if message.extend_message is not None:
        extend: dict[str, Any] = {
            "name": message.extend_message.name,
            "version": message.extend_message.version,
        }
        if message.extend_message.message is not None:
            extend["message"] = message.extend_message.message
        data["extendMessage"] = extend
    if message.signature is not None:
        data["signature"] = message.signature
    return data


def json_value(value: FieldValue) -> str | int:
    """JSON form of one typed value."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def message_from_json(data: Any) -> JsonDecodeResult:
    """Build a typed message from its JSON form, reporting every problem found."""
    issues: list[Issue] = []
    if not isinstance(data, dict):
        return JsonDecodeResult(
            None, (Issue(codes.JSON_BAD_STRUCTURE, "a message must be a JSON object", ""),)
        )
    spec = spec_for(str(data.get("messageType", "")))
    if spec is None:
        return JsonDecodeResult(
            None,
            (
                Issue(
                    codes.XML_UNKNOWN_MESSAGE,
                    f"unknown messageType {data.get('messageType')!r}",
                    "/messageType",
                ),
            ),
        )
    for key in sorted(set(data) - _TOP_KEYS):
        issues.append(Issue(codes.JSON_UNKNOWN_FIELD, f"unknown member {key!r}", f"/{key}"))
    guid = _string(data.get("guid"), "/guid", issues)
    version = _string(data.get("version"), "/version", issues)
    records_data = data.get("records")
    records: list[Record] = []
    if not isinstance(records_data, list):
        issues.append(Issue(codes.JSON_BAD_STRUCTURE, "records must be an array", "/records"))
    else:
        for index, record_data in enumerate(records_data):
            records.append(_record_from_json(record_data, spec, f"/records/{index}", issues))
    message = CebMessage(message_type=spec.code, guid=guid, version=version, records=records)
    if "baseTransfer" in data:
        message.base_transfer = _fields_from_json(
            data["baseTransfer"], spec.block_fields("BaseTransfer"), "/baseTransfer", issues
        )
    subscribe = data.get("baseSubscribe", [])
    if not isinstance(subscribe, list):
        issues.append(Issue(codes.JSON_BAD_STRUCTURE, "baseSubscribe must be an array", "/baseSubscribe"))
    else:
        message.base_subscribe = [
            _fields_from_json(block, spec.block_fields("BaseSubscribe"), f"/baseSubscribe/{i}", issues)
            for i, block in enumerate(subscribe)
        ]
    if "extendMessage" in data:
        message.extend_message = _extend_from_json(data["extendMessage"], issues)
    if "signature" in data:
        message.signature = _fragment(data["signature"], "/signature", issues)
    if issues:
        return JsonDecodeResult(None, tuple(issues))
    return JsonDecodeResult(message)


def missing_members(message: CebMessage) -> list[Issue]:
    """Required members a JSON message leaves out, each named by its JSON pointer.

    The XSD would refuse these too, but libxml2 describes an absent element by the
    element it found in its place ("Element 'ceb:appType': This element is not
    expected"), in terms of XML a JSON filer never wrote. Checked before the XSD, a
    missing ``head.guid`` is reported as ``/records/0/head/guid`` "is required".
    """
    spec = message.spec
    issues: list[Issue] = []
    if not message.records:
        issues.append(
            Issue(codes.JSON_MISSING_MEMBER, "records: at least one record is required", "/records")
        )
    lines_spec = spec.shape.shape.lines
    for index, record in enumerate(message.records):
        pointer = f"/records/{index}"
        issues.extend(_missing(record.head, spec.head_fields, f"{pointer}/head"))
        if lines_spec is not None and lines_spec.min_occurs and not record.lines:
            issues.append(
                Issue(codes.JSON_MISSING_MEMBER, "lines: at least one line is required", f"{pointer}/lines")
            )
        for number, line in enumerate(record.lines):
            issues.extend(_missing(line, spec.line_fields, f"{pointer}/lines/{number}"))
    blocks = {"BaseTransfer": ("baseTransfer", message.base_transfer)}
    for child in spec.trailer:
        if child.name not in blocks or not child.min_occurs:
            continue
        key, value = blocks[child.name]
        fields = spec.block_fields(child.name)
        if value is None:
            names = ", ".join(f.name for f in fields if f.required)
            issues.append(
                Issue(
                    codes.JSON_MISSING_MEMBER,
                    f"{key} is required in every declaration (the sender's transfer block: {names})",
                    f"/{key}",
                )
            )
        else:
            issues.extend(_missing(value, fields, f"/{key}"))
    return issues


def _missing(values: Fields, specs: tuple[FieldSpec, ...], pointer: str) -> list[Issue]:
    return [
        Issue(
            codes.JSON_MISSING_MEMBER,
            f"{spec.name} is required" + (f" ({_short(spec.doc)})" if spec.doc else ""),
            f"{pointer}/{spec.name}",
        )
        for spec in specs
        if spec.required and spec.name not in values
    ]


def _short(doc: str) -> str:
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    return first[:80]


def _record_to_json(record: Record, spec: MessageSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"head": _fields_to_json(record.head)}
    if spec.list_element is not None:
        data["lines"] = [_fields_to_json(line) for line in record.lines]
    return data


def _fields_to_json(values: Fields) -> dict[str, str | int]:
    return {name: json_value(value) for name, value in values.items()}


def _record_from_json(data: Any, spec: MessageSpec, pointer: str, issues: list[Issue]) -> Record:
    if not isinstance(data, dict):
        issues.append(Issue(codes.JSON_BAD_STRUCTURE, "a record must be an object", pointer))
        return Record(head={})
    allowed = {"head", "lines"} if spec.list_element is not None else {"head"}
    for key in sorted(set(data) - allowed):
        issues.append(Issue(codes.JSON_UNKNOWN_FIELD, f"unknown member {key!r}", f"{pointer}/{key}"))
    head = _fields_from_json(data.get("head"), spec.head_fields, f"{pointer}/head", issues)
    lines: list[Fields] = []
    if spec.list_element is not None:
        raw_lines = data.get("lines", [])
        if not isinstance(raw_lines, list):
            issues.append(Issue(codes.JSON_BAD_STRUCTURE, "lines must be an array", f"{pointer}/lines"))
        else:
            lines = [
                _fields_from_json(line, spec.line_fields, f"{pointer}/lines/{i}", issues)
                for i, line in enumerate(raw_lines)
            ]
    return Record(head=head, lines=lines)


def _fields_from_json(data: Any, specs: tuple[FieldSpec, ...], pointer: str, issues: list[Issue]) -> Fields:
    if not isinstance(data, dict):
        issues.append(Issue(codes.JSON_BAD_STRUCTURE, "expected an object of fields", pointer))
        return {}
    by_name = {spec.name: spec for spec in specs}
    values: Fields = {}
    for name, raw in data.items():
        spec = by_name.get(name)
        if spec is None:
            issues.append(
                Issue(codes.JSON_UNKNOWN_FIELD, f"{name!r} is not a field here", f"{pointer}/{name}")
            )
            continue
        value = _typed(raw, spec, f"{pointer}/{name}", issues)
        if value is not None:
            values[name] = value
    # Keep XSD order so JSON → model → JSON is stable whatever order the client used.
    return {spec.name: values[spec.name] for spec in specs if spec.name in values}


def _typed(raw: Any, spec: FieldSpec, pointer: str, issues: list[Issue]) -> FieldValue | None:
    if spec.kind is ValueKind.DECIMAL:
        if isinstance(raw, str) and _DECIMAL.fullmatch(raw):
            return Decimal(raw)
        hint = " (send decimals as strings, never as JSON numbers)" if isinstance(raw, float | int) else ""
        issues.append(Issue(codes.JSON_BAD_VALUE, f"{spec.name} must be a decimal string{hint}", pointer))
        return None
    if spec.kind is ValueKind.INT:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        issues.append(Issue(codes.JSON_BAD_VALUE, f"{spec.name} must be an integer", pointer))
        return None
    if isinstance(raw, str):
        return raw
    issues.append(Issue(codes.JSON_BAD_VALUE, f"{spec.name} must be a string", pointer))
    return None


def _string(raw: Any, pointer: str, issues: list[Issue]) -> str:
    if isinstance(raw, str):
        return raw
    issues.append(Issue(codes.JSON_BAD_VALUE, "must be a string", pointer))
    return ""


def _extend_from_json(data: Any, issues: list[Issue]) -> ExtendMessage | None:
    if not isinstance(data, dict):
        issues.append(Issue(codes.JSON_BAD_STRUCTURE, "extendMessage must be an object", "/extendMessage"))
        return None
    for key in sorted(set(data) - {"name", "version", "message"}):
        issues.append(Issue(codes.JSON_UNKNOWN_FIELD, f"unknown member {key!r}", f"/extendMessage/{key}"))
    message = None
    if "message" in data:
        message = _fragment(data["message"], "/extendMessage/message", issues)
    return ExtendMessage(
        name=_string(data.get("name"), "/extendMessage/name", issues),
        version=_string(data.get("version"), "/extendMessage/version", issues),
        message=message,
    )


def _fragment(raw: Any, pointer: str, issues: list[Issue]) -> str | None:
    # Embedded XML comes from the client too: it gets the same hardened parse.
    if not isinstance(raw, str):
        issues.append(Issue(codes.JSON_BAD_VALUE, "must be an XML string", pointer))
        return None
    parsed = secure_parse(raw.encode("utf-8"))
    if parsed.root is None:
        issue = parsed.issues[0]
        issues.append(Issue(issue.code, f"embedded XML rejected: {issue.message}", pointer))
        return None
    return raw
