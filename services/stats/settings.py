"""Settings of the stats service (environment prefix ``DDT_STATS_``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

_ROOT = Path(__file__).resolve().parents[2]


class StatsSettings(ServiceSettings):
    """Stats service settings; see :class:`shared.settings.ServiceSettings` for the common ones."""

    model_config = SettingsConfigDict(env_prefix="DDT_STATS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "stats"
    default_port: ClassVar[int] = 8004

    exchange_rates_file: Path | None = Field(
        default=None,
        description="A customs monthly rate CSV (currency,month,cny_per_unit) loaded at start-up; "
        "the default table is used when the statistics have no rates at all.",
    )
    places_file: Path = Field(
        default=_ROOT / "services" / "gateway" / "parties" / "data" / "parks_incubators.yaml",
        description="The platform's parks/incubators reference list (kind and district of each park id); "
        "reward runs treat the parks listed there as certified.",
    )
    districts_file: Path = Field(
        default=_ROOT / "services" / "gateway" / "parties" / "data" / "districts.yaml",
        description="The platform's districts reference list: the names exports and the dashboard show "
        "for district ids.",
    )
    goods_funds_band_low: Decimal = Field(
        default=Decimal("0.8"),
        gt=0,
        lt=1,
        description="Matched funds / declared goods below this is flagged.",
    )
    goods_funds_band_high: Decimal = Field(
        default=Decimal("1.2"), gt=1, description="Matched funds / declared goods above this is flagged."
    )
    export_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the export worker looks for jobs."
    )
    export_job_max_attempts: int = Field(default=3, ge=1)
    sync_export_max_subjects: int = Field(
        default=2000,
        ge=0,
        description="Runs up to this many subjects export to XLSX in the request; larger ones use a job.",
    )
