"""Settings of the declaration service (environment prefix ``DDT_DECLARATION_``).

Everything the customs specification leaves open (customs-domain.md marks those
points) is a setting here, with the default docs/declaration.md justifies. Keys for
personal data are :func:`~shared.settings.secret_field` values: the development
defaults let the embedded mode start with nothing configured, and production
refuses to start while any of them is still the default.
"""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, secret_field

#: Body limit: a 100-record CEB621 with 99 lines per record is about 8 MB of XML
#: (ceb.xml_security.XmlLimits); 16 MiB leaves room for signatures and pretty-printing.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def _dev_key(label: str) -> str:
    # Deterministic and public by construction: development only, refused in production.
    return (
        base64.urlsafe_b64encode(hashlib.sha256(f"dev-insecure-{label}".encode()).digest())
        .decode()
        .rstrip("=")
    )


DEV_PII_KEYS = f"dev:{_dev_key('ddt-declaration-pii')}"
DEV_PII_HASH_KEY = _dev_key("ddt-declaration-pii-hash")

Severity = Literal["error", "review", "off"]


class DeclarationSettings(ServiceSettings):
    """Declaration service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_DECLARATION_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "declaration"
    default_port: ClassVar[int] = 8001

    max_body_bytes: int = Field(
        default=MAX_MESSAGE_BYTES,
        ge=1024,
        description="Largest request body; sized for 100-record messages (a 50 MB body gets 413).",
    )
    db_pool_pre_ping: bool = Field(
        default=False,
        description="Off here: with asyncpg a pre-ping is three round trips per transaction, a fifth of a "
        "one-record filing's; a filing whose pooled connection turns out broken is retried instead.",
    )
    intake_concurrency: int = Field(
        default=8, ge=1, description="Filings processed at once (each holds a database connection)."
    )
    intake_queue_limit: int = Field(
        default=200, ge=0, description="Filings allowed to wait for a slot; beyond, 503 at once."
    )
    intake_wait_seconds: float = Field(default=10.0, gt=0, description="Longest wait for a slot before 503.")
    xml_max_depth: int = Field(default=32, ge=8, le=256, description="Deepest XML element nesting accepted.")

    # --- personal data -------------------------------------------------------------
    pii_keys: SecretStr = secret_field(
        DEV_PII_KEYS,
        "AES-256-GCM keyring for personal data at rest: comma-separated `key_id:base64url(32 bytes)`.",
    )
    pii_active_key_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,32}$",
        description="Key id new ciphertexts are written with (default: the keyring's first); "
        "older ids stay readable, for rotation.",
    )
    pii_hash_key: SecretStr = secret_field(
        DEV_PII_HASH_KEY,
        "HMAC-SHA256 key of the lookup hashes of buyer/payer ID numbers (base64url, ≥ 32 bytes).",
    )

    # --- reference data ----------------------------------------------------------------
    exchange_rates_file: Path | None = Field(
        default=None,
        description="Monthly customs CNY rates (CSV: currency,month,cny_per_unit); default: shipped table.",
    )
    hs_tax_rates_file: Path | None = Field(
        default=None,
        description="Tax rates by HS prefix (CSV as ceb/data/hs_tax_rates.csv); default: shipped table.",
    )

    # --- retail import limits and tax -------------------------------------------------------
    single_transaction_limit_cny: Decimal = Field(default=Decimal("5000"), gt=0)
    annual_limit_cny: Decimal = Field(default=Decimal("26000"), gt=0)
    retail_tax_share: Decimal = Field(default=Decimal("0.7"), gt=0, le=1)
    allow_single_indivisible_item: bool = True

    # --- business rules the spec leaves open ----------------------------------------------------
    goods_value_sum: Severity = Field(
        default="review", description="Σ line totalPrice = goodsValue is inferred, not stated by the spec."
    )
    allow_simplified_gcode: bool = Field(
        default=True, description="4/6-digit HS codes under statisticsFlag A (Lianyungang is a 综试区)."
    )
    b2b_channel_limit_cny: Decimal = Field(default=Decimal("5000"), gt=0)
    b2b_restricted_hs_prefixes: list[str] = Field(
        default_factory=list,
        description="HS prefixes needing licence/duty/inspection: 9710/9810 must use H2018.",
    )
    waybill_number_reuse_months: int = Field(
        default=6, ge=1, le=120, description="A carrier may reuse a logisticsNo after this many months."
    )
    platform_signs_outbound: bool = Field(
        default=True,
        description="The platform signs what it sends to customs: JSON filings need no enterprise signature.",
    )

    # --- who may file ------------------------------------------------------------------------
    ownership_profile: Literal["strict", "by_sender"] = Field(
        default="strict",
        description="strict: every enterprise code must be the caller's (orders' ebcCode may be a merchant's "
        "the caller files for); by_sender: only the sender's own codes, counterparties are references.",
    )
    ownership_exempt_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra code fields, per message type, that name another party and are not checked "
        'for ownership (e.g. {"CEB411": ["ebpCode"]}).',
    )
    ownership_delegable_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra code fields, per message type, the caller may fill with the code of a party "
        "listed in its identity's on_behalf_of.",
    )

    # --- three-document match ------------------------------------------------------------------
    match_inferred_severity: Severity = Field(
        default="review", description="Comparisons the spec does not state (freight, insuredFee, weights)."
    )
    match_compare_gname: bool = Field(
        default=True, description="Inventory gname must equal the order's itemName."
    )

    @property
    def pii_key_ids(self) -> list[str]:
        """Key ids of the keyring, in order."""
        entries = self.pii_keys.get_secret_value().split(",")
        return [entry.split(":", 1)[0].strip() for entry in entries if entry.strip()]

    @property
    def effective_pii_key_id(self) -> str:
        """The key new personal data is sealed with."""
        return self.pii_active_key_id or self.pii_key_ids[0]

    @model_validator(mode="after")
    def _active_key_is_in_keyring(self) -> DeclarationSettings:
        if self.pii_active_key_id is not None and self.pii_active_key_id not in self.pii_key_ids:
            raise ValueError(
                f"DDT_DECLARATION_PII_ACTIVE_KEY_ID {self.pii_active_key_id!r} "
                "is not in DDT_DECLARATION_PII_KEYS"
            )
        return self
