"""Display names of the coded values a statistics table carries, in Chinese and English.

Facts store ids and codes (``haizhou``, ``donghai_crystal_export_incubator``, ``502``,
``export``); a person reads names. The regulator dashboard and the CSV/XLSX exports show
the same names because both take them from here: the dashboard loads them from
``GET /v1/stats/dashboard/names.json``, the exports from the same :class:`Names`.

* districts: the platform's reference file (the gateway's ``districts.yaml``, read as data;
  ``DDT_STATS_DISTRICTS_FILE``), the same file the gateway serves at ``/v1/reference/districts``;
* parks and incubators: the :mod:`~services.stats.reference.places` list;
* partner countries: ``data/countries.yaml``, by customs country code;
* direction and reward-subject kind: the platform's own vocabularies, below.

A value without a name (an id added to the facts before the reference file) is shown as
itself; an empty value (a fact with no district or park) as "未知"/"Unknown", as on screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.stats.reference.places import Place

COUNTRIES_FILE = Path(__file__).with_name("data") / "countries.yaml"
UNKNOWN = ("未知", "Unknown")

_FIXED: dict[str, dict[str, tuple[str, str]]] = {
    "direction": {"import": ("进口", "Import"), "export": ("出口", "Export")},
    # Reward subjects (services.stats.rewards.policy.SubjectKind).
    "kind": {
        "enterprise": ("企业", "Enterprise"),
        "park": ("产业园", "Park"),
        "incubator": ("孵化基地", "Incubator"),
    },
}


@dataclass(frozen=True)
class Names:
    """Names by column and code: ``columns["district"]["haizhou"] == ("海州区", "Haizhou District")``."""

    columns: Mapping[str, Mapping[str, tuple[str, str]]]

    def name(self, column: str, value: Any, lang: str) -> Any:
        """The name of ``value`` in a ``column`` cell, in ``lang`` (zh or en); other cells unchanged."""
        if column not in self.columns or (value is not None and not isinstance(value, str)):
            return value
        if not value:
            return UNKNOWN[1] if lang == "en" else UNKNOWN[0]
        names = self.columns[column].get(value)
        if names is None:
            return value
        return names[1] if lang == "en" else names[0]

    def to_json(self) -> dict[str, dict[str, dict[str, str]]]:
        """``{"district": {"haizhou": {"zh": "海州区", "en": "Haizhou District"}}, …}``."""
        return {
            column: {code: {"zh": zh, "en": en} for code, (zh, en) in codes.items()}
            for column, codes in self.columns.items()
        }


def _districts(path: Path) -> dict[str, tuple[str, str]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return {
        d["id"]: (d.get("name_zh") or d["id"], d.get("name_en") or d["id"]) for d in data.get("districts", [])
    }


def _countries(path: Path) -> dict[str, tuple[str, str]]:
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return {str(code): (str(names[0]), str(names[1])) for code, names in data.items()}


def load_names(
    districts_file: Path, places: Mapping[str, Place], countries_file: Path = COUNTRIES_FILE
) -> Names:
    """The names of every named column (a missing districts file leaves districts as ids)."""
    return Names(
        {
            "district": _districts(districts_file),
            "park": {p.place_id: (p.name_zh, p.name_en) for p in places.values()},
            "country": _countries(countries_file),
            **_FIXED,
        }
    )
