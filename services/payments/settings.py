"""Settings of the payments service (environment prefix ``DDT_PAYMENTS_``).

Keys for financial data (account numbers, remitters, payers) and the platform's
evidence-signing key are :func:`~shared.settings.secret_field` values: the development
defaults let the embedded mode start with nothing configured; production refuses to
start while any of them is still the default.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import Environment, ServiceSettings, secret_field

#: A camt.053 day statement of a busy account is a few MB; 100,000 entries are ~60 MB.
MAX_STATEMENT_BYTES = 64 * 1024 * 1024


def _dev_key(label: str) -> str:
    # Deterministic and public by construction: development only, refused in production.
    digest = hashlib.sha256(f"dev-insecure-{label}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


DEV_VAULT_KEYS = f"dev:{_dev_key('ddt-payments-vault')}"
DEV_VAULT_HASH_KEY = _dev_key("ddt-payments-vault-hash")
DEV_EVIDENCE_SEED = _dev_key("ddt-payments-evidence-signing")


class PaymentsSettings(ServiceSettings):
    """Payments service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_PAYMENTS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "payments"
    default_port: ClassVar[int] = 8003

    max_body_bytes: int = Field(
        default=MAX_STATEMENT_BYTES,
        ge=1024,
        description="Largest request body (statements are large).",
    )
    xml_max_depth: int = Field(default=32, ge=8, le=256, description="Deepest XML nesting accepted.")

    # --- financial data at rest ------------------------------------------------------------
    vault_keys: SecretStr = secret_field(
        DEV_VAULT_KEYS,
        "AES-256-GCM keyring for account numbers and payer/remitter identities: "
        "comma-separated `key_id:base64url(32 bytes)`.",
    )
    vault_active_key_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,32}$",
        description="Key id new ciphertexts are written with (default: the keyring's first).",
    )
    vault_hash_key: SecretStr = secret_field(
        DEV_VAULT_HASH_KEY, "HMAC-SHA256 key of the lookup hashes of account numbers (base64url, ≥ 32 bytes)."
    )
    evidence_signing_seed: SecretStr = secret_field(
        DEV_EVIDENCE_SEED,
        "base64url Ed25519 seed the platform signs evidence packages with (its public key is published).",
    )
    evidence_key_id: str = Field(
        default="ddt-evidence-1", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="`kid` of the signing key."
    )

    # --- reference data ------------------------------------------------------------------------
    exchange_rates_file: Path | None = Field(
        default=None,
        description="Monthly customs/SAFE CNY rates (CSV: currency,month,cny_per_unit); default: shipped.",
    )

    # --- the USD 200,000 rule ------------------------------------------------------------------
    threshold_usd: Decimal = Field(
        default=Decimal("200000"), gt=0, description="Above it an unregistered firm must register (名录)."
    )
    warning_usd: Decimal = Field(
        default=Decimal("180000"), gt=0, description="From it SAFE's early-warning list applies."
    )

    # --- reconciliation -------------------------------------------------------------------------
    reconcile_auto_confidence: Decimal = Field(
        default=Decimal("0.95"), gt=0, le=1, description="Matches at or above apply automatically."
    )
    reconcile_suggest_confidence: Decimal = Field(
        default=Decimal("0.70"), gt=0, le=1, description="Below it a candidate is not even suggested."
    )
    reconcile_amount_tolerance: Decimal = Field(
        default=Decimal("0.03"), ge=0, lt=1, description="Relative shortfall a fee may explain (3 %)."
    )
    reconcile_date_window_days: int = Field(
        default=3, ge=0, le=60, description="Value dates within ± this many days may match."
    )
    reconcile_batch_size: int = Field(
        default=500, ge=1, description="Matches applied per transaction (a crash loses at most a batch)."
    )
    order_payment_days: int = Field(
        default=30, ge=0, le=365, description="When a released export order's money is expected (days)."
    )

    # --- export credit insurance ---------------------------------------------------------------
    shipment_declaration_working_days: int = Field(
        default=5, ge=1, le=30, description="Working days after shipment to declare it to the insurer."
    )
    public_holidays: list[dt.date] = Field(
        default_factory=list, description="Days that are not working days (weekends never are)."
    )
    reminder_check_seconds: float = Field(default=3600.0, gt=0, description="How often reminders run.")

    # --- tests only ----------------------------------------------------------------------------
    crash_at: str | None = Field(
        default=None,
        description="TEST ONLY: `step:n` kills this process (SIGKILL) the n-th time it reaches the step "
        "(reconcile.batch). Refused in production.",
    )

    @property
    def vault_key_ids(self) -> list[str]:
        """Key ids of the keyring, in order."""
        entries = self.vault_keys.get_secret_value().split(",")
        return [entry.split(":", 1)[0].strip() for entry in entries if entry.strip()]

    @property
    def effective_vault_key_id(self) -> str:
        """The key new ciphertexts are sealed with."""
        return self.vault_active_key_id or self.vault_key_ids[0]

    @model_validator(mode="after")
    def _consistent(self) -> PaymentsSettings:
        if self.vault_active_key_id is not None and self.vault_active_key_id not in self.vault_key_ids:
            raise ValueError("DDT_PAYMENTS_VAULT_ACTIVE_KEY_ID is not in DDT_PAYMENTS_VAULT_KEYS")
        if self.warning_usd >= self.threshold_usd:
            raise ValueError("DDT_PAYMENTS_WARNING_USD must be below DDT_PAYMENTS_THRESHOLD_USD")
        if self.reconcile_suggest_confidence > self.reconcile_auto_confidence:
            raise ValueError("the suggest confidence cannot exceed the auto-apply confidence")
        if self.environment is Environment.PRODUCTION and self.crash_at:
            raise ValueError("DDT_PAYMENTS_CRASH_AT is for tests only")
        return self
