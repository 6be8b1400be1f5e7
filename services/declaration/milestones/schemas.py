"""API shapes of the milestone filings."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.declaration.milestones.models import TrackMilestone

MilestoneStatus = Literal["off", "prepared", "incomplete", "filed", "rejected", "refused", "withdrawn"]


class MilestoneOut(BaseModel):
    """One customs milestone the track reached for the calling logistics firm, and what became of it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "milestone_id": "shp_01J…:departure",
                    "message_type": "CEB509",
                    "shipment_id": "shp_01J…",
                    "logistics_code": "3207960004",
                    "logistics_no": "YT2026120700001",
                    "record_key": "TRK3F1A…",
                    "occurred_at": "2026-12-07T01:30:00Z",
                    "status": "filed",
                    "missing": [],
                    "reasons": [],
                    "filing_id": "8c1e…",
                    "document_id": "5b7d…",
                    "signed_by": "platform",
                    "record": {"head": {"copNo": "TRK3F1A…", "voyageNo": "HX2026"}, "lines": []},
                    "created_at": "2026-12-07T01:30:02Z",
                    "updated_at": "2026-12-07T01:30:02Z",
                }
            ]
        }
    )

    milestone_id: str
    message_type: Literal["CEB507", "CEB509", "CEB513"]
    shipment_id: str
    logistics_code: str
    logistics_no: str
    record_key: str = Field(description="copNo (CEB507/509) or logisticsCode|logisticsNo (CEB513)")
    occurred_at: dt.datetime
    status: MilestoneStatus
    missing: list[str] = Field(
        description="required fields the track did not tell: complete them before release"
    )
    reasons: list[dict[str, Any]]
    filing_id: str | None
    document_id: str | None = Field(description="the declaration document, once filed")
    signed_by: Literal["platform", "enterprise"] | None
    record: dict[str, Any] = Field(description="the prepared record: {head, lines}")
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, row: TrackMilestone) -> MilestoneOut:
        """The API form of a stored milestone."""
        return cls.model_validate(row, from_attributes=True)


class ReleaseOut(BaseModel):
    """What releasing a signed message did: the filing, and each milestone it carried."""

    filing_id: str
    outcome: Literal["accepted", "partial", "rejected"]
    milestones: list[MilestoneOut]
