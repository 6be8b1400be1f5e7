"""Tax of a retail cross-border import inventory (财关税〔2016〕18号, 〔2018〕49号).

Pure Decimal arithmetic; no state.  customs-domain.md §4.3:

* The limits (5,000 CNY per transaction, 26,000 CNY a year) are the quota module's
  (:mod:`services.declaration.quota.rules`); they decide the treatment here.
* The tax base is the inventory's dutiable value (Σ line totalPrice + freight + insuredFee,
  :func:`~services.declaration.quota.rules.dutiable_value`).
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

from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Fields, Record
from services.declaration.ceb.money import decimal_sum, to_fen
from services.declaration.quota.rules import (
    QuotaLimits,
    above_single_limit,
    check_single_transaction,
    dutiable_value,
)

DEFAULT_RATES_FILE = Path(__file__).with_name("data") / "hs_tax_rates.csv"
#: The share of VAT and consumption tax levied within the limits (〔2018〕49号: 70 %).
RETAIL_TAX_SHARE = Decimal("0.7")
_ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class TaxRates:
    """Statutory rates as fractions (0.13 = 13%)."""

    tariff: Decimal
    vat: Decimal
    consumption: Decimal

    def composite_retail_rate(self, share: Decimal = RETAIL_TAX_SHARE) -> Decimal:
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


@dataclass(frozen=True)
class TaxPolicy:
    """The rate table and the share levied within the limits (both configured once, from the settings)."""

    table: HsRateTable
    retail_share: Decimal = RETAIL_TAX_SHARE

    @classmethod
    def default(cls) -> TaxPolicy:
        """The shipped table at the statutory 70 %."""
        return cls(default_rate_table())


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


def assess_inventory(
    record: Record,
    policy: TaxPolicy | None = None,
    limits: QuotaLimits | None = None,
    index: int = 0,
) -> TaxAssessment:
    """Tax one import inventory (CEB621 record): retail within the single limit, general
    rates for an indivisible item above it, no assessment (the ``-621005`` issue) otherwise.

    The annual quota is not checked here: it needs the buyer's year
    (:func:`services.declaration.quota.rules.decide_claims`).
    """
    policy = policy or TaxPolicy.default()
    limits = limits or QuotaLimits()
    value = dutiable_value(record.head, record.lines)
    single = check_single_transaction(record, limits, index)
    if single is not None:
        return TaxAssessment(Treatment.REJECTED, value, issues=(single,))
    general = above_single_limit(value, limits)
    treatment = Treatment.SINGLE_ITEM_GENERAL if general else Treatment.RETAIL
    prices = _line_tax_prices(record)
    lines = tuple(
        _line_tax(line, price, policy.table.lookup(str(line.get("gcode", ""))), general, policy.retail_share)
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


def _line_tax(line: Fields, price: Decimal, rates: TaxRates, general: bool, share: Decimal) -> LineTax:
    if general:
        tariff = price * rates.tariff
        consumption = (price + tariff) * rates.consumption / (1 - rates.consumption)
        vat = (price + tariff + consumption) * rates.vat
    else:
        tariff = _ZERO
        consumption = price * rates.consumption / (1 - rates.consumption) * share
        vat = price * rates.vat / (1 - rates.consumption) * share
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
