"""Request and response shapes of inbound."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.logistics.inbound.rules import AsnStatus
from services.logistics.products.schemas import SkuCode
from shared.events.logistics import TransportMode
from shared.kit.pagination import Page

Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,63}$")
]
BoxNo = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,39}$")
]
LotNo = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}$")
]
Key = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,79}$")
]
Units = Annotated[int, Field(ge=1, le=1_000_000)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
InventoryNo = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_\-]{1,128}$")]

_ASN: dict[str, Any] = {
    "reference": "WRO-2026-0301",
    "warehouse_id": "wh_x",
    "declarations": ["22092026E000123456"],
    "transport_mode": "sea",
    "carrier_code": "LYG-FERRY",
    "tracking_number": "LYGINC2603001",
    "expected_on": "2026-03-20",
    "boxes": [
        {"box_no": "BOX-001", "items": [{"sku": "CRY-BR-001", "quantity": 120}]},
        {"box_no": "BOX-002", "items": [{"sku": "CRY-BR-001", "quantity": 80, "lot_no": "B2603"}]},
    ],
}


class BoxItemIn(BaseModel):
    """Units of one SKU in a box."""

    model_config = ConfigDict(extra="forbid")

    sku: SkuCode
    quantity: Units
    lot_no: LotNo | None = Field(default=None, description="the owner's lot; default: the ASN is the lot")


class BoxIn(BaseModel):
    """A carton of the shipment, by its label."""

    model_config = ConfigDict(extra="forbid")

    box_no: BoxNo
    items: list[BoxItemIn] = Field(min_length=1, max_length=100)


class AsnIn(BaseModel):
    """An advance shipping notice: goods on their way to an overseas warehouse."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ASN]})

    reference: Reference = Field(description="your number for it; the same reference twice is one ASN")
    warehouse_id: str = Field(max_length=32)
    owner_party_id: str | None = Field(
        default=None, max_length=64, description="a platform names its merchant"
    )
    declarations: list[InventoryNo] = Field(
        default_factory=list,
        max_length=50,
        description="the 9810 export inventories (invtNo 清单编号, or the copNo) that carried the goods",
    )
    transport_mode: TransportMode | None = None
    carrier_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    tracking_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    expected_on: dt.date | None = None
    boxes: list[BoxIn] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _boxes_once(self) -> AsnIn:
        seen: set[str] = set()
        for box in self.boxes:
            if box.box_no in seen:
                raise ValueError(f"box {box.box_no} is listed twice")
            seen.add(box.box_no)
        if len(set(self.declarations)) != len(self.declarations):
            raise ValueError("an inventory is listed twice in declarations")
        return self


class ArrivalIn(BaseModel):
    """The goods reached the warehouse's dock."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"arrived_at": "2026-03-19T08:30:00+01:00"}]}
    )

    arrived_at: AwareDatetime | None = None


class ReceiptLineIn(BaseModel):
    """What was counted of one SKU in one box."""

    model_config = ConfigDict(extra="forbid")

    box_no: BoxNo
    sku: SkuCode
    received: Count = Field(description="sound units")
    damaged: Count = 0


class ReceiptIn(BaseModel):
    """A count on receiving. Receipts add up; the final one closes counting."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "receipt_key": "RCV-0319-01",
                    "received_on": "2026-03-19",
                    "final": True,
                    "lines": [
                        {"box_no": "BOX-001", "sku": "CRY-BR-001", "received": 118, "damaged": 2},
                        {"box_no": "BOX-002", "sku": "CRY-BR-001", "received": 75},
                    ],
                }
            ]
        },
    )

    receipt_key: Key = Field(description="your reference for this count; sending it again is harmless")
    received_on: dt.date = Field(description="the day the goods were received (kept on the lots: ageing)")
    final: bool = False
    lines: list[ReceiptLineIn] = Field(default_factory=list, max_length=5000)


class PutawayLineIn(BaseModel):
    """Units of a SKU put away into a lot."""

    model_config = ConfigDict(extra="forbid")

    sku: SkuCode
    quantity: Units
    condition: Literal["sellable", "damaged"] = "sellable"
    lot_no: LotNo | None = Field(default=None, description="default: the box's lot, or the ASN reference")


class PutawayIn(BaseModel):
    """Counted units placed into stock (by lot, with the receipt day)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"putaway_key": "PUT-0319-01", "lines": [{"sku": "CRY-BR-001", "quantity": 193}]}]
        },
    )

    putaway_key: Key = Field(description="your reference; sending it again is harmless")
    lines: list[PutawayLineIn] = Field(min_length=1, max_length=1000)


class DeclarationLinkOut(BaseModel):
    """An export inventory the ASN names, and whether the declaration events confirm it."""

    number: str
    document_id: str | None
    link_status: Literal["verified", "unknown", "mismatch"]
    detail: str | None


class BoxItemOut(BaseModel):
    product_id: str
    sku: str
    lot_no: str | None
    expected: int


class BoxOut(BaseModel):
    box_no: str
    items: list[BoxItemOut]


class DiscrepancyOut(BaseModel):
    """Expected against counted for one SKU."""

    product_id: str
    sku: str
    expected: int
    received: int
    damaged: int
    short: int
    over: int
    kinds: list[Literal["short", "over", "damaged"]]
    put_away_sellable: int
    put_away_damaged: int


class AsnOut(BaseModel):
    """An ASN with its boxes, declarations, counts and putaway progress."""

    id: str
    reference: str
    owner_party_id: str
    warehouse_id: str
    status: AsnStatus
    transport_mode: str | None
    carrier_code: str | None
    tracking_number: str | None
    shipment_id: str | None
    expected_on: dt.date | None
    arrived_at: dt.datetime | None
    received_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    declarations: list[DeclarationLinkOut]
    boxes: list[BoxOut]
    discrepancies: list[DiscrepancyOut]
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


class AsnSummaryOut(BaseModel):
    """An ASN in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    reference: str
    owner_party_id: str
    warehouse_id: str
    status: AsnStatus
    expected_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


AsnPage = Page[AsnSummaryOut]
