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
as ``data/hs_tax_rates.csv`` with a ``*`` default row (VAT 13%).  Consumption tax
may be conditional and compound (财税〔2006〕33号 and its amendments):

* a **price condition** (``min_price`` per ``min_price_per``): the row's
  consumption tax applies only when the line's dutiable value per unit of a
  measure reaches the threshold — high-end cosmetics (财税〔2016〕103号: 10 CNY per
  ml or g, 15 CNY per 片/张), high-end watches (10,000 CNY per piece), class-A
  beer (3,000 CNY per tonne).  Several rows for one prefix are alternatives
  tried in file order; when none applies, a row without a condition (if any)
  does, else the line owes no consumption tax;
* a **specific duty** (``specific_amount`` per ``specific_per``) beside or
  instead of the ad valorem rate (beer per tonne, spirits per 500 ml or g);
  ``litres_per_tonne`` is the statutory conversion between volume and mass.

The quantity in a measure is read from the line's unit/quantity pairs, legal
units first (``unit1``/``qty1``, ``unit2``/``qty2``, then the trade ``unit``/``qty``),
because customs assesses on the legal quantity.  When the line declares no
quantity in any measure its prefix's conditions name (e.g. a cosmetic declared
only in 瓶), the first condition counts as met: the assessment never assumes the
cheaper reading (the guarantor owes customs any shortfall).  docs/declaration.md
lists the sources and what the table cannot tell from an inventory line.  The
tariff column is illustrative where the row says so and 0 (not loaded) elsewhere;
production should load the official tariff and consumption-tax tables into
:class:`HsRateTable`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
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


class Dimension(StrEnum):
    """What a quantity measures; amounts are kept in the base unit named."""

    VOLUME = "ml"
    MASS = "g"
    SHEET = "sheet"
    PIECE = "piece"


#: JGS-20 unit codes (customs-domain.md §2.4) → dimension and size in its base unit.
UNIT_MEASURES: Mapping[str, tuple[Dimension, Decimal]] = {
    "096": (Dimension.VOLUME, Decimal("1")),  # 毫升
    "095": (Dimension.VOLUME, Decimal("1000")),  # 升
    "036": (Dimension.MASS, Decimal("1")),  # 克
    "035": (Dimension.MASS, Decimal("1000")),  # 千克
    "070": (Dimension.MASS, Decimal("1000000")),  # 吨
    "020": (Dimension.SHEET, Decimal("1")),  # 片
    "010": (Dimension.SHEET, Decimal("1")),  # 张
    "007": (Dimension.PIECE, Decimal("1")),  # 个
    "008": (Dimension.PIECE, Decimal("1")),  # 只
    "011": (Dimension.PIECE, Decimal("1")),  # 件
    "017": (Dimension.PIECE, Decimal("1")),  # 块
}
#: Measure names usable in the table → dimension and size in its base unit.
MEASURE_NAMES: Mapping[str, tuple[Dimension, Decimal]] = {
    "ml": (Dimension.VOLUME, Decimal("1")),
    "l": (Dimension.VOLUME, Decimal("1000")),
    "g": (Dimension.MASS, Decimal("1")),
    "kg": (Dimension.MASS, Decimal("1000")),
    "t": (Dimension.MASS, Decimal("1000000")),
    "sheet": (Dimension.SHEET, Decimal("1")),
    "piece": (Dimension.PIECE, Decimal("1")),
}
# Legal quantities first: customs assesses specific duty and thresholds on them.
_QUANTITY_PAIRS = (("unit1", "qty1"), ("unit2", "qty2"), ("unit", "qty"))


@dataclass(frozen=True, slots=True)
class Measure:
    """A quantity in one or more alternative units, e.g. ``500 ml|g`` (500 ml or 500 g)."""

    quantity: Decimal
    units: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Measure:
        """Parse ``"<quantity> <unit>[|<unit>…]"`` with units from :data:`MEASURE_NAMES`."""
        quantity, _, names = text.strip().partition(" ")
        units = tuple(name.strip().lower() for name in names.split("|") if name.strip())
        unknown = [name for name in units if name not in MEASURE_NAMES]
        if not units or unknown:
            raise ValueError(f"measure {text!r}: units must be among {sorted(MEASURE_NAMES)}")
        dimensions = [MEASURE_NAMES[name][0] for name in units]
        if len(set(dimensions)) != len(dimensions):
            raise ValueError(f"measure {text!r}: two units of one dimension")
        try:
            amount = Decimal(quantity)
        except ArithmeticError:
            raise ValueError(f"measure {text!r}: quantity is not a number") from None
        if not amount.is_finite() or amount <= 0:
            raise ValueError(f"measure {text!r}: quantity must be positive")
        return cls(amount, units)

    def __str__(self) -> str:
        return f"{self.quantity} {'|'.join(self.units)}"

    def counts(self, line: Fields, litres_per_tonne: Decimal | None = None) -> list[Decimal]:
        """How many of this measure the line declares, one count per matching unit/quantity pair
        (legal units first).  Volume and mass convert through ``litres_per_tonne`` only when the
        line declares neither directly."""
        wanted = {MEASURE_NAMES[name][0]: MEASURE_NAMES[name][1] * self.quantity for name in self.units}
        declared = list(_declared_quantities(line))
        direct = [amount / wanted[dimension] for dimension, amount in declared if dimension in wanted]
        if direct or litres_per_tonne is None:
            return direct
        # 1 t = N litres, so 1 g = N / 1000 ml.
        ml_per_gram = litres_per_tonne / 1000
        bridged: list[Decimal] = []
        for dimension, amount in declared:
            if dimension is Dimension.MASS and Dimension.VOLUME in wanted:
                bridged.append(amount * ml_per_gram / wanted[Dimension.VOLUME])
            elif dimension is Dimension.VOLUME and Dimension.MASS in wanted:
                bridged.append(amount / ml_per_gram / wanted[Dimension.MASS])
        return bridged


def _declared_quantities(line: Fields) -> Iterable[tuple[Dimension, Decimal]]:
    for unit_field, qty_field in _QUANTITY_PAIRS:
        measure = UNIT_MEASURES.get(str(line.get(unit_field) or "").strip())
        qty = line.get(qty_field)
        if measure is not None and isinstance(qty, Decimal) and qty.is_finite() and qty >= 0:
            yield measure[0], qty * measure[1]


@dataclass(frozen=True, slots=True)
class PriceCondition:
    """Applies when the line's dutiable value per ``per`` is at least ``min_price``."""

    min_price: Decimal
    per: Measure

    def judge(self, line: Fields, price: Decimal, litres_per_tonne: Decimal | None = None) -> bool | None:
        """True when any declared quantity in the measure gives a unit price at or above the
        threshold (a zero quantity is an unbounded unit price), False when the declared ones
        all fall below it, None when the line declares no quantity in the measure."""
        counts = self.per.counts(line, litres_per_tonne)
        if not counts:
            return None
        return any(count == 0 or price / count >= self.min_price for count in counts)


@dataclass(frozen=True, slots=True)
class SpecificDuty:
    """A consumption tax of ``amount`` CNY per ``per`` of the declared quantity."""

    amount: Decimal
    per: Measure

    def on(self, line: Fields, litres_per_tonne: Decimal | None = None) -> Decimal:
        """The duty on the line's first declared quantity in the measure (legal units first);
        zero when the line declares none (docs/declaration.md, tax section)."""
        counts = self.per.counts(line, litres_per_tonne)
        return self.amount * counts[0] if counts else _ZERO


@dataclass(frozen=True, slots=True)
class TaxRates:
    """Statutory rates as fractions (0.13 = 13%), with an optional specific duty and price
    condition on the consumption tax; ``otherwise`` is the alternative when the condition
    is not met (None: no consumption tax)."""

    tariff: Decimal
    vat: Decimal
    consumption: Decimal
    specific: SpecificDuty | None = None
    condition: PriceCondition | None = None
    otherwise: TaxRates | None = None
    litres_per_tonne: Decimal | None = None

    def composite_retail_rate(self, share: Decimal = RETAIL_TAX_SHARE) -> Decimal:
        """``(consumption + VAT) / (1 − consumption) × share`` — the within-limit ad valorem rate."""
        return (self.consumption + self.vat) / (1 - self.consumption) * share

    def general_rate(self) -> Decimal:
        """``(tariff + VAT + consumption + tariff × VAT) / (1 − consumption)`` — full general rate."""
        return (self.tariff + self.vat + self.consumption + self.tariff * self.vat) / (1 - self.consumption)

    def for_line(self, line: Fields, price: Decimal) -> TaxRates:
        """The unconditional rates that apply to a line of dutiable value ``price``.

        The first alternative whose condition is met applies.  When none is met, the
        unconditional alternative (if any) applies, else no consumption tax — unless the
        line declares no quantity any condition can judge (a cosmetic only in 瓶): then the
        first conditional alternative applies, so the unit never buys the cheaper reading.
        """
        unknown: TaxRates | None = None
        judged = False
        rates: TaxRates | None = self
        while rates is not None and rates.condition is not None:
            verdict = rates.condition.judge(line, price, rates.litres_per_tonne)
            if verdict:
                return replace(rates, condition=None, otherwise=None)
            if verdict is None:
                unknown = unknown or rates
            else:
                judged = True
            rates = rates.otherwise
        if unknown is not None and not judged:
            return replace(unknown, condition=None, otherwise=None)
        if rates is not None:
            return replace(rates, otherwise=None)
        return TaxRates(self.tariff, self.vat, _ZERO)

    def specific_duty(self, line: Fields) -> Decimal:
        """The specific part of the consumption tax on the line (zero without one)."""
        return self.specific.on(line, self.litres_per_tonne) if self.specific else _ZERO


@dataclass(frozen=True)
class HsRateTable:
    """Rates by HS prefix; ``default`` applies when no prefix matches."""

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
    def from_rows(cls, rows: Iterable[Mapping[str, str | None]]) -> HsRateTable:
        """Build from CSV-like rows with hs_prefix, tariff_rate, vat_rate, consumption_rate and the
        optional specific_amount/specific_per, min_price/min_price_per and litres_per_tonne.

        Rows sharing a prefix are alternatives in row order and must agree on tariff and VAT;
        a row without a price condition ends its prefix's alternatives.
        """
        chains: dict[str, list[TaxRates]] = {}
        for number, row in enumerate(rows, start=2):
            prefix = (row.get("hs_prefix") or "").strip()
            try:
                entry = _rates_of_row(row)
            except (ArithmeticError, ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"tax rate row {number} ({prefix or 'no prefix'}): {exc}") from None
            chain = chains.setdefault(prefix, [])
            where = f"tax rate row {number} ({prefix})"
            if chain and (chain[0].tariff, chain[0].vat) != (entry.tariff, entry.vat):
                raise ValueError(f"{where}: tariff and VAT differ from its prefix's first row")
            if chain and chain[-1].condition is None:
                raise ValueError(f"{where}: follows an unconditional row of its prefix")
            chain.append(entry)
        rates = {prefix: _linked(chain) for prefix, chain in chains.items() if prefix != "*"}
        default = _linked(chains["*"]) if "*" in chains else TaxRates(_ZERO, Decimal("0.13"), _ZERO)
        return cls(rates=rates, default=default)

    @classmethod
    def from_csv(cls, path: Path) -> HsRateTable:
        """Load a table from a CSV file in the shipped format."""
        with path.open(encoding="utf-8", newline="") as handle:
            return cls.from_rows(csv.DictReader(handle))


def _rates_of_row(row: Mapping[str, str | None]) -> TaxRates:
    def text(name: str) -> str:
        return (row.get(name) or "").strip()

    def fraction(name: str) -> Decimal:
        value = Decimal(text(name))
        if not value.is_finite() or not 0 <= value < 1:
            raise ValueError(f"{name} must be a fraction in [0, 1)")
        return value

    def amount(name: str) -> Decimal | None:
        if not text(name):
            return None
        value = Decimal(text(name))
        if not value.is_finite() or value < 0:
            raise ValueError(f"{name} must be a non-negative number")
        return value

    def paired(value_name: str, per_name: str) -> tuple[Decimal, Measure] | None:
        value = amount(value_name)
        if (value is None) != (not text(per_name)):
            raise ValueError(f"{value_name} and {per_name} go together")
        return None if value is None else (value, Measure.parse(text(per_name)))

    specific = paired("specific_amount", "specific_per")
    condition = paired("min_price", "min_price_per")
    litres = amount("litres_per_tonne")
    if litres == 0:
        raise ValueError("litres_per_tonne must be positive")
    return TaxRates(
        tariff=fraction("tariff_rate"),
        vat=fraction("vat_rate"),
        consumption=fraction("consumption_rate"),
        specific=SpecificDuty(*specific) if specific else None,
        condition=PriceCondition(*condition) if condition else None,
        litres_per_tonne=litres,
    )


def _linked(chain: list[TaxRates]) -> TaxRates:
    linked: TaxRates | None = None
    for entry in reversed(chain):
        linked = replace(entry, otherwise=linked)
    assert linked is not None  # a chain has at least the row that created it
    return linked


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
        _line_tax(
            line,
            price,
            policy.table.lookup(str(line.get("gcode", ""))).for_line(line, price),
            general,
            policy.retail_share,
        )
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
    # Compound consumption tax on imports: base = (value + tariff + specific) / (1 − rate),
    # consumption = base × rate + specific, VAT = base × VAT rate; within the limits tariff 0
    # and both at ``share``.  With no specific part this is the plain ad valorem formula.
    specific = rates.specific_duty(line)
    if general:
        tariff = price * rates.tariff
        consumption = (price + tariff + specific) * rates.consumption / (1 - rates.consumption) + specific
        vat = (price + tariff + consumption) * rates.vat
    else:
        tariff = _ZERO
        consumption = ((price + specific) * rates.consumption / (1 - rates.consumption) + specific) * share
        vat = (price + specific) * rates.vat / (1 - rates.consumption) * share
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
