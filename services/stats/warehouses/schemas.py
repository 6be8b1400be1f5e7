"""Request and response shapes of the statistics' warehouse module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.stats.warehouses.rules import Level


class CheckOut(BaseModel):
    """One criterion against the warehouse's figure."""

    id: str
    description: str
    metric: str
    op: str
    threshold: Decimal
    figure: Decimal
    met: bool


class LevelEvaluationOut(BaseModel):
    """A level's criteria for the warehouse today."""

    level: Level
    met: bool
    checks: list[CheckOut]


class AssessmentOut(BaseModel):
    """A regulator's certification decision."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    level: Level
    decision: Literal["certified", "refused", "withdrawn"]
    year: int
    certified_on: dt.date | None
    basis: str
    criteria_status: str
    assessed_by: str
    assessed_at: dt.datetime
    checks: list[CheckOut]


class WarehouseSummaryOut(BaseModel):
    """A warehouse in the regulator's list."""

    warehouse_id: str
    operator_party_id: str
    name: str
    country: str
    city: str
    usage: str
    has_api: bool
    area_m2: Decimal
    opened_on: dt.date
    declared_level: Level | None
    declared_year: int | None
    certified_level: Level | None = Field(description="the highest level a standing assessment certifies")
    months_reported_12: int
    outbound_orders_12: int
    latest_month: str | None


class MonthOut(BaseModel):
    """A filed month."""

    month: str
    revision: int
    complete: bool
    filed_by: str
    figures: dict[str, Any]


class WarehouseDetailOut(WarehouseSummaryOut):
    """A warehouse with its months, the criteria's evaluation today, and its assessments."""

    criteria_status: str
    evaluation: list[LevelEvaluationOut]
    months: list[MonthOut]
    assessments: list[AssessmentOut]


class WarehouseListOut(BaseModel):
    """The warehouses a caller may see (regulators: all; an operator: its own)."""

    items: list[WarehouseSummaryOut]


class AssessmentIn(BaseModel):
    """A certification decision."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "level": "municipal",
                    "decision": "certified",
                    "year": 2026,
                    "certified_on": "2026-06-30",
                    "basis": "连商务〔2026〕12号 第一批市级公共海外仓认定名单",
                }
            ]
        },
    )

    level: Level
    decision: Literal["certified", "refused", "withdrawn"]
    year: int = Field(ge=2000, le=2100)
    certified_on: dt.date | None = Field(default=None, description="required for `certified`")
    basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)] = Field(
        description="the notice, or why"
    )


class MonthTotalsOut(BaseModel):
    """Every reporting warehouse in one month."""

    month: str
    warehouses: int
    provisional: int = Field(description="of which filed before the month ended")
    inbound_units: int
    outbound_orders: int
    outbound_units: int
    returns_received: int
    customers_served: int
    units_on_hand: int


class WarehouseYearOut(BaseModel):
    """One warehouse's year: its profile and certification, the volumes its filed months add up
    to, and its area use and stock age at the latest month filed."""

    warehouse_id: str
    operator_party_id: str
    name: str
    country: str
    city: str
    usage: str = Field(description="public or own use")
    certified_level: Level | None = Field(description="the highest level a standing assessment certifies")
    months_reported: int = Field(description="months of the year filed (complete or provisional)")
    inbound_units: int
    outbound_orders: int
    outbound_units: int
    returns_received: int
    latest_month: str | None
    area_m2: Decimal = Field(description="floor area (profile)")
    area_used_m2: Decimal | None = Field(description="declared by the operator for the latest month")
    area_use_percent: Decimal | None = Field(description="area used / area, to a tenth of a percent")
    units_on_hand: int | None = Field(description="at the end of the latest month")
    average_age_days: Decimal | None = Field(description="on-hand-weighted, at the latest month's end")


class WarehouseFiguresOut(BaseModel):
    """Monthly totals of the overseas warehouses, each warehouse's year, and their certification."""

    months: list[MonthTotalsOut]
    warehouses: int
    public: int = Field(description="warehouses open to other enterprises (usage public)")
    certified: dict[str, int] = Field(description="warehouses certified per level (standing assessments)")
    items: list[WarehouseYearOut] = Field(description="every warehouse, by id")
