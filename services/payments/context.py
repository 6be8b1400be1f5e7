"""What the payments service derives from its settings once, at start-up.

The vault (account numbers, remitters and payers sealed at rest), the customs/SAFE
monthly rate table, the platform's evidence-signing key and the XML limits are built
here and kept in the runtime's components (:mod:`shared.kit.context`); requests read
them, never rebuild them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends

from services.payments.settings import PaymentsSettings
from shared.crashpoints import CrashPoints
from shared.fx import RateTable
from shared.identity import private_key_from_seed
from shared.kit.context import component
from shared.vault import Vault
from shared.xml_security import XmlLimits


@dataclass
class PaymentsContext:
    """Configuration and reference data of the running payments service."""

    settings: PaymentsSettings
    vault: Vault
    rates: RateTable
    signing_key: Ed25519PrivateKey
    xml_limits: XmlLimits
    crash: CrashPoints

    @classmethod
    def from_settings(cls, settings: PaymentsSettings) -> PaymentsContext:
        """Build everything once; bad keys or an unreadable rate file fail start-up loudly."""
        vault = Vault.from_text(
            settings.vault_keys.get_secret_value(),
            settings.effective_vault_key_id,
            settings.vault_hash_key.get_secret_value(),
        )
        rates = (
            RateTable.from_file(settings.exchange_rates_file)
            if settings.exchange_rates_file
            else RateTable.default()
        )
        return cls(
            settings=settings,
            vault=vault,
            rates=rates,
            signing_key=private_key_from_seed(settings.evidence_signing_seed.get_secret_value()),
            xml_limits=XmlLimits(max_bytes=settings.max_body_bytes, max_depth=settings.xml_max_depth),
            crash=CrashPoints(settings.crash_at, ("reconcile.batch",)),
        )


PaymentsContextDep = Annotated[PaymentsContext, Depends(component(PaymentsContext))]
