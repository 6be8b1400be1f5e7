"""JSON shapes of the order intake (field names as in the CEB messages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.declaration import Direction, Mode


class OrderIn(BaseModel):
    """An order as an ERP files it."""

    model_config = ConfigDict(extra="forbid")

    orderNo: str = Field(min_length=1, max_length=60)
    ebpCode: str = Field(min_length=1, max_length=18)
    ebcCode: str = Field(min_length=1, max_length=18)
    mode: Mode
    direction: Direction
    currency: str = Field(pattern=r"^[0-9]{3}$")
    goodsValue: Decimal = Field(gt=0, max_digits=19, decimal_places=5)
    country: str = Field(pattern=r"^[0-9]{3}$")


class OrderOut(BaseModel):
    """An accepted order."""

    id: str
    orderNo: str
    ebpCode: str
    ebcCode: str
    mode: str
    direction: str
    currency: str
    goodsValue: Decimal
    valueCny: Decimal
    cnyRate: Decimal
    country: str
    status: Literal["accepted"] | str
    createdAt: dt.datetime
