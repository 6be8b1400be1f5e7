"""Request and response shapes of loss and damage claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.logistics.claims.rules import Kind, Status
from services.logistics.outbound.schemas import Reference
from shared.kit.pagination import Page

_EXAMPLE: dict[str, Any] = {
    "reference": "CLM-20261201-0001",
    "shipment_id": "6f1c1c52-3f7e-4f55-9a3c-2d9f1b7a8e10",
    "kind": "damaged",
    "description": "Two of twelve vases broken on arrival; photos attached.",
    "weight_kg": "18.5",
    "packages": 2,
    "currency": "USD",
    "claimed_amount": "420.00",
}
#: Free text a person writes: no control characters but tab and newlines (PostgreSQL text
#: refuses NUL, and nothing here needs the others).
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: An identifier the platform issued (shipment, leg, party).
_ID = r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$"
#: An amount of money: positive, two places at most (never a float).
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]


class ClaimIn(BaseModel):
    """A claim for loss, damage, delay or a delivery the consignee says never came."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    reference: Reference = Field(description="your claim number; the same reference twice is one claim")
    claimant_party_id: str | None = Field(
        default=None, max_length=64, pattern=_ID, description="a platform names the enterprise it acts for"
    )
    shipment_id: str = Field(max_length=36, pattern=_ID)
    leg_id: str | None = Field(
        default=None,
        max_length=36,
        pattern=_ID,
        description="the leg whose carrier is liable; default: the linehaul leg",
    )
    kind: Kind
    product: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="a product category of the rules file (post: registered, ems; express: documents)",
    )
    description: str = Field(min_length=1, max_length=2000, pattern=_TEXT)
    weight_kg: Decimal = Field(gt=0, max_digits=12, decimal_places=3, description="gross weight claimed for")
    packages: int = Field(default=1, ge=1, le=100_000)
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 (USD) or customs code (502)")
    claimed_amount: Amount = Field(description="the loss, in `currency`")
    freight: Amount | None = Field(default=None, description="freight paid, in `currency`")
    declared_value: Amount | None = Field(default=None, description="in `currency`")
    insured_amount: Amount | None = Field(
        default=None, description="in `currency`; insured shipments are paid their declared value up to it"
    )

    @model_validator(mode="after")
    def _insured(self) -> ClaimIn:
        if self.insured_amount is not None and self.declared_value is None:
            raise ValueError("an insured claim states its declared_value")
        return self


class DocumentsIn(BaseModel):
    """What the carrier needs before it decides."""

    model_config = ConfigDict(extra="forbid")

    documents: str = Field(
        min_length=1, max_length=1000, pattern=_TEXT, description="e.g. the commercial invoice"
    )


class DecisionIn(BaseModel):
    """The carrier's decision. Approving another amount than the offer is ``approved_partial``
    and needs a reason; a rejection needs one too."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    amount_cny: Amount | None = Field(default=None, description="default: the computed offer")
    reason: str | None = Field(default=None, min_length=1, max_length=1000, pattern=_TEXT)

    @model_validator(mode="after")
    def _reasoned(self) -> DecisionIn:
        if self.decision == "reject" and (self.reason is None or self.amount_cny is not None):
            raise ValueError("a rejection gives a reason and no amount")
        return self


class PaymentIn(BaseModel):
    """The carrier paid the approved amount."""

    model_config = ConfigDict(extra="forbid")

    payment_reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-./:]*$")


class EvidenceOut(BaseModel):
    """An evidence file (its content is served by its own URL, as an attachment)."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_party_id: str
    uploaded_at: AwareDatetime
    href: str


class ClaimOut(BaseModel):
    """A claim with its window, its offer explained, and the carrier's answer."""

    id: str
    reference: str
    claimant_party_id: str
    shipment_id: str
    leg_id: str
    carrier_code: str
    mode: str
    kind: Kind
    product: str | None
    status: Status
    description: str
    weight_kg: Decimal
    packages: int
    claimed_amount: Decimal
    claimed_currency: str
    claimed_cny: Decimal
    freight_cny: Decimal | None
    declared_cny: Decimal | None
    insured_cny: Decimal | None
    offer_cny: Decimal
    cap_cny: Decimal
    explanation: list[str]
    window_opens_on: dt.date
    window_closes_on: dt.date
    approved_cny: Decimal | None
    decision_reason: str | None
    documents_requested: str | None
    paid_cny: Decimal | None
    payment_reference: str | None
    revision: int
    submitted_at: AwareDatetime
    decided_at: AwareDatetime | None
    paid_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    evidence: list[EvidenceOut]


ClaimPage = Page[ClaimOut]


class CarrierFigures(BaseModel):
    """One carrier's claims in a year: how often its shipments are claimed, and how fast it pays."""

    carrier_code: str
    shipments: int = Field(description="shipments with a leg of the carrier created in the year")
    claims: int = Field(description="claims submitted in the year")
    claim_rate: Decimal | None = Field(description="claims per shipment, 4 places (null without shipments)")
    approved: int
    rejected: int
    paid: int
    paid_cny: Decimal
    average_payout_days: Decimal | None = Field(description="submitted → paid, 2 places")


class ClaimFigures(BaseModel):
    """Claim rates and payout times per carrier (regulators)."""

    year: int
    carriers: list[CarrierFigures]
