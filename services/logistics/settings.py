"""Settings of the logistics service (environment prefix ``DDT_LOGISTICS_``).

Keys for personal data at rest (buyers' addresses on outbound orders and returns) are
:func:`~shared.settings.secret_field` values: the development defaults let the embedded
mode start with nothing configured; production refuses to start while any is the default.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, secret_field


def _dev_key(label: str) -> str:
    # Deterministic and public by construction: development only, refused in production.
    digest = hashlib.sha256(f"dev-insecure-{label}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


DEV_VAULT_KEYS = f"dev:{_dev_key('ddt-logistics-vault')}"
DEV_VAULT_HASH_KEY = _dev_key("ddt-logistics-vault-hash")


class LogisticsSettings(ServiceSettings):
    """Logistics service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_LOGISTICS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "logistics"
    default_port: ClassVar[int] = 8002

    # --- personal data at rest (warehousing: ship-to addresses) ------------------------------
    vault_keys: SecretStr = secret_field(
        DEV_VAULT_KEYS,
        "AES-256-GCM keyring for buyers' names, phones and addresses: comma-separated "
        "`key_id:base64url(32 bytes)`.",
    )
    vault_active_key_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,32}$",
        description="Key id new ciphertexts are written with (default: the keyring's first).",
    )
    vault_hash_key: SecretStr = secret_field(
        DEV_VAULT_HASH_KEY, "HMAC-SHA256 key of lookup hashes of personal data (base64url, ≥ 32 bytes)."
    )

    # --- warehousing, returns and claims --------------------------------------------------------
    compensation_rules_file: Path | None = Field(
        default=None, description="Loss and damage compensation rules (YAML); default: the packaged file."
    )
    sdr_rates_file: Path | None = Field(
        default=None,
        description="SDR → CNY rates (CSV: date,cny_per_sdr,source); default: the packaged file.",
    )
    evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024, description="Largest claim evidence file."
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="Largest request body (claim evidence is uploaded)."
    )
    reminder_check_seconds: float = Field(
        default=3600.0, gt=0, description="How often claim-window reminders and reports are looked for."
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
    def _active_key_is_in_keyring(self) -> LogisticsSettings:
        if self.vault_active_key_id is not None and self.vault_active_key_id not in self.vault_key_ids:
            raise ValueError("DDT_LOGISTICS_VAULT_ACTIVE_KEY_ID is not in DDT_LOGISTICS_VAULT_KEYS")
        return self
