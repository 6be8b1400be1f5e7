"""Rules specific to the import messages (CEB311/411/511/513/621/623/625/711).

The fixed values come straight from the import XSD annotations: currency
"限定为人民币，填写142", packNo "限定为1", buyerIdType/payerIdType "限定为身份证，
填写1", logisticsStatus "限定S", orderType "I".  Bonded import (1210/1239)
needs emsNo/areaCode/areaName and per-line itemRecordNo ("保税模式必填"), and
head country 142; direct-purchase import (9610) needs trafNo/voyageNo/billNo
("直购进口必填").
"""

from __future__ import annotations

from decimal import Decimal

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import MessageSpec
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Record, head_pointer, line_pointer
from services.declaration.ceb.money import expected_actural_paid
from services.declaration.prechecks.rules import common
from services.declaration.prechecks.rules.config import RuleConfig
from services.declaration.quota.rules import QuotaLimits, check_single_transaction


def check_import_record(
    spec: MessageSpec, index: int, record: Record, config: RuleConfig, limits: QuotaLimits
) -> list[Issue]:
    """All import-specific rules for one record."""
    issues = _fixed_values(index, record, config)
    if spec.code == "CEB311":
        issues += common.require_value(
            index, record, "orderType", config.import_order_types, codes.ORDER_TYPE
        )
        issues += _actural_paid(index, record)
        issues += common.check_goods_value_sum(index, record, config.goods_value_sum)
    elif spec.code == "CEB513":
        issues += common.require_value(index, record, "logisticsStatus", {"S"}, codes.LOGISTICS_STATUS)
    elif spec.code == "CEB621":
        issues += common.require_value(index, record, "ieFlag", {"I"}, codes.IE_FLAG)
        issues += common.check_gcodes(index, record, frozenset({config.gcode_digits}))
        issues += _trade_mode(index, record, config)
        single = check_single_transaction(record, limits, index)
        if single is not None:
            issues.append(single)
    elif spec.code == "CEB625":
        issues += common.check_gcodes(index, record, frozenset({config.gcode_digits}))
    elif spec.code == "CEB711":
        issues += common.require_value(index, record, "ieFlag", {"I"}, codes.IE_FLAG)
    return issues


def _fixed_values(index: int, record: Record, config: RuleConfig) -> list[Issue]:
    issues: list[Issue] = []
    if "currency" in record.head and record.head["currency"] != config.import_currency:
        issues.append(_currency_issue(head_pointer(index, "currency"), config))
    for line_index, line in enumerate(record.lines):
        if "currency" in line and line["currency"] != config.import_currency:
            issues.append(_currency_issue(line_pointer(index, line_index, "currency"), config))
    pack_no = record.head.get("packNo")
    if pack_no is not None and pack_no != config.import_pack_no:
        issues.append(
            Issue(
                codes.PACK_NO,
                f"packNo must be {config.import_pack_no} (包裹数量限定为1)",
                head_pointer(index, "packNo"),
            )
        )
    for name in ("buyerIdType", "payerIdType"):
        if name in record.head and record.head[name] not in config.id_types:
            issues.append(
                Issue(
                    codes.ID_TYPE,
                    f"{name} must be {sorted(config.id_types)} (限定为身份证)",
                    head_pointer(index, name),
                )
            )
    return issues


def _currency_issue(pointer: str, config: RuleConfig) -> Issue:
    return Issue(codes.IMPORT_CURRENCY, f"import currency must be {config.import_currency} (人民币)", pointer)


def _actural_paid(index: int, record: Record) -> list[Issue]:
    head = record.head
    parts = [head.get(name) for name in ("goodsValue", "freight", "taxTotal", "discount", "acturalPaid")]
    amounts = [part for part in parts if isinstance(part, Decimal)]
    if len(amounts) != len(parts):
        return []
    goods, freight, tax, discount, paid = amounts
    expected = expected_actural_paid(goods, freight, tax, discount)
    if paid == expected:
        return []
    return [
        Issue(
            codes.ACTURAL_PAID,
            f"acturalPaid {paid} ≠ goodsValue + freight + taxTotal − discount = {expected}",
            head_pointer(index, "acturalPaid"),
        )
    ]


def _trade_mode(index: int, record: Record, config: RuleConfig) -> list[Issue]:
    trade_mode = record.head.get("tradeMode")
    issues = common.require_value(index, record, "tradeMode", config.import_trade_modes, codes.TRADE_MODE)
    if trade_mode in config.bonded_trade_modes:
        why = f"for bonded import ({trade_mode}, 保税模式必填)"
        issues += common.require_present(
            index, record, ("emsNo", "areaCode", "areaName"), codes.BONDED_FIELDS, why
        )
        for line_index, line in enumerate(record.lines):
            if not str(line.get("itemRecordNo", "")).strip():
                issues.append(
                    Issue(
                        codes.BONDED_FIELDS,
                        f"itemRecordNo is required {why}",
                        line_pointer(index, line_index, "itemRecordNo"),
                    )
                )
        if record.head.get("country") != config.bonded_country:
            issues.append(
                Issue(
                    codes.BONDED_COUNTRY,
                    f"bonded import head country must be {config.bonded_country}",
                    head_pointer(index, "country"),
                )
            )
    elif trade_mode in config.direct_import_trade_modes:
        why = f"for direct-purchase import ({trade_mode}, 直购进口必填)"
        issues += common.require_present(
            index, record, ("trafNo", "voyageNo", "billNo"), codes.DIRECT_IMPORT_FIELDS, why
        )
    return issues
