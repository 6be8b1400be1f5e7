"""Response models of the ledger."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from services.payments.amounts import Amount


class CurrencyBalances(BaseModel):
    """An enterprise's figures in one currency."""

    currency: str
    declared_exports: Amount = Field(description="released exports (net of cancellations and returns)")
    received: Amount = Field(description="money received, confirmed by a statement or not yet")
    received_confirmed: Amount = Field(description="received and confirmed by a bank statement")
    netted: Amount = Field(description="fees and allowed costs netted")
    unallocated: Amount = Field(description="received but explained by no declared goods")
    settled_fx: Amount = Field(description="settled into CNY (结汇)")
    settled_rmb: Amount = Field(description="settled as cross-border RMB")
    outstanding_receivable: Amount = Field(description="declared exports not yet paid")
    declared_imports: Amount
    outstanding_payable: Amount = Field(description="declared imports not yet paid")


class BalanceOut(BaseModel):
    """An enterprise's balances."""

    enterprise_party_id: str
    currencies: list[CurrencyBalances]


class AccountOut(BaseModel):
    """A ledger account and its four balances (minor units)."""

    code: str
    ledger: str
    name: str
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int


class TransferOut(BaseModel):
    """An immutable transfer."""

    id: str
    debit_account_id: int
    credit_account_id: int
    amount: int = Field(description="minor units (cents)")
    ledger: str
    code: str
    flag: str
    pending_id: str | None
    reference: str | None
    created_at: dt.datetime
