"""Every SQL statement of the customs inventory mirror."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import or_, select

from services.logistics.customs_inventories.models import CustomsInventory, CustomsReturn
from shared.kit.repository import ModelRepository


class CustomsInventoryRepository(ModelRepository[CustomsInventory]):
    """Inventories by document id or by customs number; accepted returns."""

    model = CustomsInventory

    async def by_numbers(self, numbers: Collection[str]) -> Sequence[CustomsInventory]:
        """Inventories whose invtNo — or business number, or document id — is one of ``numbers``."""
        if not numbers:
            return []
        wanted = set(numbers)
        return (
            await self.session.scalars(
                select(CustomsInventory).where(
                    or_(
                        CustomsInventory.invt_no.in_(wanted),
                        CustomsInventory.business_no.in_(wanted),
                        CustomsInventory.document_id.in_(wanted),
                    )
                )
            )
        ).all()

    async def add_return(self, row: CustomsReturn) -> bool:
        """Store an accepted return once; False if its id was already stored."""
        if await self.session.get(CustomsReturn, row.return_id) is not None:
            return False
        self.session.add(row)
        await self.session.flush()
        return True

    async def returns_of(self, document_id: str) -> Sequence[CustomsReturn]:
        """The accepted returns of an inventory, oldest first."""
        return (
            await self.session.scalars(
                select(CustomsReturn)
                .where(CustomsReturn.document_id == document_id)
                .order_by(CustomsReturn.accepted_at)
            )
        ).all()
