"""Response models of the threshold module."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from services.payments.amounts import Amount
from shared.events.payments import ThresholdState


class CounterOut(BaseModel):
    """One enterprise at one institution in one year."""

    enterprise_party_id: str
    institution_party_id: str
    year: int
    receipts_usd: Amount
    payments_usd: Amount
    state: ThresholdState
    safe_list: str | None
    safe_list_month: str | None
    registered_on: dt.date | None
    updated_at: dt.datetime


class ListImportOut(BaseModel):
    """One imported list."""

    month: str
    list_type: str
    rows: int
    matched: list[str]
    unknown_usccs: list[str]


class SafeListEntryOut(BaseModel):
    """A firm on an imported list."""

    month: str
    list_type: str
    uscc: str
    name: str
    amount_usd: Amount | None
    enterprise_party_id: str | None
    imported_at: dt.datetime
