"""Request and response models of shipments, legs and timelines."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from shared.events.declaration import Direction, Mode
from shared.events.logistics import (
    Classifier,
    EtaRange,
    LegRole,
    Location,
    Reason,
    SubStatus,
    TrackingSource,
    TrackingStatus,
    TransportMode,
)

_NUMBER = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_./]*$")


class LegIn(BaseModel):
    """A leg to add: who carries it, how, from where to where."""

    model_config = ConfigDict(extra="forbid")

    role: LegRole = "linehaul"
    mode: TransportMode
    carrier_code: str = Field(
        min_length=1, max_length=64, description="the reporting carrier: a registered logistics party's code"
    )
    operated_by: str | None = Field(
        default=None, max_length=40, description="the operating carrier's key (carrier table), if another"
    )
    tracking_number: str = _NUMBER
    origin: Location | None = None
    destination: Location | None = None
    planned_departure: AwareDatetime | None = None
    planned_arrival: AwareDatetime | None = None
    numbers: dict[str, str] = Field(
        default_factory=dict, description="other numbers of the parcel: {kind: number}, e.g. shipper, carrier"
    )

    @field_validator("numbers")
    @classmethod
    def _few(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 10 or any(not 0 < len(v) <= 64 or not 0 < len(k) <= 20 for k, v in value.items()):
            raise ValueError("at most 10 numbers; kinds of 1–20 and numbers of 1–64 characters")
        return value


class ShipmentIn(BaseModel):
    """A shipment made through the API (a carrier, forwarder or enterprise)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "direction": "export",
                    "customs_mode": "9610",
                    "order_no": "ORD20260501001",
                    "logistics_code": "3207960004",
                    "logistics_no": "LYG2026050100001",
                    "legs": [
                        {
                            "role": "linehaul",
                            "mode": "sea",
                            "carrier_code": "3207960004",
                            "tracking_number": "LYGK2605010001",
                            "origin": {"locode": "CNLYG"},
                            "destination": {"locode": "KRINC"},
                            "planned_arrival": "2026-05-03T09:00:00+09:00",
                        }
                    ],
                }
            ]
        },
    )

    direction: Direction
    customs_mode: Mode | None = None
    order_no: str | None = Field(default=None, max_length=64)
    ebc_code: str | None = Field(default=None, max_length=18)
    ebp_code: str | None = Field(default=None, max_length=18)
    logistics_code: str | None = Field(default=None, max_length=18)
    logistics_no: str | None = Field(default=None, max_length=64)
    bill_no: str | None = Field(default=None, max_length=37)
    country: str | None = Field(
        default=None, pattern=r"^[0-9]{3}$", description="partner country, customs code"
    )
    legs: list[LegIn] = Field(min_length=1, max_length=10)


class LegChange(BaseModel):
    """What may change on a leg: a replaced number (the old one stays an alias), plans, places."""

    model_config = ConfigDict(extra="forbid")

    tracking_number: str | None = _NUMBER
    mode: TransportMode | None = None
    operated_by: str | None = Field(default=None, max_length=40)
    origin: Location | None = None
    destination: Location | None = None
    planned_departure: AwareDatetime | None = None
    planned_arrival: AwareDatetime | None = None
    numbers: dict[str, str] = Field(default_factory=dict, max_length=10)


class LegOut(BaseModel):
    """A leg with its derived state."""

    id: str
    sequence: int
    role: str
    mode: str
    carrier_code: str
    operated_by: str | None
    tracking_number: str
    numbers: list[dict[str, str]] = Field(description="every number the leg is known by: {kind, number}")
    origin: Location | None
    destination: Location | None
    planned_departure: dt.datetime | None
    planned_arrival: dt.datetime | None
    status: TrackingStatus
    sub_status: SubStatus | None
    status_since: dt.datetime | None
    last_event_at: dt.datetime | None
    eta: EtaRange | None
    first_eta: EtaRange | None
    punctuality: str


class ShipmentOut(BaseModel):
    """A shipment: its references, legs and where it stands."""

    id: str
    direction: str
    customs_mode: str | None
    order_no: str | None
    ebc_code: str | None
    ebp_code: str | None
    logistics_code: str | None
    logistics_no: str | None
    cop_no: str | None
    invt_no: str | None
    bill_no: str | None
    customs_code: str | None
    route: str | None
    origin: str
    status: TrackingStatus
    sub_status: SubStatus | None
    reason: Reason | None
    status_since: dt.datetime | None
    started_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_event_at: dt.datetime | None
    eta: EtaRange | None
    first_eta: EtaRange | None
    punctuality: str
    customs_hours: str | None
    exceptions: dict[str, int]
    legs: list[LegOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class ShipmentSummary(BaseModel):
    """A shipment in a list."""

    id: str
    direction: str
    customs_mode: str | None
    order_no: str | None
    logistics_no: str | None
    status: TrackingStatus
    sub_status: SubStatus | None
    eta: EtaRange | None
    punctuality: str
    created_at: dt.datetime


class TimelineEvent(BaseModel):
    """One event of a shipment's timeline, as stored (raw text masked)."""

    id: str
    leg_id: str | None
    occurred_at: dt.datetime
    utc_offset_minutes: int | None
    local_time: str | None = Field(description="the time as the carrier wrote it, with its offset")
    status: TrackingStatus | None
    sub_status: SubStatus | None
    reason: Reason | None
    classifier: Classifier
    source: TrackingSource
    raw_code: str | None
    raw_text: str | None
    mapped: bool
    location: Location | None
    retracts: str | None
    retracted: bool
    received_at: dt.datetime


class SearchHit(BaseModel):
    """A shipment found by one of its numbers."""

    shipment_id: str
    direction: str
    order_no: str | None
    logistics_no: str | None
    status: TrackingStatus


class SearchResult(BaseModel):
    """Every shipment of yours known by the number."""

    number: str
    items: list[SearchHit]
