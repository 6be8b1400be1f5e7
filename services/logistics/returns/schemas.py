"""Request and response shapes of returns and exchanges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.logistics.outbound.schemas import OrderIn, Reference
from services.logistics.products.schemas import SkuCode
from services.logistics.returns.rules import Direction, Disposition, Reason, Status
from shared.events.logistics import TransportMode
from shared.kit.pagination import Page

_EXAMPLE: dict[str, Any] = {
    "reference": "RMA-20260901-0001",
    "shipment_id": "6f1c1c52-3f7e-4f55-9a3c-2d9f1b7a8e10",
    "reason": "defective",
    "disposition": "warehouse",
    "warehouse_id": "wh_x",
    "lines": [{"sku": "CRY-BR-001", "quantity": 1}],
}


class ReturnLineIn(BaseModel):
    """Units of one SKU coming back."""

    model_config = ConfigDict(extra="forbid")

    sku: SkuCode
    quantity: int = Field(ge=1, le=100_000)


class ReturnIn(BaseModel):
    """A return of (part of) a released parcel: restocked overseas, or brought back to China."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    reference: Reference = Field(
        description="your return number (RMA); the same reference twice is one return"
    )
    owner_party_id: str | None = Field(
        default=None, max_length=64, description="a platform names its merchant"
    )
    shipment_id: str = Field(max_length=36, description="the shipment of the parcel going back")
    reason: Reason
    disposition: Disposition
    warehouse_id: str | None = Field(default=None, max_length=32, description="disposition warehouse: where")
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _where(self) -> ReturnIn:
        if self.disposition == "warehouse" and self.warehouse_id is None:
            raise ValueError("a return into a warehouse names warehouse_id")
        if self.disposition == "china" and self.warehouse_id is not None:
            raise ValueError("a return to China names no warehouse_id")
        if len({line.sku for line in self.lines}) != len(self.lines):
            raise ValueError("a SKU is listed on two lines; put the units on one")
        return self


class ReturnShipIn(BaseModel):
    """The return's own leg: who carries the parcel back, and its number."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"mode": "post", "carrier_code": "3207960004", "tracking_number": "RR123456785DE"}]
        },
    )

    mode: TransportMode
    carrier_code: str = Field(min_length=1, max_length=64, description="a registered logistics party's code")
    tracking_number: str = Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9\-]+$")


class GradeIn(BaseModel):
    """How the warehouse graded one line on receipt."""

    model_config = ConfigDict(extra="forbid")

    sku: SkuCode
    sellable: int = Field(ge=0, le=100_000)
    unsellable: int = Field(ge=0, le=100_000)


class ReceiveIn(BaseModel):
    """A return received into the warehouse, every line graded (units not listed did not arrive)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lines": [{"sku": "CRY-BR-001", "sellable": 1, "unsellable": 0}]}]},
    )

    lines: list[GradeIn] = Field(min_length=1, max_length=200)


class ExchangeIn(BaseModel):
    """The reshipment an exchange sends: an outbound order from the return's warehouse."""

    model_config = ConfigDict(extra="forbid")

    order: OrderIn


class ReturnLineOut(BaseModel):
    line_no: int
    product_id: str
    sku: str
    quantity: int
    sellable: int
    unsellable: int


class ReturnOut(BaseModel):
    """A return, its window and its lines."""

    id: str
    reference: str
    owner_party_id: str
    shipment_id: str
    direction: Direction
    customs_mode: str | None
    invt_no: str | None
    released_on: dt.date
    window_closes_on: dt.date
    reason: Reason
    disposition: Disposition
    warehouse_id: str | None
    status: Status
    return_leg_id: str | None
    carrier_code: str | None
    tracking_number: str | None
    exchange_order_id: str | None
    customs_return_id: str | None
    revision: int
    created_at: AwareDatetime
    shipped_at: AwareDatetime | None
    received_at: AwareDatetime | None
    filed_at: AwareDatetime | None
    lines: list[ReturnLineOut]


ReturnPage = Page[ReturnOut]
