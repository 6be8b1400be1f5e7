"""Retail cross-border import limits and tax (财关税〔2016〕18号, 〔2018〕49号).

Pure Decimal arithmetic; no state.  customs-domain.md §4.3:

* Limits: 5,000 CNY per transaction, 26,000 CNY per person per calendar year
  (:class:`LimitConfig`).  Breaches are ``-621005`` / ``-621018``.
* Dutiable value of an inventory = Σ line totalPrice + freight + insuredFee.
  Per line, freight and insurance are allocated pro rata to totalPrice,
  rounded to fen, with the remainder on the last line so the line values add
  up exactly to the inventory's dutiable value.
* Within the limits: tariff 0; VAT and consumption tax at 70% of the statutory
  amount, i.e. a composite rate ``(consumption + VAT) / (1 − consumption) × 70%``
  applied per line (13% VAT, no consumption tax → 9.1%).
* A single indivisible item (one line, qty 1) above the single limit may still
  enter but is taxed in full at general rates —
  ``(tariff + VAT + consumption + tariff × VAT) / (1 − consumption)`` — and
  still counts towards the annual limit.
* Rounding: each tax of each line is rounded ROUND_HALF_UP to 0.01 CNY (fen);
  head totals are the sums of the rounded line amounts, never re-rounded.

Rates come from a table keyed by HS-code prefix (longest prefix wins), shipped
as ``data/hs_tax_rates.csv`` with a ``*`` default row (VAT 13%).  The shipped
rows other than the default are illustrative; production should load the
official tariff and consumption-tax tables into :class:`HsRateTable`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Fields, Record, head_pointer
from services.declaration.ceb.rules.money import decimal_sum, to_fen

DEFAULT_RATES_FILE = Path(__file__).with_name("data") / "hs_tax_rates.csv"
_ZERO = Decimal("0")


@dataclass(frozen=True)
class LimitConfig:
    """Retail import limits in CNY, and the share of VAT/consumption tax levied within them."""

    single_transaction: Decimal = Decimal("5000")
    annual: Decimal = Decimal("26000")
    retail_tax_share: Decimal = Decimal("0.7")
    allow_single_indivisible_item: bool = True


@dataclass(frozen=True, slots=True)
class TaxRates:
    """Statutory rates as fractions (0.13 = 13%)."""

    tariff: Decimal
    vat: Decimal
    consumption: Decimal

    def composite_retail_rate(self, share: Decimal = Decimal("0.7")) -> Decimal:
        """``(consumption + VAT) / (1 − consumption) × share`` — the within-limit rate."""
        return (self.consumption + self.vat) / (1 - self.consumption) * share

    def general_rate(self) -> Decimal:
        """``(tariff + VAT + consumption + tariff × VAT) / (1 − consumption)`` — full general rate."""
        return (self.tariff + self.vat + self.consumption + self.tariff * self.vat) / (1 - self.consumption)


@dataclass(frozen=True)
class HsRateTable:
    """Rates by HS-code prefix; ``default`` applies when no prefix matches."""

    rates: Mapping[str, TaxRates]
    default: TaxRates

    def lookup(self, gcode: str) -> TaxRates:
        """Rates of the longest prefix of ``gcode`` in the table, else the default."""
        for length in range(len(gcode), 0, -1):
            found = self.rates.get(gcode[:length])
            if found is not None:
                return found
        return self.default

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> HsRateTable:
        """Build from CSV-like rows with hs_prefix, tariff_rate, vat_rate, consumption_rate."""
        rates: dict[str, TaxRates] = {}
        default = TaxRates(_ZERO, Decimal("0.13"), _ZERO)
        for row in rows:
            entry = TaxRates(
                tariff=Decimal(row["tariff_rate"]),
                vat=Decimal(row["vat_rate"]),
                consumption=Decimal(row["consumption_rate"]),
            )
            prefix = row["hs_prefix"].strip()
            if prefix == "*":
                default = entry
            else:
                rates[prefix] = entry
        return cls(rates=rates, default=default)

    @classmethod
    def from_csv(cls, path: Path) -> HsRateTable:
        """Load a table from a CSV file in the shipped format."""
        with path.open(encoding="utf-8", newline="") as handle:
            return cls.from_rows(csv.DictReader(handle))


@cache
def default_rate_table() -> HsRateTable:
    """The shipped ``data/hs_tax_rates.csv`` (loaded once)."""
    return HsRateTable.from_csv(DEFAULT_RATES_FILE)


class Treatment(StrEnum):
    """How an inventory is taxed."""

    RETAIL = "retail"
    """Within the limits: tariff 0, VAT + consumption at 70%."""
    SINGLE_ITEM_GENERAL = "single_item_general"
    """One indivisible item above the single limit: full general rates."""
    REJECTED = "rejected"
    """Over a limit and not eligible: no assessment (see issues)."""


@dataclass(frozen=True, slots=True)
class LineTax:
    """CEB816 ``TaxListRd`` for one line."""

    gnum: int
    gcode: str
    tax_price: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal

    def to_tax_list_rd(self) -> dict[str, str | int]:
        """Fields of ``TaxListRd`` in XSD names (decimals as strings)."""
        return {
            "gnum": self.gnum,
            "gcode": self.gcode,
            "taxPrice": format(self.tax_price, "f"),
            "customsTax": format(self.customs_tax, "f"),
            "valueAddedTax": format(self.value_added_tax, "f"),
            "consumptionTax": format(self.consumption_tax, "f"),
        }


@dataclass(frozen=True)
class TaxAssessment:
    """Tax of one inventory: CEB816 head totals, per-line amounts and any limit issues."""

    treatment: Treatment
    dutiable_value: Decimal
    lines: tuple[LineTax, ...] = ()
    issues: tuple[Issue, ...] = field(default=())

    @property
    def customs_tax(self) -> Decimal:
        """Σ rounded line tariff."""
        return decimal_sum(line.customs_tax for line in self.lines)

    @property
    def value_added_tax(self) -> Decimal:
        """Σ rounded line VAT."""
        return decimal_sum(line.value_added_tax for line in self.lines)

    @property
    def consumption_tax(self) -> Decimal:
        """Σ rounded line consumption tax."""
        return decimal_sum(line.consumption_tax for line in self.lines)

    @property
    def total_tax(self) -> Decimal:
        """All three taxes together."""
        return self.customs_tax + self.value_added_tax + self.consumption_tax

    def to_tax_head_rd(self) -> dict[str, str]:
        """Amount fields of ``TaxHeadRd`` (guid, taxNo … are customs-assigned)."""
        return {
            "customsTax": format(self.customs_tax, "f"),
            "valueAddedTax": format(self.value_added_tax, "f"),
            "consumptionTax": format(self.consumption_tax, "f"),
        }


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


def dutiable_value(head: Fields, lines: list[Fields]) -> Decimal:
    """Σ line totalPrice + freight + insuredFee of an inventory (完税价格)."""
    goods = decimal_sum(_money(line.get("totalPrice")) for line in lines)
    return goods + _money(head.get("freight")) + _money(head.get("insuredFee"))


def is_single_indivisible_item(lines: list[Fields]) -> bool:
    """One line of quantity 1: the only case allowed above the single-transaction limit."""
    return len(lines) == 1 and _money(lines[0].get("qty")) == 1


def check_single_transaction(record: Record, limits: LimitConfig, index: int = 0) -> Issue | None:
    """``-621005`` when an inventory's dutiable value exceeds the single limit and no exception applies."""
    value = dutiable_value(record.head, record.lines)
    if value <= limits.single_transaction:
        return None
    if limits.allow_single_indivisible_item and is_single_indivisible_item(record.lines):
        return None
    ref = record.head.get("copNo") or record.head.get("orderNo") or ""
    return Issue(
        codes.SINGLE_LIMIT,
        f"清单[{ref}]的购买金额超过单笔限额[{limits.single_transaction}]: dutiable value {value}",
        f"/records/{index}",
    )


def check_annual_quota(quota: QuotaPosition, buyer_ref: str = "", index: int = 0) -> Issue | None:
    """``-621018`` when ``quota.used + quota.purchase`` exceeds the annual limit.

    ``buyer_ref`` should already be masked; it is echoed into the message.
    """
    if not quota.exceeds:
        return None
    return Issue(
        codes.ANNUAL_LIMIT,
        f"购买人[{buyer_ref}]已用购买额度为[{quota.used}]，本次购买将超过年度限额[{quota.annual_limit}]",
        head_pointer(index, "buyerIdNumber"),
    )


def assess_inventory(
    record: Record,
    table: HsRateTable | None = None,
    limits: LimitConfig | None = None,
    used_this_year: Decimal | None = None,
    index: int = 0,
) -> TaxAssessment:
    """Tax one import inventory (CEB621 record) and check its limits.

    ``used_this_year`` is the buyer's quota already consumed this calendar year
    (the caller looks it up); when ``None`` the annual check is skipped.
    """
    table = table or default_rate_table()
    limits = limits or LimitConfig()
    value = dutiable_value(record.head, record.lines)
    issues: list[Issue] = []
    single = check_single_transaction(record, limits, index)
    if single is not None:
        issues.append(single)
    if used_this_year is not None:
        annual = check_annual_quota(QuotaPosition(limits.annual, used_this_year, value), index=index)
        if annual is not None:
            issues.append(annual)
    if issues:
        return TaxAssessment(Treatment.REJECTED, value, issues=tuple(issues))
    general = value > limits.single_transaction
    treatment = Treatment.SINGLE_ITEM_GENERAL if general else Treatment.RETAIL
    prices = _line_tax_prices(record)
    lines = tuple(
        _line_tax(line, price, table.lookup(str(line.get("gcode", ""))), general, limits)
        for line, price in zip(record.lines, prices, strict=True)
    )
    return TaxAssessment(treatment, value, lines)


def _line_tax_prices(record: Record) -> list[Decimal]:
    totals = [_money(line.get("totalPrice")) for line in record.lines]
    extra = _money(record.head.get("freight")) + _money(record.head.get("insuredFee"))
    goods = decimal_sum(totals)
    if not totals:
        return []
    if goods == 0:
        shares = [_ZERO] * len(totals)
        shares[-1] = extra
    else:
        shares = [to_fen(extra * total / goods) for total in totals[:-1]]
        shares.append(extra - decimal_sum(shares))
    return [total + share for total, share in zip(totals, shares, strict=True)]


def _line_tax(line: Fields, price: Decimal, rates: TaxRates, general: bool, limits: LimitConfig) -> LineTax:
    if general:
        tariff = price * rates.tariff
        consumption = (price + tariff) * rates.consumption / (1 - rates.consumption)
        vat = (price + tariff + consumption) * rates.vat
    else:
        tariff = _ZERO
        consumption = price * rates.consumption / (1 - rates.consumption) * limits.retail_tax_share
        vat = price * rates.vat / (1 - rates.consumption) * limits.retail_tax_share
    gnum = line.get("gnum")
    return LineTax(
        gnum=gnum if isinstance(gnum, int) else 0,
        gcode=str(line.get("gcode", "")),
        tax_price=price,
        customs_tax=to_fen(tariff),
        value_added_tax=to_fen(vat),
        consumption_tax=to_fen(consumption),
    )


def _money(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else _ZERO
