"""The one shape every statement format is read into, and the refusal that names what is wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

BOOKED = "BOOK"


@dataclass(frozen=True, slots=True)
class Entry:
    """One statement entry (a booked, pending or information-only movement)."""

    index: int
    amount: Decimal
    credit: bool
    currency: str
    status: str = BOOKED
    booking_date: dt.date | None = None
    value_date: dt.date | None = None
    bank_reference: str | None = None
    end_to_end_ids: tuple[str, ...] = ()
    remittance: str = ""
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    reversal: bool = False
    pointer: str = ""
    line: int | None = None

    @property
    def signed(self) -> Decimal:
        """Credit positive, debit negative."""
        return self.amount if self.credit else -self.amount


@dataclass(frozen=True, slots=True)
class Sums:
    """Totals a statement declares about its own entries (camt TxsSummry, MT942 :90D:/:90C:)."""

    credit_sum: Decimal | None = None
    credit_count: int | None = None
    debit_sum: Decimal | None = None
    debit_count: int | None = None


@dataclass
class ParsedStatement:
    """A statement, notification or interim report of one account."""

    format: str
    kind: str  # statement | notification | interim
    statement_id: str
    account: str
    currency: str
    entries: list[Entry] = field(default_factory=list)
    opening: Decimal | None = None
    closing: Decimal | None = None
    created_at: dt.datetime | None = None
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    sums: Sums | None = None
    pointer: str = ""


class StatementRefused(Exception):
    """The statement cannot be accepted; ``problems`` name the statement, entry or line."""

    def __init__(self, detail: str, problems: list[dict[str, Any]]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems
