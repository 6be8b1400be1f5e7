"""Matching a receipt (or payment) to declared goods — pure, no I/O.

A payout from an overseas platform usually covers many orders, and the money that
arrives is net of what the platform and the service providers kept. SAFE's circular of
2020-05-20 lets cross-border e-commerce firms net overseas warehousing, logistics and
tax costs against export proceeds; platform fees are netted the same way. So:

* the **gross** a payout settles is the amount received plus the netted deductions;
* it is spread over the orders the institution names, in the order named: each takes
  what is still outstanding on its declared goods (or the amount the institution states
  for it, if smaller), while gross money remains — a payout can be **partial**, and an
  order can be paid by several payouts;
* an order the enterprise has not declared (or not yet exported), or one already paid,
  is listed as unmatched; the **remainder** (gross − allocated) stays visible.

Amounts in the transaction currency are rounded half-up to the cent; the goods side is
converted at the customs monthly rates of the value date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    """Rounded half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Candidate:
    """Declared goods an order number points at, and what is still outstanding on them."""

    document_id: str
    order_no: str
    outstanding: Decimal
    """In the goods' currency."""
    rate: Decimal
    """Units of the transaction currency per unit of the goods' currency."""


@dataclass(frozen=True)
class Requested:
    """An order the institution says the payout covers (``amount``: its share, if stated)."""

    order_no: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class Line:
    """One allocation: this much of the transaction pays these goods."""

    document_id: str
    order_no: str
    amount: Decimal
    """In the transaction currency."""
    goods_amount: Decimal
    """In the goods' currency."""


@dataclass(frozen=True)
class Unmatched:
    """An order named but not (fully) matched, and why."""

    order_no: str
    reason: str


@dataclass(frozen=True)
class Allocation:
    """The outcome: lines, totals and what stayed unmatched."""

    lines: tuple[Line, ...]
    allocated: Decimal
    netted: Decimal
    remainder: Decimal
    unmatched: tuple[Unmatched, ...] = field(default=())


def allocate(
    amount: Decimal,
    deductions: Sequence[Decimal],
    requested: Sequence[Requested],
    candidates: dict[str, list[Candidate]],
) -> Allocation:
    """Spread ``amount`` + ``deductions`` over the requested orders' outstanding goods."""
    netted = cents(sum(deductions, ZERO))
    gross = cents(amount) + netted
    left = gross
    lines: list[Line] = []
    unmatched: list[Unmatched] = []
    seen: set[str] = set()
    for wanted in requested:
        if wanted.order_no in seen:
            continue
        seen.add(wanted.order_no)
        found = candidates.get(wanted.order_no) or []
        if not found:
            unmatched.append(
                Unmatched(wanted.order_no, "no declared goods of the enterprise with this order")
            )
            continue
        if left <= ZERO:
            unmatched.append(Unmatched(wanted.order_no, "the payout is spent on the orders named before it"))
            continue
        cap = left if wanted.amount is None else min(left, cents(wanted.amount))
        taken_for_order = ZERO
        for candidate in found:
            if cap - taken_for_order <= ZERO:
                break
            outstanding_txn = cents(candidate.outstanding * candidate.rate)
            if outstanding_txn <= ZERO:
                continue
            take = min(outstanding_txn, cap - taken_for_order)
            goods = candidate.outstanding if take == outstanding_txn else cents(take / candidate.rate)
            lines.append(
                Line(candidate.document_id, wanted.order_no, take, min(goods, candidate.outstanding))
            )
            taken_for_order += take
        if taken_for_order == ZERO:
            unmatched.append(Unmatched(wanted.order_no, "the declared goods of this order are paid already"))
        left -= taken_for_order
    allocated = sum((line.amount for line in lines), ZERO)
    return Allocation(tuple(lines), allocated, netted, gross - allocated, tuple(unmatched))


def mask_name(name: str) -> str:
    """A counterparty's name as shown: its first character, then stars (``A***``)."""
    name = name.strip()
    return (name[:1] + "***") if name else "***"
