"""Request and response models of the transactions module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.payments.amounts import Amount
from shared.events.payments import DeductionKind, FlowDirection, ThresholdState, TransactionStatus


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CounterpartyIn(_In):
    """The remitter of a receipt, or the beneficiary of a payment: sealed at rest, never published."""

    name: str = Field(min_length=1, max_length=140)
    account: str | None = Field(default=None, min_length=4, max_length=34, pattern=r"^[0-9A-Za-z \-]+$")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    bank_bic: str | None = Field(default=None, pattern=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


class OrderRefIn(_In):
    """An order the payout covers; ``amount`` is its share of the gross, when the payout report states it."""

    order_no: str = Field(min_length=1, max_length=60)
    amount: Decimal | None = Field(default=None, gt=0, max_digits=17, decimal_places=2)


class DeductionIn(_In):
    """A platform fee or an allowed cost (overseas warehousing, logistics, tax) netted from the payout."""

    kind: DeductionKind
    amount: Decimal = Field(gt=0, max_digits=17, decimal_places=2)
    note: str | None = Field(default=None, max_length=200)


class TransactionIn(_In):
    """A receipt (exports) or payment (imports) an institution reports for an enterprise."""

    reference: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="your id; reporting it again is a replay",
    )
    enterprise_party_id: str = Field(min_length=1, max_length=64)
    direction: FlowDirection
    amount: Decimal = Field(gt=0, max_digits=17, decimal_places=2, description="the money received or paid")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
    value_date: dt.date
    counterparty: CounterpartyIn
    payout_reference: str | None = Field(
        default=None, max_length=64, description="the overseas platform's payout id"
    )
    platform: str | None = Field(default=None, max_length=100, examples=["Amazon"])
    end_to_end_id: str | None = Field(default=None, max_length=35)
    orders: list[OrderRefIn] = Field(default_factory=list, max_length=1000)
    deductions: list[DeductionIn] = Field(default_factory=list, max_length=20)
    online: bool = Field(default=True, description="an online cross-border payment (counted in PI volume)")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference": "PI-20261120-000123",
                    "enterprise_party_id": "pty_ent_1",
                    "direction": "receipt",
                    "amount": "9412.50",
                    "currency": "USD",
                    "value_date": "2026-11-20",
                    "counterparty": {
                        "name": "Amazon Payments Europe",
                        "account": "LU280019400644750000",
                        "country": "LU",
                    },
                    "payout_reference": "AMZ-SETTLE-8812",
                    "platform": "Amazon",
                    "orders": [{"order_no": "SO-1001"}, {"order_no": "SO-1002"}],
                    "deductions": [{"kind": "platform_fee", "amount": "487.50"}],
                }
            ]
        },
    )


class AllocationOut(BaseModel):
    """Part of the transaction paying one document's goods."""

    document_id: str
    order_no: str
    amount: Amount
    goods_amount: Amount
    goods_currency: str
    active: bool


class DeductionOut(BaseModel):
    """A netted fee or cost."""

    kind: DeductionKind
    amount: Amount
    note: str | None


class UnmatchedOut(BaseModel):
    """An order named but not matched."""

    order_no: str
    reason: str


class CounterpartyOut(BaseModel):
    """The counterparty as shown: masked."""

    name: str
    country: str | None


class ThresholdOut(BaseModel):
    """The USD 200,000 counter the transaction counts in."""

    year: int
    state: ThresholdState
    receipts_usd: Amount
    payments_usd: Amount


class TransactionOut(BaseModel):
    """A reported transaction, its allocation to goods, and its threshold counter."""

    id: str
    reference: str
    institution_party_id: str
    enterprise_party_id: str
    direction: FlowDirection
    amount: Amount
    currency: str
    value_date: dt.date
    amount_usd: Amount
    amount_cny: Amount
    rate_month: str
    status: TransactionStatus
    hold_reason: str | None
    payout_reference: str | None
    platform: str | None
    end_to_end_id: str | None
    counterparty: CounterpartyOut
    allocated: Amount
    netted: Amount
    remainder: Amount = Field(description="neither matched to goods nor netted: stays visible")
    settled: Amount
    allocations: list[AllocationOut]
    deductions: list[DeductionOut]
    unmatched_orders: list[UnmatchedOut]
    threshold: ThresholdOut | None
    reported_at: dt.datetime


class RegistrationIn(_In):
    """An enterprise registered in the trade-FX directory (名录)."""

    enterprise_party_id: str = Field(min_length=1, max_length=64)
    registered_on: dt.date
    safe_reference: str | None = Field(default=None, max_length=64)


class RegistrationOut(BaseModel):
    """A recorded registration and the held transactions it released."""

    enterprise_party_id: str
    registered_on: dt.date
    recorded_by: str
    safe_reference: str | None
    newly_recorded: bool
    released: list[str]
