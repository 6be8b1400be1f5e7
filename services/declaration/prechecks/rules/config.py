"""Knobs for the business rules, with the defaults the module docstrings justify."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TypeVar

from services.declaration.ceb.issues import Severity

V = TypeVar("V")


def _frozen(mapping: Mapping[str, V]) -> Mapping[str, V]:
    # Read-only so a shared default config cannot be mutated by one caller.
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class RuleConfig:
    """Configuration of :func:`services.declaration.prechecks.rules.check_message`.

    Defaults follow the 202205 XSD annotations and customs-domain.md:

    * ``import_currency`` "142", ``import_pack_no`` 1, ``id_types`` {"1"}: the
      import XSD fixes these ("限定为…").
    * ``import_trade_modes`` {9610, 1210, 1239}: the CEB621 annotation names
      only 9610/1210, but 1239 is the bonded mode outside the ten pilot cities
      (customs-domain.md §1.1), so it is accepted and treated as bonded.
    * ``gcode_digits`` 10; ``simplified_gcode_digits``: with export
      ``statisticsFlag`` A a 4-digit heading is allowed (CEB603 annotation),
      6 digits for 9710/9810 simplified declaration in a 综试区
      (customs-domain.md §1.3).  ``allow_simplified_gcode`` switches that off
      for ports outside a pilot zone.  A full 10-digit code is always accepted.
    * ``goods_value_sum`` REVIEW: Σ line totalPrice = goodsValue is inferred,
      not stated by the spec (the official CEB311 sample violates it), so it
      flags for review instead of rejecting; ``None`` disables it.
    * ``line_total_tolerance`` 0: totalPrice must equal price × qty rounded
      half-up to the XSD's 5 decimals.
    * ``uppercase_guid`` True: the XSD annotation demands upper-case guids.
    * ``signature_when_declared``: messages that need ``ds:Signature`` when
      appStatus is 2 (interface-spec §6 / customs-domain.md §4.5).
    * ``b2b_channel_limit_cny`` 5000 with ``cny_rates`` {"142": 1}: 9710/9810
      shipments above 5,000 CNY, or with a licence, or with goods under
      ``b2b_restricted_hs_prefixes`` (duty/inspection), belong on an ordinary
      customs declaration (H2018).  Amounts in a currency without a rate are
      flagged for review, not rejected.
    * ``code_tables``: optional membership lists for unit/currency/country
      codes; by default only the 3-digit shape is checked because the official
      parameter tables are not in the repository.
    """

    import_currency: str = "142"
    import_pack_no: int = 1
    id_types: frozenset[str] = frozenset({"1"})
    import_trade_modes: frozenset[str] = frozenset({"9610", "1210", "1239"})
    bonded_trade_modes: frozenset[str] = frozenset({"1210", "1239"})
    direct_import_trade_modes: frozenset[str] = frozenset({"9610"})
    bonded_country: str = "142"
    export_trade_modes: frozenset[str] = frozenset({"9610", "1210", "1239", "9710", "9810"})
    import_order_types: frozenset[str] = frozenset({"I"})
    export_order_types: frozenset[str] = frozenset({"E", "B", "W"})
    b2b_trade_modes: Mapping[str, str] = field(default_factory=lambda: _frozen({"9710": "B", "9810": "W"}))
    gcode_digits: int = 10
    allow_simplified_gcode: bool = True
    simplified_gcode_digits: Mapping[str, int] = field(
        default_factory=lambda: _frozen({"9610": 4, "1210": 4, "1239": 4, "9710": 6, "9810": 6})
    )
    goods_value_sum: Severity | None = Severity.REVIEW
    line_total_tolerance: Decimal = Decimal("0")
    uppercase_guid: bool = True
    signature_when_declared: frozenset[str] = frozenset({"CEB621", "CEB623", "CEB625", "CEB711", "CEB607"})
    b2b_channel_limit_cny: Decimal = Decimal("5000")
    cny_rates: Mapping[str, Decimal] = field(default_factory=lambda: _frozen({"142": Decimal("1")}))
    b2b_restricted_hs_prefixes: frozenset[str] = frozenset()
    legal_qty_matches_when_same_unit: bool = True
    code_tables: Mapping[str, frozenset[str]] = field(default_factory=lambda: _frozen({}))
