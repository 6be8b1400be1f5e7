"""Request and response shapes of the warehouse registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.logistics.decimals import Cents
from services.logistics.reference.countries import CountryCode
from services.logistics.warehouses.rules import CertificationLevel, Usage, WarehouseStatus
from shared.kit.pagination import Page

Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")]
Area = Annotated[Decimal, Field(gt=0, le=Decimal("10000000"), max_digits=12, decimal_places=2)]
Year = Annotated[int, Field(ge=2000, le=2100)]

_EXAMPLE: dict[str, Any] = {
    "code": "DE-FRA-01",
    "name": "连云港跨境通法兰克福公共海外仓",
    "country": "DE",
    "city": "Frankfurt am Main",
    "address": "Cargo City Süd, Gebäude 639, 60549 Frankfurt am Main",
    "postal_code": "60549",
    "area_m2": "12000.00",
    "opened_on": "2022-05-01",
    "usage": "public",
    "has_api": True,
    "certification_level": "municipal",
    "certification_year": 2024,
}


class WarehouseIn(BaseModel):
    """Registering a warehouse. An operator registers its own; an admin names the operator."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    operator_party_id: str | None = Field(
        default=None, max_length=64, description="admins only: the operator party (default: the caller)"
    )
    code: Code = Field(description="the operator's own code for the warehouse, unique per operator")
    name: Text200
    country: CountryCode
    city: Text100
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    area_m2: Area = Field(description="floor area in square metres")
    opened_on: dt.date = Field(description="start of operations")
    usage: Usage = Field(
        description="`public`: serves any enterprise (公共海外仓); `own`: the operator's own"
    )
    has_api: bool = Field(description="whether the warehouse's system exchanges data through an API")
    certification_level: CertificationLevel | None = Field(
        default=None, description="the certification held (the regulator assesses it in statistics)"
    )
    certification_year: Year | None = None


class WarehousePatch(BaseModel):
    """Changing a profile: only the fields sent change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"area_m2": "15000.00"}]})

    name: Text200 | None = None
    city: Text100 | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)] | None = (
        None
    )
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    area_m2: Area | None = None
    opened_on: dt.date | None = None
    usage: Usage | None = None
    has_api: bool | None = None
    certification_level: CertificationLevel | None = None
    certification_year: Year | None = None
    status: WarehouseStatus | None = None


class WarehouseOut(BaseModel):
    """A warehouse of the registry."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": "wh_x", **_EXAMPLE}]}
    )

    id: str
    operator_party_id: str
    code: str
    name: str
    country: str
    city: str
    address: str
    postal_code: str | None
    area_m2: Cents
    opened_on: dt.date
    usage: Usage
    has_api: bool
    certification_level: CertificationLevel | None
    certification_year: int | None
    status: WarehouseStatus
    years_operating: int = Field(description="whole years since the start of operations, today")
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


WarehousePage = Page[WarehouseOut]
