"""Keeping the customs inventory mirror, and finding inventories for ASNs and returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.customs_inventories.models import CustomsInventory, CustomsReturn
from services.logistics.customs_inventories.repository import CustomsInventoryRepository
from services.logistics.customs_inventories.rules import InventoryState, merged
from shared.events.declaration import DocumentFacts, InventoryReturned
from shared.events.statuses import DocumentStatus
from shared.sqltypes import utcnow


async def apply_status(
    session: AsyncSession, facts: DocumentFacts, status: DocumentStatus, occurred_at: dt.datetime
) -> CustomsInventory:
    """Fold one status change of an inventory into the mirror (order-independent)."""
    repo = CustomsInventoryRepository(session)
    row = await repo.get(facts.document_id)
    current = None if row is None else InventoryState(row.status, row.status_rank, row.released_at)
    state = merged(current, status, occurred_at)
    values = {
        "invt_no": facts.invt_no or (row.invt_no if row else None),
        "business_no": facts.business_no,
        "message_type": facts.message_type,
        "party_id": facts.party_id,
        "ebc_code": facts.ebc_code,
        "mode": facts.mode,
        "direction": facts.direction,
        "status": state.status,
        "status_rank": state.rank,
        "released_at": state.released_at,
        "value": facts.value,
        "currency": facts.currency,
        "country": facts.country,
        "logistics_no": facts.logistics_no or (row.logistics_no if row else None),
        "updated_at": utcnow(),
    }
    if row is None:
        row = repo.add(CustomsInventory(document_id=facts.document_id, returned_value=Decimal(0), **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    await repo.flush()
    return row


async def apply_return(session: AsyncSession, data: InventoryReturned) -> CustomsReturn | None:
    """Record a return customs accepted (once per return id); None when already recorded."""
    repo = CustomsInventoryRepository(session)
    row = CustomsReturn(
        return_id=data.return_id,
        document_id=data.document.document_id,
        returned_value=data.returned_value,
        accepted_at=data.occurred_at,
    )
    if not await repo.add_return(row):
        return None
    inventory = await repo.get(data.document.document_id)
    if inventory is not None:
        inventory.returned_value += data.returned_value
        await repo.flush()
    return row


async def find(session: AsyncSession, numbers: Collection[str]) -> dict[str, CustomsInventory]:
    """Known inventories by each of the numbers asked (invtNo, business number or document id)."""
    rows = await CustomsInventoryRepository(session).by_numbers(numbers)
    found: dict[str, CustomsInventory] = {}
    for number in numbers:
        for row in rows:
            if number in (row.invt_no, row.business_no, row.document_id):
                found[number] = row
                break
    return found


async def returns_of(session: AsyncSession, document_id: str) -> Sequence[CustomsReturn]:
    """Returns customs accepted for an inventory."""
    return await CustomsInventoryRepository(session).returns_of(document_id)
