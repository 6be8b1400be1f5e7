"""Settings of the declaration service (environment prefix ``DDT_DECLARATION_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DeclarationSettings(ServiceSettings):
    """Declaration service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_DECLARATION_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "declaration"
    default_port: ClassVar[int] = 8001
