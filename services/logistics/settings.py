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

from shared.settings import DEV_IDENTITY_SEED, Environment, ServiceSettings, secret_field


def _dev_key(label: str) -> str:
    # Deterministic and public by construction: development only, refused in production.
    digest = hashlib.sha256(f"dev-insecure-{label}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


DEV_VAULT_KEYS = f"dev:{_dev_key('ddt-logistics-vault')}"
DEV_VAULT_HASH_KEY = _dev_key("ddt-logistics-vault-hash")


#: Hours without an event before a leg is reported stale, per mode (AfterShip alerts after
#: 24/48/72 h pending; parcels on a ferry or a train are silent for longer by nature).
DEFAULT_STALE_HOURS = {"post": 120, "express": 48, "air": 48, "sea": 72, "rail": 120, "road": 72}


class LogisticsSettings(ServiceSettings):
    """Logistics service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_LOGISTICS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "logistics"
    default_port: ClassVar[int] = 8002

    # --- tracking (issue 10) ----------------------------------------------------------------------
    max_batch_events: int = Field(default=1000, ge=1, le=10_000, description="Events one push may carry.")
    future_tolerance_minutes: int = Field(
        default=15,
        ge=0,
        le=24 * 60,
        description="How far ahead of now an actual event's time may be (clock skew); later is refused.",
    )
    stale_hours: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_STALE_HOURS),
        description='Hours without an event before a leg is stale, per mode (JSON, e.g. {"sea": 96}).',
    )
    stale_check_seconds: float = Field(default=300, gt=0, description="How often stale legs are looked for.")
    default_mode: str = Field(
        default="express",
        description="Mode of a leg created from a customs waybill before anything tells it.",
    )
    xml_max_depth: int = Field(default=32, ge=4, le=256)
    carriers_file: Path | None = Field(
        default=None,
        description="A carriers CSV replacing the packaged one (scheme,identifier,carrier,name,mode).",
    )
    sites_file: Path | None = Field(
        default=None,
        description="A supervised-sites CSV seeding the site table at start (loct_no,customs_code,"
        "operator_code,operator_name,name,locode,aliases).",
    )
    exchange_rates_file: Path | None = Field(default=None, description="Customs monthly rates (shared.fx).")

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
    import_return_window_days: int = Field(
        default=30,
        ge=1,
        description="Import returns: days after release a return may be opened — keep equal to the "
        "declaration service's customs_return_window_days, which checks the CEB625 filing.",
    )
    claim_window_reminder_days: int = Field(
        default=7, ge=1, le=60, description="Days before a claim window closes that its claimant is reminded."
    )
    housekeeping_enabled: bool = Field(
        default=True, description="Run the warehousing housekeeping loop (monthly reports, claim reminders)."
    )
    reminder_check_seconds: float = Field(
        default=3600.0, gt=0, description="How often claim-window reminders and reports are looked for."
    )

    # --- the embedded carrier simulator (issue 10 item 10; services/logistics/simulator) -----------
    carrier_simulator_enabled: bool | None = Field(
        default=None,
        description="Play every leg's journey in its carrier's format through the public push routes; "
        "default on except in production, which refuses it.",
    )
    carrier_simulator_seed: int = Field(
        default=0, description="Same seed, same journeys (per shipment and leg)."
    )
    carrier_simulator_delay_scale: float = Field(
        default=0.001,
        ge=0,
        description="Multiplies the journeys' durations (0.001: a ten-day post journey in about 14 minutes; "
        "0: every step at once).",
    )
    carrier_simulator_delay_rate: float = Field(default=0.1, ge=0, le=1)
    carrier_simulator_hold_rate: float = Field(default=0.05, ge=0, le=1, description="Customs holds.")
    carrier_simulator_damage_rate: float = Field(default=0.02, ge=0, le=1)
    carrier_simulator_loss_rate: float = Field(default=0.01, ge=0, le=1)
    carrier_simulator_poll_seconds: float = Field(default=2.0, gt=0, description="Time between two passes.")
    carrier_simulator_batch: int = Field(default=200, ge=1, le=10_000, description="Legs looked at per pass.")
    carrier_simulator_url: str | None = Field(
        default=None, description="Where the pushes go (default: this service's own port)."
    )
    carrier_simulator_identity_seed: SecretStr = Field(
        default=SecretStr(DEV_IDENTITY_SEED),
        description="Ed25519 seed the simulator's carrier identity tokens are signed with; its public key "
        "must be DDT_IDENTITY_PUBLIC_KEY (the embedded mode's development pair by default).",
    )

    carrier_simulator_warehouses: bool = Field(
        default=True,
        description="While the simulator runs, also play every overseas warehouse's operator (receiving, "
        "putaway, fulfilment, returns) and every registered carrier's claims desk.",
    )
    carrier_simulator_discrepancy_rate: float = Field(
        default=0.1, ge=0, le=1, description="Announced box lines counted short, over or damaged."
    )
    carrier_simulator_unsellable_rate: float = Field(
        default=0.3, ge=0, le=1, description="Returned units graded unsellable."
    )
    carrier_simulator_documents_rate: float = Field(
        default=0.3, ge=0, le=1, description="Claims for which the carrier asks for documents."
    )
    carrier_simulator_reject_rate: float = Field(default=0.15, ge=0, le=1, description="Claims rejected.")
    carrier_simulator_partial_rate: float = Field(
        default=0.25, ge=0, le=1, description="Approvals for part of the offer."
    )
    carrier_simulator_last_mile_carrier: str | None = Field(
        default=None,
        max_length=32,
        description="Carrier code simulated warehouses ship parcels with (default: one of the registry's "
        "logistics firms, drawn per order).",
    )

    @property
    def carrier_simulator_active(self) -> bool:
        """Whether the carrier simulator runs (on by default outside production)."""
        if self.carrier_simulator_enabled is None:
            return self.environment is not Environment.PRODUCTION
        return self.carrier_simulator_enabled

    @model_validator(mode="after")
    def _no_simulator_in_production(self) -> LogisticsSettings:
        if self.carrier_simulator_enabled and self.environment is Environment.PRODUCTION:
            raise ValueError(
                "production refuses the carrier simulator; unset DDT_LOGISTICS_CARRIER_SIMULATOR_ENABLED"
            )
        return self

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
