"""Request and response shapes of stock counts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

Key = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,79}$")
]


class CountLineIn(BaseModel):
    """What is in one lot's location, not counting units already picked for orders."""

    model_config = ConfigDict(extra="forbid")

    lot_id: str = Field(max_length=32)
    counted: int = Field(ge=0, le=10_000_000, description="sellable units found")
    counted_unavailable: int | None = Field(
        default=None, ge=0, le=10_000_000, description="unsellable units found (default: unchanged)"
    )


class CountIn(BaseModel):
    """A stock count (盘点) of some lots of a warehouse, applied as adjustments."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "count_key": "CC-2026-03-31",
                    "warehouse_id": "wh_x",
                    "lines": [{"lot_id": "lot_x", "counted": 97}],
                }
            ]
        },
    )

    count_key: Key = Field(description="your reference for the count; sending it again is harmless")
    warehouse_id: str = Field(max_length=32)
    counted_at: AwareDatetime | None = None
    lines: list[CountLineIn] = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _lots_once(self) -> CountIn:
        if len({line.lot_id for line in self.lines}) != len(self.lines):
            raise ValueError("a lot is counted twice in one count")
        return self


class CorrectionOut(BaseModel):
    """What a count changed on one lot."""

    lot_id: str
    product_id: str
    on_hand_delta: int
    unavailable_delta: int
    movement_seq: int | None = Field(description="the adjustment in the ledger (none when nothing changed)")
    released_orders: list[str] = Field(description="orders whose reservation the shortage took back")


class CountOut(BaseModel):
    """A count and its adjustments."""

    count_key: str
    warehouse_id: str
    replayed: bool
    counted_at: dt.datetime
    corrections: list[CorrectionOut]
