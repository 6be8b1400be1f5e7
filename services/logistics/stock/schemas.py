"""Request and response shapes of stock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.kit.pagination import Page

MovementKey = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,79}$")
]
Reason = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class QuantitiesOut(BaseModel):
    """Units: on_hand = available + committed + unavailable."""

    on_hand: int
    available: int
    committed: int
    unavailable: int


class LotOut(QuantitiesOut):
    """A lot: its number, receipt day and age (库龄)."""

    lot_id: str
    lot_no: str
    received_on: dt.date
    origin: str
    age_days: int
    age_bucket: str


class WarehouseStockOut(QuantitiesOut):
    """A SKU in one warehouse: its position, its lots, and their ageing."""

    warehouse_id: str
    average_age_days: Decimal | None
    ageing: dict[str, int] = Field(description="on-hand units per age bucket (days), youngest first")
    lots: list[LotOut]


class ProductStockOut(BaseModel):
    """A SKU across the warehouses the caller may see."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product_id": "sku_x",
                    "sku": "CRY-BR-001",
                    "owner_party_id": "pty_owner",
                    "as_of": "2026-03-31",
                    "total": {"on_hand": 120, "available": 100, "committed": 15, "unavailable": 5},
                    "warehouses": [],
                }
            ]
        }
    )

    product_id: str
    sku: str
    owner_party_id: str
    as_of: dt.date = Field(description="the Beijing day ages are counted to")
    total: QuantitiesOut
    warehouses: list[WarehouseStockOut]


class MovementOut(BaseModel):
    """One ledger row (库存流水)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    movement_key: str
    warehouse_id: str
    product_id: str
    owner_party_id: str
    lot_id: str | None
    kind: str
    reason: str
    quantity: int
    d_on_hand: int
    d_committed: int
    d_unavailable: int
    d_lot_committed: int
    on_hand_after: int
    committed_after: int
    unavailable_after: int
    reference_kind: str
    reference_id: str | None
    actor_party_id: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime


MovementPage = Page[MovementOut]


class MovementIn(BaseModel):
    """A movement the operator reports on a lot: units held (quarantine, damage found in
    storage), released from hold, or written off. Receipts, picks and shipments are recorded
    by inbound and outbound; counts by ``/stock/counts``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "movement_key": "WMS-2026-03-31-0042",
                    "warehouse_id": "wh_x",
                    "lot_id": "lot_x",
                    "kind": "hold",
                    "quantity": 2,
                    "reason": "damaged_in_storage",
                }
            ]
        },
    )

    movement_key: MovementKey = Field(description="the operator's reference; sending it again is harmless")
    warehouse_id: str = Field(max_length=32)
    lot_id: str = Field(max_length=32)
    kind: Literal["hold", "unhold", "dispose"]
    quantity: int = Field(ge=1, le=1_000_000)
    reason: Reason = Field(description="why, as a code: damaged_in_storage, quarantine, expired, destroyed …")
    occurred_at: AwareDatetime | None = None


class MovementRecordedOut(BaseModel):
    """A recorded movement; ``replayed`` when an earlier identical request stored it."""

    replayed: bool
    movement: MovementOut


class AgeingRowOut(BaseModel):
    """A SKU's on-hand units in one warehouse by age bucket."""

    product_id: str
    owner_party_id: str
    on_hand: int
    average_age_days: Decimal | None
    ageing: dict[str, int]


class WarehouseAgeingOut(BaseModel):
    """Stock ageing (库龄) of a warehouse."""

    warehouse_id: str
    as_of: dt.date
    buckets: list[str]
    total: dict[str, int]
    products: list[AgeingRowOut]
