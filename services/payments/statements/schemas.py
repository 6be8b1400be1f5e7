"""Response models of the statements module."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from services.payments.amounts import Amount


class StatementOut(BaseModel):
    """A stored statement."""

    id: str
    institution_party_id: str
    enterprise_party_id: str
    account: str
    format: str
    kind: str
    statement_ref: str
    currency: str
    opening_balance: Amount | None
    closing_balance: Amount | None
    from_date: dt.date | None
    to_date: dt.date | None
    entries: int
    received_at: dt.datetime


class EntryOut(BaseModel):
    """A statement entry (counterparty masked) and its reconciliation state."""

    seq: int
    amount: Amount
    credit: bool
    currency: str
    status: str
    booking_date: dt.date | None
    value_date: dt.date | None
    bank_reference: str | None
    end_to_end_ids: list[str]
    remittance: str
    counterparty: str | None
    reversal: bool
    matched_amount: Amount
    match_state: str
