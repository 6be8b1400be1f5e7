"""What the logistics service derives from its settings once, at start-up.

The carrier table (how native formats name carriers), the customs monthly rates (costs
in CNY), the XML limits of the hardened parser and the routes of the regulator's view
are built here and kept as a runtime component (:mod:`shared.kit.context`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.logistics.adapters.tables import reference
from services.logistics.settings import LogisticsSettings
from shared.fx import RateTable
from shared.kit.context import component
from shared.xml_security import XmlLimits


@dataclass(frozen=True)
class CarrierEntry:
    """A carrier as native formats name it."""

    key: str
    name: str
    mode: str


@dataclass
class LogisticsContext:
    """Configuration and reference data of the running logistics service."""

    settings: LogisticsSettings
    carriers: dict[tuple[str, str], CarrierEntry]
    rates: RateTable
    xml_limits: XmlLimits

    @classmethod
    def from_settings(cls, settings: LogisticsSettings) -> LogisticsContext:
        """Build everything once; an unreadable file fails start-up loudly."""
        if settings.carriers_file:
            text = settings.carriers_file.read_text("utf-8")
            lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
            rows = [
                {k: (v or "").strip() for k, v in r.items()}
                for r in csv.DictReader(io.StringIO("\n".join(lines)))
            ]
        else:
            rows = reference("carriers")
        carriers = {
            (row["scheme"], row["identifier"].upper()): CarrierEntry(row["carrier"], row["name"], row["mode"])
            for row in rows
        }
        rates = (
            RateTable.from_file(settings.exchange_rates_file)
            if settings.exchange_rates_file
            else RateTable.default()
        )
        return cls(
            settings=settings,
            carriers=carriers,
            rates=rates,
            xml_limits=XmlLimits(max_bytes=settings.max_body_bytes, max_depth=settings.xml_max_depth),
        )

    def carrier(self, scheme: str, identifier: str | None) -> CarrierEntry | None:
        """The carrier a native identifier names, if the table knows it."""
        if not identifier:
            return None
        return self.carriers.get((scheme, identifier.strip().upper()))

    def stale_hours(self, mode: str) -> int:
        """Hours without an event before a leg of ``mode`` is stale."""
        return int(self.settings.stale_hours.get(mode, 72))


LogisticsContextDep = Annotated[LogisticsContext, Depends(component(LogisticsContext))]
