"""Response models of goods–funds consistency."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class ReasonOut(BaseModel):
    """One part of an explanation."""

    code: str
    en: str
    zh: str


class EnterpriseMonthOut(BaseModel):
    """One enterprise's month."""

    party_id: str
    name: str | None
    district: str | None
    declared_exports_cny: Decimal
    matched_receipts_cny: Decimal
    receipts_cny: Decimal
    netted_cny: Decimal
    export_ratio: Decimal | None = Field(description="matched receipts / declared exports")
    declared_imports_cny: Decimal
    matched_payments_cny: Decimal
    payments_cny: Decimal
    import_ratio: Decimal | None = Field(description="matched payments / declared imports")
    flagged: bool
    reasons: list[ReasonOut]


class GoodsFundsOut(BaseModel):
    """A month of goods–funds consistency."""

    month: str
    band_low: Decimal
    band_high: Decimal
    enterprises: int
    flagged: int
    items: list[EnterpriseMonthOut]
