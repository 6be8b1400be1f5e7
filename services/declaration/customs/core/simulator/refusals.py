"""Why the simulator's customs refuses an inventory (100 海关退单): a catalogue of real reasons.

A real refusal of a cross-border retail import inventory comes back as a CEB622 with
``returnStatus`` 100 and the reason, as free text, in ``returnInfo`` ("备注（如:退单原因）",
customs-domain.md §3). The reasons below are the ones customs gives for such inventories
in practice: classification and declaration elements, valuation, the buyer's identity
and quota, the positive list, origin and quarantine access, the three documents.

Which reason a refused inventory gets is a keyed hash of the simulator's seed and the
document's identity (its customs key, ``CEB621|copNo|agentCode``…), so the same seed and
the same document give the same reason whatever else was sent and in whatever order —
and the draw takes nothing from the document's random stream, so every later draw
(inspection, detention) stays as it was.

The texts never quote personal data (buyer, payer, consignee): a receipt is stored and
shown to every party the document names. They quote the line (``gnum``) and its codes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

from services.declaration.ceb.model import FieldValue, Record
from services.declaration.quota.rules import QuotaLimits


@dataclass(frozen=True)
class RefusalReason:
    """One reason customs gives for refusing an inventory."""

    code: str
    """Stable identifier (scenario notes ``[SIM:reject:<code>]``, tests, docs)."""
    summary: str
    """The reason as customs names it (商品归类错误 …)."""
    detail: str
    """The rest of the text: ``{gnum}``, ``{gcode}``, ``{gname}``, ``{price}``, ``{country}``
    of the line concerned, ``{annual}`` the annual limit."""
    concerns_line: bool = False

    def return_info(self, record: Record, line_index: int = 0, limits: QuotaLimits | None = None) -> str:
        """The ``returnInfo`` of the refusal of ``record`` (line ``line_index`` if it concerns one)."""
        line = record.lines[line_index % len(record.lines)] if record.lines else {}
        values = {
            "gnum": _text(line.get("gnum")),
            "gcode": _text(line.get("gcode")),
            "gname": _text(line.get("gname")),
            "price": _text(line.get("price")),
            "country": _text(line.get("country")),
            "annual": _text((limits or QuotaLimits()).annual),
        }
        return f"海关退单：{self.summary}，{self.detail.format(**values)}"


#: Every reason the simulator gives, in a fixed order (the hash indexes it: append, never reorder,
#: or every seeded replay changes its reasons).
REFUSAL_REASONS: tuple[RefusalReason, ...] = (
    RefusalReason(
        "hs_code_mismatch",
        "商品归类错误",
        "第{gnum}项申报商品编码{gcode}与商品名称、规格型号不符，请核实归类后重新申报",
        concerns_line=True,
    ),
    RefusalReason(
        "declaration_elements_incomplete",
        "规格型号申报不规范",
        "第{gnum}项{gname}未按申报要素规范申报品牌、成分、用途等要素",
        concerns_line=True,
    ),
    RefusalReason(
        "price_too_low",
        "申报价格明显偏低",
        "第{gnum}项申报单价{price}明显低于同类商品市场价格，请提供真实交易凭证后重新申报",
        concerns_line=True,
    ),
    RefusalReason(
        "buyer_payer_mismatch",
        "订购人身份信息与支付人不一致",
        "未提供订购人身份认证证明",
    ),
    RefusalReason(
        "buyer_identity_invalid",
        "订购人身份信息校验未通过",
        "订购人姓名与证件号码不一致",
    ),
    RefusalReason(
        "annual_limit_exceeded",
        "超过个人年度交易限值",
        "订购人本年度跨境电商零售进口累计交易额（含其他电商平台）将超过年度限值[{annual}]",
    ),
    RefusalReason(
        "not_on_positive_list",
        "商品不在跨境电子商务零售进口商品清单内",
        "第{gnum}项商品编码{gcode}不在《跨境电子商务零售进口商品清单》内",
        concerns_line=True,
    ),
    RefusalReason(
        "origin_mismatch",
        "原产国与实际不符",
        "第{gnum}项申报原产国（地区）[{country}]与商品实际原产地不符",
        concerns_line=True,
    ),
    RefusalReason(
        "three_documents_inconsistent",
        "三单信息不一致",
        "经人工复核，订单、支付单、运单信息与实际交易不符",
    ),
    RefusalReason(
        "legal_quantity_wrong",
        "法定计量单位或数量申报错误",
        "第{gnum}项法定第一数量或法定计量单位与商品编码{gcode}不符",
        concerns_line=True,
    ),
    RefusalReason(
        "beyond_personal_use",
        "超出个人自用合理数量",
        "订购人短期内多次购买同类商品，不符合个人自用原则",
    ),
    RefusalReason(
        "quarantine_access",
        "商品未获检疫准入",
        "第{gnum}项商品原产国（地区）[{country}]未列入该类商品检疫准入名单",
        concerns_line=True,
    ),
)

REFUSAL_REASON_CODES: dict[str, RefusalReason] = {reason.code: reason for reason in REFUSAL_REASONS}


@dataclass(frozen=True)
class Refusal:
    """The reason drawn for one document, and the line it concerns (by index)."""

    reason: RefusalReason
    line_index: int

    def return_info(self, record: Record, limits: QuotaLimits | None = None) -> str:
        """The ``returnInfo`` text for ``record``."""
        return self.reason.return_info(record, self.line_index, limits)


def refusal_for(seed: int, document_key: str, line_count: int, forced: str | None = None) -> Refusal:
    """The reason a refusal of the document ``document_key`` carries under ``seed``.

    HMAC-SHA256 keyed by the seed over the document's key: the first 8 bytes pick the
    reason, the next 8 the line (of ``line_count``). ``forced`` (a catalogue code) picks
    the reason instead; the line is still drawn.
    """
    digest = hmac.new(str(seed).encode(), f"refusal|{document_key}".encode(), hashlib.sha256).digest()
    reason = REFUSAL_REASONS[int.from_bytes(digest[:8], "big") % len(REFUSAL_REASONS)]
    if forced is not None and forced in REFUSAL_REASON_CODES:
        reason = REFUSAL_REASON_CODES[forced]
    line_index = int.from_bytes(digest[8:16], "big") % max(line_count, 1)
    return Refusal(reason, line_index if reason.concerns_line else 0)


def _text(value: FieldValue | None) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)
