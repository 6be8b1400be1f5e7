"""The retail import limits (财关税〔2016〕18号, 〔2018〕49号) — the one place they are decided.

customs-domain.md §4.3: 5,000 CNY per transaction and 26,000 CNY per person per
calendar year (:class:`QuotaLimits`, configured once from the settings and handed to
every check: the message rules, the tax assessment, the quota reservation and the
customs simulator). Breaches are ``-621005`` / ``-621018``.

* The value that counts is the inventory's dutiable value (完税价格): Σ line totalPrice
  + freight + insuredFee.
* A single indivisible item (one line, quantity 1) above the single limit may still
  enter (taxed at general rates, :mod:`services.declaration.tax.rules`) and still
  counts towards the annual limit.
* The annual quota is per buyer (keyed hash of the ID number) and calendar year in
  Beijing time; several inventories of one buyer in one message count cumulatively,
  in index order (:func:`decide_claims`).

Pure Decimal and integer arithmetic, no state: the quota service reads and writes the
totals (:mod:`.service`), these functions decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.declaration.ceb import codes
from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Fields, Record, head_pointer
from services.declaration.ceb.money import decimal_sum
from shared.currencies import display

_ZERO = Decimal("0")
_E5 = Decimal("0.00001")

#: The keyed-hash purpose of buyers' ID numbers: the quota, the documents and the lookups
#: all name a buyer by ``vault.lookup_hash(BUYER_HASH_PURPOSE, buyerIdNumber)``.
BUYER_HASH_PURPOSE = "buyer-id"

#: (buyer hash, year): one buyer's quota of one calendar year.
BuyerYear = tuple[str, int]


@dataclass(frozen=True)
class QuotaLimits:
    """The retail import limits in CNY, and whether one indivisible item may exceed the single limit."""

    single_transaction: Decimal = Decimal("5000")
    annual: Decimal = Decimal("26000")
    allow_single_indivisible_item: bool = True


def dutiable_value(head: Fields, lines: list[Fields]) -> Decimal:
    """Σ line totalPrice + freight + insuredFee of an inventory (完税价格): what the limits count."""
    goods = decimal_sum(_money(line.get("totalPrice")) for line in lines)
    return goods + _money(head.get("freight")) + _money(head.get("insuredFee"))


def is_single_indivisible_item(lines: list[Fields]) -> bool:
    """One line of quantity 1: the only case allowed above the single-transaction limit."""
    return len(lines) == 1 and _money(lines[0].get("qty")) == 1


def above_single_limit(value: Decimal, limits: QuotaLimits) -> bool:
    """True when ``value`` exceeds the single-transaction limit (taxed at general rates if let in)."""
    return value > limits.single_transaction


def check_single_transaction(record: Record, limits: QuotaLimits, index: int = 0) -> Issue | None:
    """``-621005`` when an inventory's dutiable value exceeds the single limit and no exception applies."""
    value = dutiable_value(record.head, record.lines)
    if not above_single_limit(value, limits):
        return None
    if limits.allow_single_indivisible_item and is_single_indivisible_item(record.lines):
        return None
    ref = record.head.get("copNo") or record.head.get("orderNo") or ""
    return Issue(
        codes.SINGLE_LIMIT,
        f"清单[{ref}]的购买金额超过单笔限额[{limits.single_transaction}]: dutiable value {value}",
        f"/records/{index}",
    )


@dataclass(frozen=True, slots=True)
class QuotaPosition:
    """A buyer's annual quota before and after a purchase."""

    annual_limit: Decimal
    used: Decimal
    purchase: Decimal

    @property
    def remaining_before(self) -> Decimal:
        """Quota left before this purchase (never negative)."""
        return max(self.annual_limit - self.used, _ZERO)

    @property
    def used_after(self) -> Decimal:
        """Quota used once this purchase counts."""
        return self.used + self.purchase

    @property
    def exceeds(self) -> bool:
        """True when the purchase would take the buyer past the annual limit."""
        return self.used_after > self.annual_limit


def check_annual_quota(quota: QuotaPosition, buyer_ref: str = "", index: int = 0) -> Issue | None:
    """``-621018`` when ``quota.used + quota.purchase`` exceeds the annual limit.

    ``buyer_ref`` should already be masked; it is echoed into the message.
    """
    if not quota.exceeds:
        return None
    return Issue(
        codes.ANNUAL_LIMIT,
        f"购买人[{buyer_ref}]已用购买额度为[{display(quota.used)}]，"
        f"本次购买将超过年度限额[{display(quota.annual_limit)}]",
        head_pointer(index, "buyerIdNumber"),
    )


def to_e5(amount: Decimal) -> int:
    """CNY → integer units of 0.00001 (the N19,5 precision; more decimals are rounded half-even)."""
    return int(amount.quantize(_E5).scaleb(5))


def from_e5(units: int) -> Decimal:
    """Integer units of 0.00001 CNY → CNY."""
    return Decimal(units).scaleb(-5).quantize(_E5)


def quota_year(moment: dt.datetime) -> int:
    """The calendar year (Beijing time) a purchase at ``moment`` counts in."""
    return moment.astimezone(CUSTOMS_TZ).year


def lock_key(buyer_hash: str, year: int) -> str:
    """The advisory-lock key of one buyer's year."""
    return f"quota:{buyer_hash}:{year}"


@dataclass(frozen=True, slots=True)
class QuotaClaim:
    """An inventory asking for part of a buyer's quota."""

    index: int
    document_id: str
    buyer_hash: str
    year: int
    amount: Decimal
    held_e5: int = 0
    """What the same document holds already (an amendment replaces its own share)."""

    @property
    def key(self) -> BuyerYear:
        """The buyer's year this claim draws on."""
        return (self.buyer_hash, self.year)


def once_per_buyer(claims: Sequence[QuotaClaim]) -> bool:
    """True when each buyer's year is claimed once and nothing is held already (one conditional upsert)."""
    return all(c.held_e5 == 0 for c in claims) and len({c.key for c in claims}) == len(claims)


@dataclass
class QuotaDecision:
    """What a set of claims does to the buyers' totals."""

    granted: list[QuotaClaim] = field(default_factory=list)
    refused: dict[int, QuotaPosition] = field(default_factory=dict)
    """Refused claims' positions, by record index."""
    totals: dict[BuyerYear, int] = field(default_factory=dict)
    """The new total (0.00001 CNY) of every buyer's year a granted claim changed."""


def decide_claims(
    claims: Sequence[QuotaClaim], used: Mapping[BuyerYear, int], limits: QuotaLimits
) -> QuotaDecision:
    """Grant or refuse claims in index order against the buyers' current totals.

    A claim fits while ``used − held + amount ≤ annual limit``; an amendment's claim
    replaces what its document already holds. Claims of one buyer count cumulatively.
    """
    limit = to_e5(limits.annual)
    current = dict(used)
    decision = QuotaDecision()
    for claim in sorted(claims, key=lambda c: c.index):
        amount = to_e5(claim.amount)
        total = current.get(claim.key, 0)
        if total - claim.held_e5 + amount > limit:
            decision.refused[claim.index] = QuotaPosition(
                limits.annual, from_e5(total - claim.held_e5), claim.amount
            )
            continue
        current[claim.key] = total + amount - claim.held_e5
        decision.totals[claim.key] = current[claim.key]
        decision.granted.append(claim)
    return decision


def _money(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else _ZERO
