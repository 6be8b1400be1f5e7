"""Answers of the tracking routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class EventOutcome(BaseModel):
    """One event of a push: taken, already had, or refused and why."""

    index: int = Field(description="position of the event in the push")
    outcome: Literal["accepted", "duplicate", "rejected"]
    pointer: str = Field(description="where the event is in the push (JSON pointer, XML path or line)")
    event_id: str | None = None
    shipment_id: str | None = None
    leg_id: str | None = None
    attached: bool = Field(default=False, description="false: kept for a number no leg has yet")
    code: str | None = Field(default=None, description="the problem code of a refusal")
    status: int | None = Field(default=None, description="the HTTP status the refusal alone would have had")
    detail: str | None = None


class PushAnswer(BaseModel):
    """What became of every event of a push (nothing is dropped silently)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "accepted": 1,
                    "duplicates": 0,
                    "rejected": 1,
                    "events": [
                        {
                            "index": 0,
                            "outcome": "accepted",
                            "pointer": "/events/0",
                            "event_id": "…",
                            "attached": True,
                        },
                        {
                            "index": 1,
                            "outcome": "rejected",
                            "pointer": "/events/1/occurred_at",
                            "code": "tracking.time_without_zone",
                            "status": 422,
                            "detail": "no UTC offset",
                        },
                    ],
                }
            ]
        }
    }

    accepted: int
    duplicates: int
    rejected: int
    events: list[EventOutcome]


class UnmappedCode(BaseModel):
    """A native code the platform has no row for yet (kept raw, fallback status)."""

    source: str
    raw_code: str | None
    events: int


class UnmappedCodes(BaseModel):
    """Codes to add to the mapping tables, most frequent first."""

    items: list[UnmappedCode]
