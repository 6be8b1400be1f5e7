"""Request and response models of logistics costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.logistics import CostKind


class CostIn(BaseModel):
    """A cost of the shipment (amounts as decimal strings: never floats)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "international_freight",
                    "amount": "1250.00",
                    "currency": "USD",
                    "incurred_on": "2026-05-02",
                }
            ]
        },
    )

    kind: CostKind = "international_freight"
    amount: Decimal = Field(
        gt=0, max_digits=14, decimal_places=2, description="in `currency`, two places at most"
    )
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 (USD) or the customs code (502)")
    incurred_on: dt.date = Field(description="the day it was charged, Beijing calendar")
    supersedes: str | None = Field(default=None, max_length=36, description="the record this corrects")
    note: str | None = Field(default=None, max_length=200)


class CostVoid(BaseModel):
    """Withdraw a record (it stays, marked void, and statistics drop it)."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=200)


class CostOut(BaseModel):
    """A cost record."""

    id: str
    shipment_id: str
    kind: str
    amount: Decimal
    currency: str
    amount_cny: Decimal
    cny_rate: Decimal
    rate_month: str
    incurred_on: dt.date
    recorded_by_party_id: str
    supersedes: str | None
    voided: bool
    superseded: bool
    note: str | None
    created_at: dt.datetime
