"""What a filing produces: the body as received, each accepted record's result, the outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipts import Answer


@dataclass(frozen=True)
class RawBody:
    """The request body as received."""

    data: bytes
    content_format: str
    content_type: str


@dataclass(frozen=True)
class RecordResult:
    """What happened to one accepted record."""

    document_id: str
    status: str
    action: str
    pre_no: str | None = None


@dataclass(frozen=True)
class Filed:
    """Outcome of filing a message."""

    filing_id: str
    message: CebMessage
    answer: Answer
    results: dict[int, RecordResult]
    received_at: dt.datetime
    dry_run: bool = False
    """Every check ran and nothing was kept (``?dryRun=true``): no filing, no document, no quota."""

    @property
    def accepted_count(self) -> int:
        """Records accepted."""
        return len(self.results)

    @property
    def outcome(self) -> str:
        """``accepted``, ``partial`` or ``rejected``."""
        if self.accepted_count == len(self.message.records):
            return "accepted"
        return "partial" if self.accepted_count else "rejected"
