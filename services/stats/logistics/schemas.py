"""Response models of the statistics' logistics views."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from shared.events.logistics import ExceptionKind, RouteCode, TransportMode


class TransitRouteOut(BaseModel):
    """Transit times and exceptions of one mode and route."""

    mode: TransportMode = Field(description="mode of the border-crossing leg")
    route: RouteCode
    name_en: str
    name_zh: str
    shipments: int = Field(description="journeys that started in the period")
    delivered: int
    open: int = Field(description="not delivered, returned or cancelled yet")
    transit_hours_p50: Decimal | None = Field(description="median first event → delivery, delivered ones")
    transit_hours_p90: Decimal | None
    customs_hours_p50: Decimal | None = Field(description="median time in customs sub-statuses")
    on_time_percent: Decimal | None = Field(description="on time / (on time + late); none without ETAs")
    with_exceptions: int = Field(description="journeys with at least one exception")
    exceptions: dict[ExceptionKind, int] = Field(description="exception occurrences by kind")


class TransitOut(BaseModel):
    """The regulator's transit view of a period (regulators: every enterprise; others: their own)."""

    period: str = Field(description="YYYY or YYYY-MM (Beijing calendar), by the journey's first event")
    direction: str | None
    shipments: int
    routes: list[TransitRouteOut]

    model_config = {
        "json_schema_extra": {
            "example": {
                "period": "2026-03",
                "direction": "export",
                "shipments": 2,
                "routes": [
                    {
                        "mode": "sea",
                        "route": "ferry_lyg_inc",
                        "name_en": "Lianyungang–Incheon ferry",
                        "name_zh": "连云港—仁川海运快线",
                        "shipments": 2,
                        "delivered": 1,
                        "open": 1,
                        "transit_hours_p50": "40.5",
                        "transit_hours_p90": "40.5",
                        "customs_hours_p50": "6.0",
                        "on_time_percent": "100.0",
                        "with_exceptions": 1,
                        "exceptions": {"customs_held": 1},
                    }
                ],
            }
        }
    }


class EnterpriseCostOut(BaseModel):
    """One enterprise's standing logistics costs of a year, in CNY."""

    party_id: str
    international_freight_cny: Decimal = Field(description="what the logistics subsidy (三(九)) is paid on")
    other_cny: Decimal = Field(description="domestic freight, insurance, warehousing and other costs")
    shipments: int = Field(description="shipments with a standing cost")


class CostsOut(BaseModel):
    """Logistics costs per enterprise of a Beijing calendar year (corrections applied)."""

    year: int
    enterprises: list[EnterpriseCostOut]

    model_config = {
        "json_schema_extra": {
            "example": {
                "year": 2026,
                "enterprises": [
                    {
                        "party_id": "E1",
                        "international_freight_cny": "12850.00",
                        "other_cny": "300.00",
                        "shipments": 14,
                    }
                ],
            }
        }
    }


class CarrierClaimsOut(BaseModel):
    """One carrier's loss and damage claims of a year: how many, against how many shipments,
    how they were decided and how fast they were paid."""

    carrier_code: str = Field(description="the claimed leg's reporting carrier")
    shipments: int = Field(description="journeys started in the year whose border-crossing leg it carried")
    claims: int = Field(description="claims submitted in the year")
    claim_rate_percent: Decimal | None = Field(description="claims per 100 shipments; none without shipments")
    kinds: dict[str, int] = Field(description="claims by kind: lost, damaged, delayed, not received")
    approved: int = Field(description="approved in full or in part")
    rejected: int
    undecided: int = Field(description="not decided yet, or withdrawn before a decision")
    paid: int
    claimed_cny: Decimal
    approved_cny: Decimal
    paid_cny: Decimal
    payout_days_p50: Decimal | None = Field(description="median days from submission to payment, paid ones")
    payout_days_p90: Decimal | None


class ClaimsOut(BaseModel):
    """Claim rates and payout times per carrier of a Beijing calendar year (regulators: every
    claimant; an enterprise: its own claims against its own shipments)."""

    year: int
    claims: int
    carriers: list[CarrierClaimsOut]

    model_config = {
        "json_schema_extra": {
            "example": {
                "year": 2026,
                "claims": 2,
                "carriers": [
                    {
                        "carrier_code": "3207980001",
                        "shipments": 40,
                        "claims": 2,
                        "claim_rate_percent": "5.0",
                        "kinds": {"damaged": 1, "lost": 1},
                        "approved": 1,
                        "rejected": 1,
                        "undecided": 0,
                        "paid": 1,
                        "claimed_cny": "1500.00",
                        "approved_cny": "600.00",
                        "paid_cny": "600.00",
                        "payout_days_p50": "12.5",
                        "payout_days_p90": "12.5",
                    }
                ],
            }
        }
    }
