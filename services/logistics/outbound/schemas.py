"""Request and response shapes of outbound orders."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.logistics.outbound.rules import HoldReason, Kind, Status
from services.logistics.products.schemas import SkuCode
from services.logistics.reference.countries import CountryCode
from shared.events.logistics import TransportMode
from shared.kit.pagination import Page

Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,63}$")
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

_B2C: dict[str, Any] = {
    "reference": "SO-20260401-0001",
    "warehouse_id": "wh_x",
    "kind": "b2c",
    "channel_order_no": "303-1234567-7654321",
    "lines": [{"sku": "CRY-BR-001", "quantity": 1}],
    "ship_to": {
        "name": "Anna Schmidt",
        "phone": "+49 69 1234567",
        "address_lines": ["Kaiserstraße 1"],
        "city": "Frankfurt am Main",
        "postal_code": "60311",
        "country": "DE",
    },
    "service_level": "standard",
}


class ShipToIn(BaseModel):
    """The buyer's address (personal data: stored encrypted, shown masked, never in events)."""

    model_config = ConfigDict(extra="forbid")

    name: Short
    phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()\-]{5,32}$")] | None
    ) = None
    email: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")]
        | None
    ) = None
    address_lines: list[Line] = Field(min_length=1, max_length=3)
    city: Short
    region: Short | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)] | None = None
    country: CountryCode


class LineIn(BaseModel):
    """Units of one SKU."""

    model_config = ConfigDict(extra="forbid")

    sku: SkuCode
    quantity: int = Field(ge=1, le=100_000)


class OrderIn(BaseModel):
    """An outbound order: a B2C parcel to a buyer (``ship_to``), or a B2B transfer to a facility."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_B2C]})

    reference: Reference = Field(description="your order number; the same reference twice is one order")
    warehouse_id: str = Field(max_length=32)
    owner_party_id: str | None = Field(
        default=None, max_length=64, description="a platform names its merchant"
    )
    kind: Kind
    channel_order_no: Annotated[str, StringConstraints(max_length=64)] | None = None
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    ship_to: ShipToIn | None = Field(default=None, description="required for b2c")
    destination_country: CountryCode | None = Field(default=None, description="b2b: where the facility is")
    destination_facility: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)] | None
    ) = Field(default=None, description="b2b: the receiving facility, e.g. FBA:LGB8")
    service_level: Annotated[str, StringConstraints(max_length=32)] | None = None
    hold: bool = Field(default=False, description="create it on hold (merchant_hold) until released")

    @model_validator(mode="after")
    def _destination(self) -> OrderIn:
        if self.kind == "b2c" and self.ship_to is None:
            raise ValueError("a b2c order needs ship_to")
        if self.kind == "b2b" and (self.destination_facility is None or self.destination_country is None):
            raise ValueError("a b2b transfer needs destination_facility and destination_country")
        if len({line.sku for line in self.lines}) != len(self.lines):
            raise ValueError("a SKU is listed on two lines; put the units on one")
        return self


class HoldIn(BaseModel):
    """Pausing an order."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "address_problem"}]})

    reason: HoldReason


class PickLineOut(BaseModel):
    lot_id: str
    quantity: int


class PackageIn(BaseModel):
    """What was packed."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"packages": 1, "weight_g": 380}]}
    )

    packages: int = Field(default=1, ge=1, le=10_000)
    weight_g: int | None = Field(default=None, ge=1, le=50_000_000)


class ShipIn(BaseModel):
    """The parcel (or transfer) left with its carrier; the number becomes a tracked leg."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "carrier_code": "DHL-DE",
                    "tracking_number": "00340434161234567890",
                    "transport_mode": "express",
                }
            ]
        },
    )

    carrier_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]
    tracking_number: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9\-]{4,64}$")
    ]
    transport_mode: TransportMode = "express"
    shipped_at: AwareDatetime | None = None
    packages: int | None = Field(default=None, ge=1, le=10_000)
    weight_g: int | None = Field(default=None, ge=1, le=50_000_000)


class OrderLineOut(BaseModel):
    line_no: int
    product_id: str
    sku: str
    quantity: int
    reserved: int
    picks: list[PickLineOut]


class OrderOut(BaseModel):
    """An outbound order."""

    id: str
    reference: str
    owner_party_id: str
    warehouse_id: str
    kind: Kind
    status: Status
    progress: str
    exception: Literal["out_of_stock"] | None
    hold_reason: HoldReason | None
    channel_order_no: str | None
    destination_country: str
    destination_facility: str | None
    ship_to: dict[str, Any] | None = Field(
        description="full for the owner and the warehouse; never elsewhere"
    )
    ship_to_masked: str | None
    service_level: str | None
    carrier_code: str | None
    tracking_number: str | None
    transport_mode: str | None
    shipment_id: str | None
    packages: int
    weight_g: int | None
    replaces_return_id: str | None
    lines: list[OrderLineOut]
    revision: int
    created_at: dt.datetime
    reserved_at: dt.datetime | None
    picked_at: dt.datetime | None
    packed_at: dt.datetime | None
    shipped_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    updated_at: dt.datetime


class OrderSummaryOut(BaseModel):
    """An order in a list (no address)."""

    id: str
    reference: str
    owner_party_id: str
    warehouse_id: str
    kind: Kind
    status: Status
    exception: str | None
    hold_reason: str | None
    tracking_number: str | None
    created_at: dt.datetime
    shipped_at: dt.datetime | None


OrderPage = Page[OrderSummaryOut]
