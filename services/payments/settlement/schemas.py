"""Request and response models of settlement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.payments.amounts import Amount
from shared.events.payments import SettlementKind


class SettlementIn(BaseModel):
    """A settlement of (part of) a receipt."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$", description="your id")
    kind: SettlementKind
    amount: Decimal = Field(gt=0, max_digits=17, decimal_places=2, description="in the receipt's currency")
    rate: Decimal | None = Field(
        default=None, gt=0, max_digits=14, decimal_places=6, description="CNY per unit (fx)"
    )
    amount_cny: Decimal | None = Field(default=None, gt=0, max_digits=17, decimal_places=2)
    settled_at: AwareDatetime


class SettlementOut(BaseModel):
    """A recorded settlement."""

    id: str
    reference: str
    transaction_id: str
    enterprise_party_id: str
    kind: SettlementKind
    amount: Amount
    currency: str
    rate: Amount
    amount_cny: Amount
    settled_at: dt.datetime
