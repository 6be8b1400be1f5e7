"""Everything the declaration service derives from its settings once, at start-up.

Rule and limit configuration, the tax and exchange-rate tables, the personal-data
vault, the ownership policy and the XML limits are built here and kept in
the runtime's components (:mod:`shared.kit.context`); requests read them, never rebuild them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated

from fastapi import Depends

from services.declaration.ceb.catalogue import Direction
from services.declaration.ceb.issues import Severity
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.xml_security import XmlLimits
from services.declaration.intake.admission import Admission
from services.declaration.matching.rules import MatchConfig
from services.declaration.personal_data.vault import Vault
from services.declaration.prechecks.ownership import OwnershipPolicy
from services.declaration.prechecks.rules.config import RuleConfig
from services.declaration.quota.rules import QuotaLimits
from services.declaration.settings import DeclarationSettings
from services.declaration.tax.rules import HsRateTable, TaxPolicy, default_rate_table
from shared.fx import RateTable, UnknownRate
from shared.kit.context import component
from shared.service import Runtime

_SEVERITY: dict[str, Severity | None] = {"error": Severity.ERROR, "review": Severity.REVIEW, "off": None}
# Currencies whose monthly rate feeds the 9710/9810 channel limit (the JGS-20 codes
# the shipped rate table knows); a currency without a rate makes the rule flag for review.
_CHANNEL_CURRENCIES = ("110", "116", "132", "133", "142", "300", "303", "344", "501", "502", "601")


@dataclass
class DeclarationContext:
    """Configuration and reference data of the running service."""

    settings: DeclarationSettings
    rules: RuleConfig
    limits: QuotaLimits
    tax: TaxPolicy
    rates: RateTable
    vault: Vault
    ownership: OwnershipPolicy
    match: MatchConfig
    xml_limits: XmlLimits
    admission: Admission
    _channel_rules: dict[str, RuleConfig] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: DeclarationSettings) -> DeclarationContext:
        """Build everything once; raises on unreadable tables or bad keys (start-up fails loudly)."""
        rules = RuleConfig(
            goods_value_sum=_SEVERITY[settings.goods_value_sum],
            allow_simplified_gcode=settings.allow_simplified_gcode,
            b2b_channel_limit_cny=settings.b2b_channel_limit_cny,
            b2b_restricted_hs_prefixes=frozenset(settings.b2b_restricted_hs_prefixes),
            # The platform signs outbound messages (part 2), so a JSON filing without the
            # enterprise's own signature is not a reason to refuse a declared (appStatus 2) record.
            signature_when_declared=(
                frozenset() if settings.platform_signs_outbound else RuleConfig().signature_when_declared
            ),
        )
        # The limits are configured here once; the rules, the tax, the quota and the
        # customs simulator all receive this one object.
        limits = QuotaLimits(
            single_transaction=settings.single_transaction_limit_cny,
            annual=settings.annual_limit_cny,
            allow_single_indivisible_item=settings.allow_single_indivisible_item,
        )
        table = (
            HsRateTable.from_csv(settings.hs_tax_rates_file)
            if settings.hs_tax_rates_file
            else default_rate_table()
        )
        return cls(
            settings=settings,
            rules=rules,
            limits=limits,
            tax=TaxPolicy(table, settings.retail_tax_share),
            rates=RateTable.from_file(settings.exchange_rates_file)
            if settings.exchange_rates_file
            else RateTable.default(),
            vault=Vault.from_text(
                settings.pii_keys.get_secret_value(),
                settings.effective_pii_key_id,
                settings.pii_hash_key.get_secret_value(),
            ),
            ownership=OwnershipPolicy.from_settings(
                settings.ownership_profile,
                settings.ownership_exempt_fields,
                settings.ownership_delegable_fields,
            ),
            match=MatchConfig(
                compare_gname_to_item_name=settings.match_compare_gname,
                inferred_severity=_SEVERITY[settings.match_inferred_severity],
            ),
            xml_limits=XmlLimits(max_bytes=settings.max_body_bytes, max_depth=settings.xml_max_depth),
            admission=Admission(
                settings.intake_concurrency, settings.intake_queue_limit, settings.platform.budget
            ),
        )

    def rules_for(self, message: CebMessage, on: dt.date) -> RuleConfig:
        """Rule config for a message: export messages get the month's CNY rates for the 9710/9810 limit."""
        if message.spec.direction is not Direction.EXPORT:
            return self.rules
        month = on.strftime("%Y-%m")
        cached = self._channel_rules.get(month)
        if cached is None:
            cached = dataclasses.replace(self.rules, cny_rates=_rates_for(self.rates, on))
            self._channel_rules = {month: cached}  # one month kept: rates change monthly
        return cached


def _rates_for(rates: RateTable, on: dt.date) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for currency in _CHANNEL_CURRENCIES:
        try:
            found[currency] = rates.rate(currency, on)[0]
        except UnknownRate:
            continue
    return found


#: The context, for routes: ``ctx: DeclarationContextDep``.
DeclarationContextDep = Annotated[DeclarationContext, Depends(component(DeclarationContext))]


def context_of(runtime: Runtime) -> DeclarationContext:
    """The context stored at start-up."""
    return runtime.components.get(DeclarationContext)


__all__ = ["DeclarationContext", "DeclarationContextDep", "context_of"]
