"""Rules that follow from field definitions and apply to every declaration type.

These are driven by field *names* and XSD facts, so they automatically cover
any message that carries the field: time formats on every ``*Time``/``*Date``
field the XSD annotates with a format, blank required strings (the 202205
export XSD dropped ``minLength`` on many fields — customs-domain.md §2.6 —
so an empty element is schema-valid yet meaningless), gnum sequences, the
second unit/quantity pairing, weights, line totals and code shapes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import MessageSpec
from services.declaration.ceb.customs_time import is_valid_customs_time
from services.declaration.ceb.issues import Issue, Severity
from services.declaration.ceb.model import CebMessage, Fields, Record, head_pointer, line_pointer
from services.declaration.ceb.money import decimal_sum, expected_line_total, line_total_matches
from services.declaration.ceb.xsd_fields import FieldSpec, ValueKind
from services.declaration.prechecks.rules.config import RuleConfig

_THREE_DIGITS = re.compile(r"\d{3}")
_CODE_FIELDS = ("unit", "unit1", "unit2", "currency", "country", "tradeCountry", "fCurrency", "iCurrency")
_DUPLICATE_GNUM_CODE = {
    "CEB311": codes.ORDER_DUPLICATE_GNUM,
    "CEB303": codes.ORDER_DUPLICATE_GNUM,
    "CEB621": codes.INVENTORY_DUPLICATE_GNUM,
    "CEB603": codes.INVENTORY_DUPLICATE_GNUM,
}
# Return lists reuse the original inventory's line numbers, so they need not start at 1.
_GNUM_NOT_SEQUENTIAL = frozenset({"CEB625", "CEB213"})


def check_envelope(message: CebMessage, config: RuleConfig) -> list[Issue]:
    """Message-level rules: root guid case and the signature that appStatus 2 demands."""
    issues: list[Issue] = []
    if config.uppercase_guid and message.guid != message.guid.upper():
        issues.append(
            Issue(codes.GUID_FORMAT, "the message guid must be upper-case (XSD: 英文字母大写)", "/guid")
        )
    if message.message_type in config.signature_when_declared and message.signature is None:
        for index, record in enumerate(message.records):
            if str(record.head.get("appStatus", "")) == "2":
                issues.append(
                    Issue(
                        codes.SIGNATURE_REQUIRED,
                        "appStatus 2 (申报) requires ds:Signature on the message",
                        head_pointer(index, "appStatus"),
                    )
                )
    return issues


def check_fields(spec: MessageSpec, index: int, record: Record, config: RuleConfig) -> list[Issue]:
    """Per-field rules for one record's head and lines."""
    issues = _fields_rules(spec.head_fields, record.head, lambda name: head_pointer(index, name), config)
    for line_index, line in enumerate(record.lines):
        issues += _fields_rules(spec.line_fields, line, partial(line_pointer, index, line_index), config)
    return issues


def _fields_rules(
    specs: tuple[FieldSpec, ...], values: Fields, at: Callable[[str], str], config: RuleConfig
) -> list[Issue]:
    issues: list[Issue] = []
    for spec in specs:
        value = values.get(spec.name)
        if spec.kind is not ValueKind.STRING or not isinstance(value, str):
            continue
        if spec.required and not value.strip():
            issues.append(
                Issue(codes.BLANK_REQUIRED, f"{spec.name} is required and must not be blank", at(spec.name))
            )
            continue
        if spec.time_format is not None and value and not is_valid_customs_time(value, spec.time_format):
            issues.append(
                Issue(
                    codes.TIME_FORMAT,
                    f"{spec.name} {value!r} is not a real {spec.time_format.value} time",
                    at(spec.name),
                )
            )
        if spec.name == "guid" and config.uppercase_guid and value != value.upper():
            issues.append(
                Issue(codes.GUID_FORMAT, "guid must be upper-case (XSD: 英文字母大写)", at(spec.name))
            )
        if spec.name in _CODE_FIELDS and value:
            issues += _code_shape(spec.name, value, at(spec.name), config)
    return issues


def _code_shape(name: str, value: str, pointer: str, config: RuleConfig) -> list[Issue]:
    table_name = "currency" if "urrency" in name else "unit" if name.startswith("unit") else "country"
    if not _THREE_DIGITS.fullmatch(value):
        return [
            Issue(codes.CODE_FORMAT, f"{name} {value!r} is not a 3-digit JGS-20 {table_name} code", pointer)
        ]
    table = config.code_tables.get(table_name)
    if table is not None and value not in table:
        return [Issue(codes.CODE_FORMAT, f"{name} {value!r} is not in the {table_name} code table", pointer)]
    return []


def check_app_fields(spec: MessageSpec, index: int, record: Record) -> list[Issue]:
    """appType 1/2/3 (cancel CEB623: 1 only) and appStatus 1/2."""
    issues: list[Issue] = []
    allowed_types = {"1"} if spec.code == "CEB623" else {"1", "2", "3"}
    app_type = record.head.get("appType")
    if app_type is not None and app_type not in allowed_types:
        issues.append(
            Issue(
                codes.APP_TYPE,
                f"appType must be one of {sorted(allowed_types)}",
                head_pointer(index, "appType"),
            )
        )
    app_status = record.head.get("appStatus")
    if app_status is not None and app_status not in {"1", "2"}:
        issues.append(
            Issue(codes.APP_TYPE, "appStatus must be 1 (暂存) or 2 (申报)", head_pointer(index, "appStatus"))
        )
    return issues


def check_gnum(spec: MessageSpec, index: int, record: Record) -> list[Issue]:
    """gnum unique within the record and consecutive from 1 (in document order)."""
    if not record.lines or "gnum" not in spec.line_field_map:
        return []
    numbers = [line.get("gnum") for line in record.lines]
    issues: list[Issue] = []
    counts = Counter(numbers)
    duplicate_code = _DUPLICATE_GNUM_CODE.get(spec.code, codes.DUPLICATE_GNUM)
    seen: set[object] = set()
    for line_index, number in enumerate(numbers):
        if counts[number] > 1 and number in seen:
            issues.append(
                Issue(
                    duplicate_code,
                    f"gnum {number} appears more than once",
                    line_pointer(index, line_index, "gnum"),
                )
            )
        seen.add(number)
    if spec.code not in _GNUM_NOT_SEQUENTIAL and not issues:
        for line_index, number in enumerate(numbers):
            if number != line_index + 1:
                issues.append(
                    Issue(
                        codes.GNUM_SEQUENCE,
                        f"gnum must run 1, 2, 3 … in order; line {line_index + 1} has {number}",
                        line_pointer(index, line_index, "gnum"),
                    )
                )
                break
    return issues


def check_lines(spec: MessageSpec, index: int, record: Record, config: RuleConfig) -> list[Issue]:
    """Quantities, price × qty, legal quantity and the second unit/quantity pairing."""
    issues: list[Issue] = []
    for line_index, line in enumerate(record.lines):
        at = lambda name, li=line_index: line_pointer(index, li, name)  # noqa: E731
        qty, price, total = line.get("qty"), line.get("price"), line.get("totalPrice")
        if isinstance(qty, Decimal) and qty <= 0:
            issues.append(Issue(codes.QUANTITY, "qty must be positive", at("qty")))
        if isinstance(price, Decimal) and price < 0:
            issues.append(Issue(codes.QUANTITY, "price must not be negative (gifts use 0)", at("price")))
        if isinstance(price, Decimal) and isinstance(qty, Decimal) and isinstance(total, Decimal):
            if not line_total_matches(price, qty, total, config.line_total_tolerance):
                issues.append(
                    Issue(
                        codes.LINE_TOTAL,
                        f"totalPrice {total} ≠ price {price} × qty {qty} = {expected_line_total(price, qty)}",
                        at("totalPrice"),
                    )
                )
        if "unit2" in spec.line_field_map:
            issues += _second_unit(line, at)
        if (
            config.legal_qty_matches_when_same_unit
            and line.get("unit")
            and line.get("unit") == line.get("unit1")
        ):
            if isinstance(qty, Decimal) and isinstance(line.get("qty1"), Decimal) and qty != line["qty1"]:
                issues.append(Issue(codes.LEGAL_QTY, "unit equals unit1, so qty1 must equal qty", at("qty1")))
    return issues


def _second_unit(line: Fields, at: Callable[[str], str]) -> list[Issue]:
    unit2 = str(line.get("unit2", "")).strip()
    qty2 = line.get("qty2")
    if unit2 and not (isinstance(qty2, Decimal) and qty2 > 0):
        return [Issue(codes.SECOND_UNIT_QTY, "unit2 is given, so qty2 must be a positive number", at("qty2"))]
    if not unit2 and qty2 is not None:
        return [Issue(codes.SECOND_UNIT_QTY, "unit2 is empty, so qty2 must be empty too", at("qty2"))]
    return []


def check_weights(index: int, record: Record) -> list[Issue]:
    """netWeight > 0, grossWeight > 0 and netWeight ≤ grossWeight (kilograms)."""
    issues: list[Issue] = []
    gross, net = record.head.get("grossWeight"), record.head.get("netWeight")
    for name, value in (("grossWeight", gross), ("netWeight", net), ("weight", record.head.get("weight"))):
        if isinstance(value, Decimal) and value <= 0:
            issues.append(Issue(codes.WEIGHTS, f"{name} must be positive", head_pointer(index, name)))
    if isinstance(gross, Decimal) and isinstance(net, Decimal) and net > gross:
        issues.append(
            Issue(
                codes.WEIGHTS,
                f"netWeight {net} exceeds grossWeight {gross}",
                head_pointer(index, "netWeight"),
            )
        )
    return issues


def check_gcodes(index: int, record: Record, allowed_lengths: frozenset[int]) -> list[Issue]:
    """Every line's gcode is all digits with one of the allowed lengths."""
    issues: list[Issue] = []
    for line_index, line in enumerate(record.lines):
        gcode = line.get("gcode")
        if not isinstance(gcode, str):
            continue
        if not gcode.isascii() or not gcode.isdigit() or len(gcode) not in allowed_lengths:
            lengths = " or ".join(str(n) for n in sorted(allowed_lengths))
            issues.append(
                Issue(
                    codes.GCODE_FORMAT,
                    f"gcode {gcode!r} must be {lengths} digits",
                    line_pointer(index, line_index, "gcode"),
                )
            )
    return issues


def check_goods_value_sum(index: int, record: Record, severity: Severity | None) -> list[Issue]:
    """Σ line totalPrice = head goodsValue — an inferred rule, so its severity is configurable."""
    goods_value = record.head.get("goodsValue")
    if severity is None or not isinstance(goods_value, Decimal):
        return []
    total = decimal_sum(
        value for line in record.lines if isinstance(value := line.get("totalPrice"), Decimal)
    )
    if total == goods_value:
        return []
    return [
        Issue(
            codes.GOODS_VALUE_SUM,
            f"goodsValue {goods_value} ≠ Σ line totalPrice {total}",
            head_pointer(index, "goodsValue"),
            severity=severity,
        )
    ]


def require_present(index: int, record: Record, names: tuple[str, ...], code: str, why: str) -> list[Issue]:
    """Issues for head fields that are missing or blank."""
    return [
        Issue(code, f"{name} is required {why}", head_pointer(index, name))
        for name in names
        if not str(record.head.get(name, "")).strip()
    ]


def require_value(
    index: int, record: Record, name: str, allowed: frozenset[str] | set[str], code: str
) -> list[Issue]:
    """An issue when a present head field is not one of ``allowed``."""
    value = record.head.get(name)
    if value is None or value in allowed:
        return []
    return [Issue(code, f"{name} {value!r} must be one of {sorted(allowed)}", head_pointer(index, name))]
