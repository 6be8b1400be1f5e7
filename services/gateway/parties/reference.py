"""Reference data for parties: Lianyungang's districts/zones, and parks/incubators.

Loaded once from the YAML files in ``data/`` and validated into frozen pydantic
models, so a typo in the data (a park pointing at an unknown district, a
duplicated id) fails at start-up rather than in a reward run.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

__all__ = [
    "City",
    "District",
    "DistrictKind",
    "Park",
    "ParkKind",
    "ReferenceData",
    "district_by_division_code",
    "get_district",
    "get_park",
    "list_districts",
    "list_parks",
    "load_reference_data",
    "parks_in_district",
]

DATA_DIR = Path(__file__).parent / "data"

DivisionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class DistrictKind(StrEnum):
    """Statutory divisions versus administered functional zones (功能板块)."""

    DISTRICT = "district"
    COUNTY = "county"
    FUNCTIONAL_ZONE = "functional_zone"


class ParkKind(StrEnum):
    """The two kinds of place the policy rewards separately."""

    INDUSTRIAL_PARK = "industrial_park"
    INCUBATION_BASE = "incubation_base"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class City(_Frozen):
    """The city the platform serves."""

    id: Identifier
    name_zh: str
    name_en: str
    division_code: DivisionCode


class District(_Frozen):
    """A district, county or functional zone a party can be located in."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "haizhou",
                    "name_zh": "海州区",
                    "name_en": "Haizhou District",
                    "kind": "district",
                    "division_code": "320706",
                    "host_division_codes": [],
                }
            ]
        },
    )

    id: Identifier
    name_zh: str
    name_en: str
    kind: DistrictKind
    division_code: DivisionCode | None = None
    host_division_codes: tuple[DivisionCode, ...] = ()

    @model_validator(mode="after")
    def _codes_match_kind(self) -> District:
        # Only statutory divisions have a GB/T 2260 code; zones only sit inside them.
        if self.kind is DistrictKind.FUNCTIONAL_ZONE:
            if self.division_code is not None or not self.host_division_codes:
                raise ValueError(f"{self.id}: a functional zone has host_division_codes, no division_code")
        elif self.division_code is None or self.host_division_codes:
            raise ValueError(f"{self.id}: a district or county has a division_code only")
        return self


class Park(_Frozen):
    """An industrial park or incubation base (reference data — see the YAML header)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "donghai_crystal_export_incubator",
                    "name_zh": "水晶跨境电商出口孵化基地",
                    "name_en": "Donghai Crystal Cross-border E-commerce Export Incubation Base",
                    "kind": "incubation_base",
                    "district_id": "donghai",
                    "focus": "水晶及水晶饰品出口 (crystal and crystal jewellery exports)",
                    "source": "policy",
                    "note": None,
                }
            ]
        },
    )

    id: Identifier
    name_zh: str
    name_en: str
    kind: ParkKind
    district_id: Identifier
    focus: str | None = None
    source: Literal["policy", "certified", "illustrative"]
    note: str | None = None


class ReferenceData(_Frozen):
    """All reference data, cross-checked."""

    city: City
    districts: tuple[District, ...]
    parks: tuple[Park, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ReferenceData:
        district_ids = [d.id for d in self.districts]
        park_ids = [p.id for p in self.parks]
        for label, ids in (("district", district_ids), ("park", park_ids)):
            duplicates = {i for i in ids if ids.count(i) > 1}
            if duplicates:
                raise ValueError(f"duplicate {label} ids: {sorted(duplicates)}")
        statutory = {d.division_code for d in self.districts if d.division_code}
        for district in self.districts:
            if district.division_code and district.division_code[:4] != self.city.division_code[:4]:
                raise ValueError(f"{district.id}: {district.division_code} is not in {self.city.name_en}")
            unknown = set(district.host_division_codes) - statutory
            if unknown:
                raise ValueError(f"{district.id}: host divisions {sorted(unknown)} are not listed districts")
        for park in self.parks:
            if park.district_id not in district_ids:
                raise ValueError(f"park {park.id}: unknown district_id {park.district_id!r}")
        return self


def _read_yaml(name: str) -> dict[str, object]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return loaded


@lru_cache(maxsize=1)
def load_reference_data() -> ReferenceData:
    """Load and validate both YAML files (cached; the data is immutable)."""
    districts = _read_yaml("districts.yaml")
    parks = _read_yaml("parks_incubators.yaml")
    return ReferenceData.model_validate(
        {"city": districts["city"], "districts": districts["districts"], "parks": parks["parks"]}
    )


def list_districts(kind: DistrictKind | None = None) -> tuple[District, ...]:
    """All districts, counties and zones in file order, optionally of one kind."""
    items = load_reference_data().districts
    return items if kind is None else tuple(d for d in items if d.kind is kind)


def get_district(district_id: str) -> District | None:
    """The district with this id, or None."""
    return next((d for d in load_reference_data().districts if d.id == district_id), None)


def district_by_division_code(code: str) -> District | None:
    """The statutory district or county with this GB/T 2260 code, or None."""
    return next((d for d in load_reference_data().districts if d.division_code == code), None)


def list_parks(kind: ParkKind | None = None) -> tuple[Park, ...]:
    """All parks and incubation bases, optionally of one kind."""
    items = load_reference_data().parks
    return items if kind is None else tuple(p for p in items if p.kind is kind)


def get_park(park_id: str) -> Park | None:
    """The park or incubation base with this id, or None."""
    return next((p for p in load_reference_data().parks if p.id == park_id), None)


def parks_in_district(district_id: str) -> tuple[Park, ...]:
    """Parks and incubation bases whose district_id is ``district_id``."""
    return tuple(p for p in load_reference_data().parks if p.district_id == district_id)
