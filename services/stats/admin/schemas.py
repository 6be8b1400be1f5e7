"""Response models of the administrators' maintenance."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RebuildOut(BaseModel):
    """What a rebuild from the consumed-event log replayed."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"documents": 1200, "counted": 1130, "events": 5210}]}
    )

    documents: int = Field(description="documents re-folded into facts")
    counted: int = Field(description="of which count in the statistics")
    events: int = Field(description="logged events replayed")
