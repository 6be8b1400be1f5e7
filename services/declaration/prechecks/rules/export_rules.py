"""Rules specific to the export messages (CEB303/403/505/507/509/603/605/607/213/215/701).

* CEB303 ``orderType`` E/B/W; CEB603 ``ieFlag`` E and ``tradeMode`` one of
  9610/1210/1239/9710/9810 (CEB603 annotation + revision notes); CEB213/215
  (export returns) carry ``ieFlag`` I.
* HS codes: 10 digits; with ``statisticsFlag`` A a 4-digit heading, or 6 digits
  for 9710/9810 in a 综试区 (see :class:`RuleConfig`).
* 9710/9810 may use the unified-edition channel only for shipments of at most
  5,000 CNY that need no licence, duty or inspection; anything else must go on
  an ordinary customs declaration (H2018 报关单), and the issue says so.
* Split messages: ``msgSeqNo`` within 1..``msgCount``; CEB701 ``startTime`` /
  ``endTime`` "须成对" and ordered.
"""

from __future__ import annotations

from decimal import Decimal

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import MessageSpec
from services.declaration.ceb.issues import Issue, Severity
from services.declaration.ceb.model import Record, head_pointer, line_pointer
from services.declaration.ceb.money import decimal_sum
from services.declaration.prechecks.rules import common
from services.declaration.prechecks.rules.config import RuleConfig

_H2018 = "declare it on an ordinary customs declaration (H2018 报关单) instead"


def check_export_record(spec: MessageSpec, index: int, record: Record, config: RuleConfig) -> list[Issue]:
    """All export-specific rules for one record."""
    issues: list[Issue] = []
    if spec.code == "CEB303":
        issues += common.require_value(
            index, record, "orderType", config.export_order_types, codes.ORDER_TYPE
        )
        if record.head.get("orderType") in set(config.b2b_trade_modes.values()):
            value = record.head.get("goodsValue")
            if isinstance(value, Decimal):
                issues += _b2b_amount(
                    index, value, str(record.head.get("currency", "")), "goodsValue", config
                )
    elif spec.code == "CEB603":
        issues += common.require_value(index, record, "ieFlag", {"E"}, codes.IE_FLAG)
        issues += common.require_value(
            index, record, "tradeMode", config.export_trade_modes, codes.TRADE_MODE
        )
        issues += common.require_value(index, record, "statisticsFlag", {"A", "B"}, codes.TRADE_MODE)
        for flag in ("fFlag", "iFlag"):
            issues += common.require_value(index, record, flag, {"1", "2", "3"}, codes.CODE_FORMAT)
        issues += common.check_gcodes(index, record, _export_gcode_lengths(record, config))
        if record.head.get("tradeMode") in config.b2b_trade_modes:
            issues += _b2b_inventory(index, record, config)
    elif spec.code in {"CEB213", "CEB215"}:
        issues += common.require_value(index, record, "ieFlag", {"I"}, codes.IE_FLAG)
        issues += common.check_gcodes(index, record, frozenset({config.gcode_digits}))
    elif spec.code == "CEB701":
        issues += _summary_window(index, record)
        issues += common.require_value(index, record, "summaryFlag", {"1", "2"}, codes.CODE_FORMAT)
        # The annotation says 1 or "不填" (blank), but the XSD requires exactly one character:
        # "0" is what a schema-valid "not by item name" looks like (and what we send ourselves).
        issues += common.require_value(index, record, "itemNameFlag", {"1", "0", ""}, codes.CODE_FORMAT)
    if "msgCount" in record.head:
        issues += _message_sequence(index, record)
    return issues


def _export_gcode_lengths(record: Record, config: RuleConfig) -> frozenset[int]:
    lengths = {config.gcode_digits}
    if config.allow_simplified_gcode and record.head.get("statisticsFlag") == "A":
        simplified = config.simplified_gcode_digits.get(str(record.head.get("tradeMode", "")))
        if simplified is not None:
            lengths.add(simplified)
    return frozenset(lengths)


def _b2b_inventory(index: int, record: Record, config: RuleConfig) -> list[Issue]:
    trade_mode = record.head.get("tradeMode")
    issues: list[Issue] = []
    if str(record.head.get("licenseNo", "")).strip():
        issues.append(
            Issue(
                codes.B2B_CHANNEL,
                f"{trade_mode} goods that need a licence cannot use the cross-border channel; {_H2018}",
                head_pointer(index, "licenseNo"),
            )
        )
    for line_index, line in enumerate(record.lines):
        gcode = str(line.get("gcode", ""))
        if any(gcode.startswith(prefix) for prefix in config.b2b_restricted_hs_prefixes):
            issues.append(
                Issue(
                    codes.B2B_CHANNEL,
                    f"gcode {gcode} involves duty or inspection; {_H2018}",
                    line_pointer(index, line_index, "gcode"),
                )
            )
    currencies = {str(line.get("currency", "")) for line in record.lines}
    total = decimal_sum(
        value for line in record.lines if isinstance(value := line.get("totalPrice"), Decimal)
    )
    if len(currencies) == 1:
        issues += _b2b_amount(index, total, currencies.pop(), "totalPrice", config, lines=True)
    else:
        issues.append(
            Issue(
                codes.B2B_CHANNEL,
                "lines use several currencies; check the 5,000 CNY channel limit by hand",
                f"/records/{index}/lines",
                severity=Severity.REVIEW,
            )
        )
    return issues


def _b2b_amount(
    index: int, amount: Decimal, currency: str, field_name: str, config: RuleConfig, lines: bool = False
) -> list[Issue]:
    pointer = f"/records/{index}/lines" if lines else head_pointer(index, field_name)
    rate = config.cny_rates.get(currency)
    if rate is None:
        return [
            Issue(
                codes.B2B_CHANNEL,
                f"no CNY rate for currency {currency!r}; "
                f"check the {config.b2b_channel_limit_cny} CNY limit by hand",
                pointer,
                severity=Severity.REVIEW,
            )
        ]
    in_cny = amount * rate
    if in_cny <= config.b2b_channel_limit_cny:
        return []
    return [
        Issue(
            codes.B2B_CHANNEL,
            f"B2B shipment worth {in_cny} CNY exceeds {config.b2b_channel_limit_cny} CNY; {_H2018}",
            pointer,
        )
    ]


def _summary_window(index: int, record: Record) -> list[Issue]:
    start, end = record.head.get("startTime", ""), record.head.get("endTime", "")
    if bool(start) != bool(end):
        missing = "endTime" if start else "startTime"
        return [
            Issue(
                codes.SUMMARY_WINDOW,
                "startTime and endTime must be given together",
                head_pointer(index, missing),
            )
        ]
    if start and end and str(start) > str(end):
        return [Issue(codes.SUMMARY_WINDOW, "startTime is after endTime", head_pointer(index, "endTime"))]
    return []


def _message_sequence(index: int, record: Record) -> list[Issue]:
    count, seq = record.head.get("msgCount"), record.head.get("msgSeqNo")
    if isinstance(count, int) and isinstance(seq, int) and not 1 <= seq <= count:
        return [
            Issue(
                codes.MSG_SEQUENCE, f"msgSeqNo {seq} is outside 1..{count}", head_pointer(index, "msgSeqNo")
            )
        ]
    return []
