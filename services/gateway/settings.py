"""Settings of the gateway (environment prefix ``DDT_GATEWAY_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_IDENTITY_SEED, Environment, ServiceSettings, secret_field


class GatewaySettings(ServiceSettings):
    """Gateway settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_GATEWAY_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000

    identity_private_key: SecretStr = secret_field(
        DEV_IDENTITY_SEED, "base64url Ed25519 seed the gateway signs internal identity tokens with."
    )
    declaration_url: str = "http://127.0.0.1:8001"
    logistics_url: str = "http://127.0.0.1:8002"
    payments_url: str = "http://127.0.0.1:8003"
    stats_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    dev_identity: str | None = Field(
        default=None,
        description="JSON identity used for unauthenticated calls; embedded/test only, refused in production.",
    )

    @model_validator(mode="after")
    def _no_dev_identity_in_production(self) -> GatewaySettings:
        if self.dev_identity and self.environment is Environment.PRODUCTION:
            raise ValueError("DDT_GATEWAY_DEV_IDENTITY is refused in production")
        return self

    def upstream_url(self, service: str) -> str:
        """Base URL of ``service``."""
        return str(getattr(self, f"{service}_url"))
