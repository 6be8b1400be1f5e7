"""What makes a settlement acceptable — pure, no I/O.

* Only receipts are settled, and only what was applied (not held, not voided).
* **FX settlement** (结汇) converts a foreign-currency receipt into CNY at the
  institution's rate: the CNY amount must be the amount × rate (to the fen).
* **Cross-border RMB settlement** settles a receipt that came in RMB; the institution
  must be allowed to (PBOC 银发〔2022〕139号: see the institutions rules).
* Settlements of one receipt never exceed it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shared.events.payments import SettlementKind

CENT = Decimal("0.01")


def problems(
    kind: SettlementKind,
    currency: str,
    amount: Decimal,
    rate: Decimal | None,
    amount_cny: Decimal | None,
    settled_before: Decimal,
    receipt_amount: Decimal,
    may_settle_rmb: bool,
) -> list[dict[str, str]]:
    """Everything wrong with a settlement (empty: acceptable)."""
    found: list[dict[str, str]] = []
    if kind is SettlementKind.FX:
        if currency == "CNY":
            found.append({"pointer": "/body/kind", "detail": "an RMB receipt is settled as rmb, not fx"})
        if rate is None or rate <= 0:
            found.append(
                {"pointer": "/body/rate", "detail": "an FX settlement needs the rate (CNY per unit)"}
            )
        elif amount_cny is None or (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP) != amount_cny:
            expected = (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
            found.append({"pointer": "/body/amount_cny", "detail": f"amount × rate is {expected}"})
    else:
        if currency != "CNY":
            found.append(
                {"pointer": "/body/kind", "detail": "only an RMB receipt is settled as cross-border RMB"}
            )
        if not may_settle_rmb:
            found.append(
                {
                    "pointer": "/body/kind",
                    "detail": "the institution may not settle cross-border RMB (PBOC 139号: a bank with more "
                    "than three years of cross-border RMB, or a licensed payment institution with a "
                    "partner bank)",
                }
            )
    if settled_before + amount > receipt_amount:
        found.append(
            {
                "pointer": "/body/amount",
                "detail": f"only {receipt_amount - settled_before} of the receipt is left to settle",
            }
        )
    return found
