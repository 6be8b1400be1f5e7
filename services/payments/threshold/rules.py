"""The USD 200,000 rule — pure, no I/O.

汇发〔2019〕28号 and SAFE's Q&A of 2020-04-17: a bank or payment institution monitors, in
its own systems, each cross-border e-commerce firm's yearly goods-trade receipts *or*
payments *at that institution*; a firm whose yearly total stays **below** USD 200,000
(exclusive) need not register in the trade-FX directory (名录). Since 2021 SAFE sends two
monthly lists: firms over USD 200,000, and an early-warning list of firms between
USD 180,000 and 200,000.

* The counter is in USD equivalent at the customs/SAFE monthly rates, per calendar year
  (Beijing time) of the value date; receipts and payments are counted apart and the state
  follows the larger (the rule is "receipts or payments").
* Only foreign-currency flows count: cross-border RMB is not foreign exchange.
* State: ``registered`` once the firm registered; else ``registration_required`` at or
  above the threshold or when SAFE lists the firm as over it; else ``warning`` from the
  warning line (or on SAFE's warning list); else ``below``.
* A transaction that would take an unregistered firm to the threshold or beyond (or any
  while it is already there) is **held**: flagged before it is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.events.payments import FlowDirection, ThresholdState

SafeList = str  # "over" or "warning"


@dataclass(frozen=True)
class Limits:
    """The two lines (USD)."""

    threshold: Decimal = Decimal("200000")
    warning: Decimal = Decimal("180000")


@dataclass(frozen=True)
class Counter:
    """One enterprise at one institution in one year."""

    receipts_usd: Decimal = Decimal(0)
    payments_usd: Decimal = Decimal(0)
    safe_list: SafeList | None = None
    registered: bool = False

    @property
    def total(self) -> Decimal:
        """The figure the rule reads: receipts or payments, whichever is larger."""
        return max(self.receipts_usd, self.payments_usd)

    def plus(self, direction: FlowDirection, amount_usd: Decimal) -> Counter:
        """The counter after one more flow."""
        if direction is FlowDirection.RECEIPT:
            return Counter(self.receipts_usd + amount_usd, self.payments_usd, self.safe_list, self.registered)
        return Counter(self.receipts_usd, self.payments_usd + amount_usd, self.safe_list, self.registered)


def state_of(counter: Counter, limits: Limits) -> ThresholdState:
    """The counter's state."""
    if counter.registered:
        return ThresholdState.REGISTERED
    if counter.safe_list == "over" or counter.total >= limits.threshold:
        return ThresholdState.REGISTRATION_REQUIRED
    if counter.safe_list == "warning" or counter.total >= limits.warning:
        return ThresholdState.WARNING
    return ThresholdState.BELOW


@dataclass(frozen=True)
class Decision:
    """Whether a new flow may be applied, and the state it leaves (or would leave)."""

    hold: bool
    state_after: ThresholdState
    reason: str


def decide(counter: Counter, direction: FlowDirection, amount_usd: Decimal, limits: Limits) -> Decision:
    """Apply, or hold a flow that needs the firm to register first."""
    after = counter.plus(direction, amount_usd)
    state = state_of(after, limits)
    if counter.registered:
        return Decision(False, state, "the enterprise is registered in the directory (名录)")
    if counter.safe_list == "over":
        return Decision(True, state, "SAFE lists the enterprise as over USD 200,000: it must register first")
    if after.total >= limits.threshold:
        return Decision(
            True,
            state,
            f"this {direction.value} takes the year's {direction.value}s to USD {after.total:,.2f}, "
            f"at or over USD {limits.threshold:,.0f}: the enterprise must register (名录) first",
        )
    return Decision(False, state, "below the threshold")
