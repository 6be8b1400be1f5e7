"""Settings of the gateway (environment prefix ``DDT_GATEWAY_``)."""

from __future__ import annotations

import base64
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_IDENTITY_SEED, Environment, ServiceSettings, secret_field

# Development keys: fixed so that every embedded process agrees without configuration;
# public by construction, hence refused in production (see shared.settings).
DEV_CREDENTIAL_KEY = base64.urlsafe_b64encode(b"dev-insecure-ddt-credential-kek!").decode().rstrip("=")
DEV_OAUTH_SEED = base64.urlsafe_b64encode(b"dev-insecure-ddt-oauth-jwt-seed!").decode().rstrip("=")


class GatewaySettings(ServiceSettings):
    """Gateway settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_GATEWAY_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000

    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Largest request body; customs messages carry up to 100 records (the declaration "
        "service's own limit is the same).",
    )

    # --- keys -------------------------------------------------------------------------
    identity_private_key: SecretStr = secret_field(
        DEV_IDENTITY_SEED, "base64url Ed25519 seed the gateway signs internal identity tokens with."
    )
    credential_encryption_key: SecretStr = secret_field(
        DEV_CREDENTIAL_KEY,
        "base64url 32-byte AES-256-GCM key-encryption key for API-key and webhook secrets at rest.",
    )
    oauth_signing_key: SecretStr = secret_field(
        DEV_OAUTH_SEED, "base64url Ed25519 seed the gateway signs OAuth2 access tokens with."
    )

    # --- upstreams ----------------------------------------------------------------------
    declaration_url: str = "http://127.0.0.1:8001"
    logistics_url: str = "http://127.0.0.1:8002"
    payments_url: str = "http://127.0.0.1:8003"
    stats_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Read timeout: the ceiling for long synchronous operations (reward runs, "
        "reconciliations). The connect timeout and the start-by stamped on forwarded requests follow from "
        "DDT_REQUEST_BUDGET_SECONDS (shared/budget.py).",
    )
    upstream_max_connections: int = Field(default=200, ge=1)
    inflight_floor: int = Field(
        default=8,
        ge=1,
        description="Fewest requests the gateway lets be in flight to one service before it refuses more "
        "at its door (503 service.overloaded); above it, the limit follows the service's observed "
        "throughput × the request budget's queue share, up to DDT_GATEWAY_UPSTREAM_MAX_CONNECTIONS "
        "(services/gateway/routing/inflight.py).",
    )
    circuit_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive upstream failures that open a service's circuit."
    )
    circuit_open_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long an open circuit answers 503 before one probe is let through.",
    )

    # --- OAuth2 -------------------------------------------------------------------------
    oauth_issuer: str = "https://gateway.diandiantong.example"
    oauth_audience: str = "ddt-api"
    oauth_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)

    # --- protection ---------------------------------------------------------------------
    rate_limit_per_second: float = Field(default=50.0, gt=0, description="Token refill rate per credential.")
    rate_limit_burst: int = Field(default=100, ge=1, description="Bucket capacity per credential.")
    redis_key_prefix: str = Field(
        default="ddt:gw:", description="Prefix of every Redis key the gateway writes."
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=24, description="How long Idempotency-Key results are kept."
    )
    idempotency_lock_seconds: int = Field(
        default=120,
        ge=1,
        description="How long an in-progress key blocks duplicates before it may be taken over.",
    )

    # --- webhooks -------------------------------------------------------------------------
    webhook_retry_window_hours: float = Field(
        default=25.0, ge=24.0, description="Failed deliveries are retried for this long, then dead-lettered."
    )
    webhook_first_retry_seconds: float = Field(default=30.0, gt=0)
    webhook_max_retry_interval_seconds: float = Field(default=3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_max_subscriptions_per_party: int = Field(default=10, ge=1)
    webhook_ca_file: str | None = Field(
        default=None,
        description="Extra CA bundle (PEM) trusted for webhook receivers besides the system's (private CAs).",
    )
    webhook_consumer_group: str = Field(
        default="gateway-webhooks",
        description="Kafka consumer group of the webhook fan-out; every replica of one deployment shares it.",
    )

    # --- audit ----------------------------------------------------------------------------
    audit_retention_days: int = Field(default=180, ge=1)
    audit_flush_seconds: float = Field(default=0.2, gt=0)

    # --- first run ------------------------------------------------------------------------
    bootstrap_on_empty: bool | None = Field(
        default=None,
        description="Create a platform admin and a demo enterprise on an empty registry "
        "(default: embedded mode only).",
    )

    @field_validator("credential_encryption_key")
    @classmethod
    def _kek_is_32_bytes(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except ValueError as exc:
            raise ValueError("credential_encryption_key must be base64url") from exc
        if len(decoded) != 32:
            raise ValueError("credential_encryption_key must decode to 32 bytes (AES-256)")
        return value

    @property
    def should_bootstrap(self) -> bool:
        """Whether an empty registry gets its first admin automatically."""
        if self.bootstrap_on_empty is not None:
            return self.bootstrap_on_empty
        return self.environment is Environment.EMBEDDED

    def upstream_url(self, service: str) -> str:
        """Base URL of ``service``."""
        return str(getattr(self, f"{service}_url")).rstrip("/")
