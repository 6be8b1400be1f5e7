"""Parks and incubators: which kind each park id is, its district and names.

The statistics only receive park ids (on facts and registry entries); a reward run
needs to know whether an id is an industrial park (产业园) or an incubation base
(孵化基地) — they have different ceilings. The list is the platform's reference
file (the gateway's ``parks_incubators.yaml``, read as data), configurable with
``DDT_STATS_PLACES_FILE``. The parks listed are treated as certified (认定); a run
request can override that per park.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml


@dataclass(frozen=True)
class Place:
    """A park or incubator of the reference list."""

    place_id: str
    kind: Literal["park", "incubator"]
    name_zh: str
    name_en: str
    district: str


def load_places(path: Path) -> dict[str, Place]:
    """The places of a reference file (empty if it does not exist)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    places = {}
    for entry in data.get("parks", []):
        kind: Literal["park", "incubator"] = "incubator" if entry.get("kind") == "incubation_base" else "park"
        places[entry["id"]] = Place(
            entry["id"],
            kind,
            entry.get("name_zh") or entry["id"],
            entry.get("name_en") or entry["id"],
            entry.get("district_id") or "unknown",
        )
    return places


@dataclass(frozen=True)
class PlaceDirectory:
    """The places the running service loaded at start-up, by id (a runtime component)."""

    places: dict[str, Place]
