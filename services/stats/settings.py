"""Settings of the stats service (environment prefix ``DDT_STATS_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class StatsSettings(ServiceSettings):
    """Stats service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_STATS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "stats"
    default_port: ClassVar[int] = 8004
