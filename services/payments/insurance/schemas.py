"""Request and response models of export credit insurance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.payments.amounts import Amount

Currency = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
Money = Field(gt=0, max_digits=17, decimal_places=2)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BuyerLimitIn(_In):
    """The insurer's approved credit limit for one overseas buyer (a company, not a person)."""

    buyer_code: str = Field(min_length=1, max_length=64, description="the insurer's buyer number")
    buyer_name: str = Field(min_length=1, max_length=200)
    buyer_country: str = Field(pattern=r"^[0-9]{3}$", description="customs country code (502 = USA)")
    approved_limit: Decimal = Money
    currency: str = Currency
    payment_terms: str = Field(default="OA", min_length=1, max_length=40, description="e.g. OA, D/P, D/A")
    credit_days: int = Field(default=90, ge=0, le=360, description="credit period after shipment")
    valid_from: dt.date
    valid_until: dt.date
    status: Literal["approved", "suspended", "cancelled"] = "approved"


class PolicyIn(_In):
    """A short-term export credit insurance policy (e.g. Sinosure 中国信保 short-term policy)."""

    insurer: str = Field(min_length=1, max_length=100, examples=["中国出口信用保险公司 (Sinosure)"])
    policy_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/\-]+$")
    period_start: dt.date
    period_end: dt.date
    currency: str = Currency
    coverage_pct: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2, description="e.g. 90")
    max_liability: Decimal = Money
    buyer_limits: list[BuyerLimitIn] = Field(default_factory=list, max_length=500)


class PolicyPatch(_In):
    """Changes to a policy: its status (a cancelled policy prepares no more declarations)."""

    status: Literal["active", "cancelled"]


class BuyerLimitOut(BaseModel):
    """A buyer limit with its exposure (unpaid declared shipments) against it."""

    id: str
    buyer_code: str
    buyer_name: str
    buyer_country: str
    approved_limit: Amount
    currency: str
    payment_terms: str
    credit_days: int
    valid_from: dt.date
    valid_until: dt.date
    status: str
    exposure: Amount
    available: Amount
    beyond_limit: bool


class PolicyOut(BaseModel):
    """A policy and its buyer limits."""

    id: str
    enterprise_party_id: str
    insurer: str
    policy_no: str
    period_start: dt.date
    period_end: dt.date
    currency: str
    coverage_pct: Amount
    max_liability: Amount
    status: str
    buyer_limits: list[BuyerLimitOut]


class DeclarationOut(BaseModel):
    """A shipment declaration (出运申报) prepared from a released export."""

    id: str
    enterprise_party_id: str
    policy_id: str
    policy_no: str
    limit_id: str
    buyer_code: str
    buyer_name: str
    buyer_country: str
    document_id: str
    order_no: str | None
    invt_no: str | None
    shipment_date: dt.date
    invoice_amount: Amount
    currency: str
    payment_terms: str
    payment_due_date: dt.date
    due_on: dt.date = Field(description="the declaration deadline: shipment + N working days")
    status: Literal["prepared", "submitted", "overdue", "withdrawn"]
    insurer_reference: str | None
    submitted_at: dt.datetime | None
    unpaid: Amount
    beyond_limit: bool


class DeclareIn(_In):
    """The enterprise names the insured buyer of a released export (customs messages name none)."""

    document_id: str = Field(
        min_length=1, max_length=128, description="the export inventory's documentId, as its filing answered"
    )
    limit_id: str = Field(min_length=1, max_length=64, description="the buyer limit that covers the shipment")


class SubmitIn(_In):
    """The enterprise confirms it declared the shipment to the insurer."""

    insurer_reference: str = Field(min_length=1, max_length=64)
    submitted_at: AwareDatetime | None = None


class FinancingIn(_In):
    """Policy financing (保单融资): the bank as indemnity payee, or the receivable assigned to it."""

    kind: Literal["indemnity_assignment", "receivable_assignment"] = Field(
        description="赔款转让 (the bank is the indemnity payee) or 应收账款转让 (the receivable is assigned)"
    )
    bank_party_id: str = Field(min_length=1, max_length=64)
    agreement_no: str = Field(min_length=1, max_length=64)
    amount: Decimal = Money
    currency: str = Currency
    start_date: dt.date
    end_date: dt.date | None = None
    declaration_ids: list[str] = Field(default_factory=list, max_length=50)


class FinancingOut(BaseModel):
    """A recorded policy financing."""

    id: str
    policy_id: str
    enterprise_party_id: str
    kind: str
    bank_party_id: str
    agreement_no: str
    amount: Amount
    currency: str
    start_date: dt.date
    end_date: dt.date | None
    declaration_ids: list[str]
    recorded_at: dt.datetime
