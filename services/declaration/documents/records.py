"""A record as stored (JSON, personal fields apart) and back to the typed model.

The stored body uses the JSON codec's value forms (decimals as strings, ints as
numbers), so it reads back exactly: Decimal("10.00") stays "10.00", never a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.declaration.ceb.catalogue import MessageSpec
from services.declaration.ceb.json_codec import json_value
from services.declaration.ceb.model import Fields, FieldValue, Record
from services.declaration.ceb.xsd_fields import FieldSpec, ValueKind
from services.declaration.personal_data.fields import split_personal


def stored_form(record: Record) -> tuple[dict[str, Any], dict[str, str]]:
    """(body without personal fields, personal fields) of a record."""
    head, personal = split_personal({name: json_value(value) for name, value in record.head.items()})
    body: dict[str, Any] = {
        "head": head,
        "lines": [{k: json_value(v) for k, v in line.items()} for line in record.lines],
    }
    return body, personal


def typed_record(spec: MessageSpec, body: dict[str, Any], personal: dict[str, str] | None = None) -> Record:
    """The typed record from a stored body (and its personal fields, when opened)."""
    head = _typed(spec.head_field_map, {**body.get("head", {}), **(personal or {})})
    lines = [_typed(spec.line_field_map, line) for line in body.get("lines", [])]
    return Record(head=head, lines=lines)


def record_json(spec: MessageSpec, body: dict[str, Any], personal: dict[str, str]) -> dict[str, Any]:
    """The JSON-codec form of a record (head in XSD order; ``lines`` only where the type has lines)."""
    head = {**body.get("head", {}), **personal}
    data: dict[str, Any] = {"head": {f.name: head[f.name] for f in spec.head_fields if f.name in head}}
    if spec.list_element is not None:
        names = [f.name for f in spec.line_fields]
        # Stored JSON has sorted keys; answer in XSD order like the XML does.
        data["lines"] = [
            {name: line[name] for name in names if name in line} for line in body.get("lines", [])
        ]
    return data


def _typed(specs: dict[str, FieldSpec], values: dict[str, Any]) -> Fields:
    typed: Fields = {}
    for name, raw in values.items():
        spec = specs.get(name)
        typed[name] = _value(raw, spec) if spec else str(raw)
    # Keep XSD order so regenerated JSON/XML is stable.
    ordered = {name: typed[name] for name in specs if name in typed}
    return ordered


def _value(raw: Any, spec: FieldSpec) -> FieldValue:
    if spec.kind is ValueKind.DECIMAL:
        return Decimal(str(raw))
    if spec.kind is ValueKind.INT:
        return int(raw)
    return str(raw)
