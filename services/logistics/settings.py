"""Settings of the logistics service (environment prefix ``DDT_LOGISTICS_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

#: Hours without an event before a leg is reported stale, per mode (AfterShip alerts after
#: 24/48/72 h pending; parcels on a ferry or a train are silent for longer by nature).
DEFAULT_STALE_HOURS = {"post": 120, "express": 48, "air": 48, "sea": 72, "rail": 120, "road": 72}


class LogisticsSettings(ServiceSettings):
    """Logistics service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_LOGISTICS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "logistics"
    default_port: ClassVar[int] = 8002

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
