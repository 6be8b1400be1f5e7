"""Settings of the payments service (environment prefix ``DDT_PAYMENTS_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """Payments service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_PAYMENTS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "payments"
    default_port: ClassVar[int] = 8003
