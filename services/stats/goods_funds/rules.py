"""Is an enterprise's money consistent with its goods? — pure, no I/O.

For one enterprise and month (Beijing time):

* **exports**: the receipts matched to its declared exports (gross: what the payouts
  settled, fees included) over the declared export value;
* **imports**: the payments matched to its declared imports over the declared import value.

A ratio outside the configured band is flagged (default 80 %–120 %), and every row
carries its explanation: which side is short, by how much, and the reasons payments
knows of (receipts not matched to any goods, receipts held for the SAFE directory, money
without declared goods). Money arrives after goods (platform payout cycles are two to
four weeks), so a recent month below the band is normal; the explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Band:
    """The acceptable ratio of matched funds to declared goods."""

    low: Decimal = Decimal("0.8")
    high: Decimal = Decimal("1.2")


@dataclass(frozen=True)
class MonthFigures:
    """An enterprise's month: goods (fen) and funds (fen)."""

    declared_exports: int = 0
    declared_imports: int = 0
    receipts: int = 0
    matched_receipts: int = 0
    netted: int = 0
    payments: int = 0
    matched_payments: int = 0
    unmatched_transactions: int = 0
    held_transactions: int = 0


@dataclass(frozen=True)
class Reason:
    """One part of the explanation, in both languages."""

    code: str
    en: str
    zh: str


@dataclass(frozen=True)
class Assessment:
    """The ratios, whether the month is flagged, and why."""

    export_ratio: Decimal | None
    import_ratio: Decimal | None
    flagged: bool
    reasons: tuple[Reason, ...] = field(default=())


def _ratio(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}"


def _pct(ratio: Decimal) -> str:
    return f"{ratio * 100:.1f}%"


def assess(figures: MonthFigures, band: Band, *, recent: bool) -> Assessment:
    """Assess a month (``recent``: the current or previous month, whose money may still be coming)."""
    f = figures
    reasons: list[Reason] = []
    flagged = False
    export_ratio = _ratio(f.matched_receipts, f.declared_exports)
    import_ratio = _ratio(f.matched_payments, f.declared_imports)
    for side, ratio, goods, funds, matched in (
        ("export", export_ratio, f.declared_exports, f.receipts, f.matched_receipts),
        ("import", import_ratio, f.declared_imports, f.payments, f.matched_payments),
    ):
        zh_side, zh_money = ("出口", "收汇") if side == "export" else ("进口", "付汇")
        if ratio is None:
            if funds > 0:
                flagged = True
                reasons.append(
                    Reason(
                        f"{side}_funds_without_goods",
                        f"{_yuan(funds)} CNY of {side} money but no declared {side}s this month",
                        f"本月无{zh_side}申报，却有{zh_money} {_yuan(funds)} 元",
                    )
                )
            continue
        if ratio < band.low:
            flagged = True
            short = goods - matched
            lag = " (money may still be on its way for a recent month)" if recent else ""
            reasons.append(
                Reason(
                    f"{side}_funds_below_band",
                    f"matched {side} funds are {_pct(ratio)} of declared {side}s, below {_pct(band.low)}: "
                    f"{_yuan(short)} CNY not yet matched{lag}",
                    f"匹配{zh_money}为{zh_side}申报额的 {_pct(ratio)}，低于 {_pct(band.low)}："
                    f"尚有 {_yuan(short)} 元未匹配" + ("（近月款项可能尚在途）" if recent else ""),
                )
            )
        elif ratio > band.high:
            flagged = True
            reasons.append(
                Reason(
                    f"{side}_funds_above_band",
                    f"matched {side} funds are {_pct(ratio)} of declared {side}s, above {_pct(band.high)}",
                    f"匹配{zh_money}为{zh_side}申报额的 {_pct(ratio)}，高于 {_pct(band.high)}",
                )
            )
    unmatched = max(f.receipts - f.matched_receipts + f.netted, 0)
    if f.unmatched_transactions and unmatched > 0:
        count = f.unmatched_transactions
        reasons.append(
            Reason(
                "funds_not_matched_to_goods",
                f"{count} transaction(s) leave {_yuan(unmatched)} CNY matched to no goods",
                f"{count} 笔款项共 {_yuan(unmatched)} 元未对应任何申报货物",
            )
        )
    if f.held_transactions:
        reasons.append(
            Reason(
                "held_for_registration",
                f"{f.held_transactions} receipt(s) held until the enterprise registers in SAFE's directory",
                f"{f.held_transactions} 笔收汇待企业办理名录登记后入账",
            )
        )
    if f.netted:
        reasons.append(
            Reason(
                "netted_costs",
                f"{_yuan(f.netted)} CNY of fees and allowed costs were netted from payouts",
                f"出口收汇中轧差扣除费用及允许的成本 {_yuan(f.netted)} 元",
            )
        )
    if not flagged and not reasons:
        reasons.append(Reason("consistent", "funds match the declared goods", "资金与申报货物相符"))
    return Assessment(export_ratio, import_ratio, flagged, tuple(reasons))
