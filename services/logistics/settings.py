"""Settings of the logistics service (environment prefix ``DDT_LOGISTICS_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class LogisticsSettings(ServiceSettings):
    """Logistics service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_LOGISTICS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "logistics"
    default_port: ClassVar[int] = 8002
