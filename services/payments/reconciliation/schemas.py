"""Request and response models of reconciliation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.payments.amounts import Amount


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RunIn(_In):
    """A reconciliation run (or a dry run) for one enterprise's open entries."""

    enterprise_party_id: str | None = Field(default=None, max_length=64, description="default: yourself")
    statement_ids: list[str] | None = Field(
        default=None, max_length=100, description="default: every statement"
    )
    dry_run: bool = Field(default=False, description="propose only; apply nothing")
    tolerance: Decimal | None = Field(
        default=None, ge=0, le=Decimal("0.2"), description="fee shortfall accepted"
    )
    window_days: int | None = Field(default=None, ge=0, le=60, description="value dates within ± days")


class RunOut(BaseModel):
    """A run and how far it got."""

    id: str
    enterprise_party_id: str
    dry_run: bool
    status: str
    params: dict[str, object]
    entries_considered: int
    items_considered: int
    proposals: int
    auto: int = Field(description="at or above the auto-apply confidence")
    review: int = Field(description="suggested, waiting in the review queue")
    applied: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ProposalItemOut(BaseModel):
    """One item of a proposal."""

    item_id: str
    amount: Amount


class ProposalOut(BaseModel):
    """A proposed match."""

    id: str
    run_id: str
    statement_id: str
    entry_seq: int
    items: list[ProposalItemOut]
    confidence: Decimal
    rule: str
    residual: Amount = Field(description="what the entry is short of its items (fees)")
    decision: str
    state: str
    decided_by: str | None
    decided_at: dt.datetime | None


class ExpectedItemIn(_In):
    """An expected receipt or payment (e.g. an ERP's open receivable)."""

    id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$", description="your id (idempotent)"
    )
    direction: Literal["receipt", "payment"]
    amount: Decimal = Field(gt=0, max_digits=17, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    expected_date: dt.date
    references: list[str] = Field(
        default_factory=list, max_length=20, description="invoice, order, EndToEndId …"
    )
    description: str | None = Field(default=None, max_length=200)


class ExpectedItemsIn(_In):
    """Expected items of one enterprise."""

    enterprise_party_id: str | None = Field(default=None, max_length=64, description="default: yourself")
    items: list[ExpectedItemIn] = Field(min_length=1, max_length=1000)


class ExpectedItemOut(BaseModel):
    """An expected item and what is still open of it."""

    id: str
    source: str
    source_ref: str
    direction: str
    currency: str
    amount: Amount
    open_amount: Amount
    expected_date: dt.date
    references: list[str]
    description: str | None
    status: str


class RegisteredOut(BaseModel):
    """How many items were registered."""

    stored: int
