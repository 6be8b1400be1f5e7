"""What a document becoming declared (or undeclared) changes elsewhere in payments.

Kept in one place so the goods handlers stay a projection: the ledger's declared
receivable and the expected receipts of reconciliation follow from here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.goods.service import Change


async def on_change(session: AsyncSession, change: Change) -> None:
    """React to a document's declared state changing (nothing yet when it did not)."""
    if change.was_declared == change.is_declared:
        return
