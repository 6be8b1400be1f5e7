"""Request and response shapes of monthly warehouse reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.warehousing import WarehouseMonthFigures
from shared.kit.pagination import Page


class FileIn(BaseModel):
    """Filing a past month's report again, with the area the operator used."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"area_used_m2": "8400.00"}]})

    area_used_m2: Decimal | None = Field(default=None, ge=0, le=Decimal("10000000"), decimal_places=2)


class FilingOut(BaseModel):
    revision: int
    filed_by: Literal["platform", "operator"]
    filed_at: dt.datetime
    complete: bool = Field(description="false: filed while the month was running (provisional)")


class ReportOut(BaseModel):
    """A warehouse's month: as filed, or (not filed yet, or the current month) as it stands."""

    warehouse_id: str
    month: str
    complete: bool = Field(description="false for the current month: figures so far, as they stand now")
    filing: FilingOut | None = Field(description="the latest filing; null when not filed yet")
    figures: WarehouseMonthFigures


class ReportListItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    month: str
    revision: int
    filed_by: str
    complete: bool
    filed_at: dt.datetime


ReportPage = Page[ReportListItem]
