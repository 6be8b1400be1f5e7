"""Every SQL statement of inbound."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from services.logistics.base import table_of
from services.logistics.inbound.models import InboundDeclaration, InboundLine, InboundOrder, InboundReceipt
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_NEWEST = Keyset([table_of(InboundOrder).c.created_at, table_of(InboundOrder).c.id], ["datetime", "str"])


class InboundRepository(ModelRepository[InboundOrder]):
    """ASNs, their declarations, lines and receipts."""

    model = InboundOrder

    async def by_reference(self, owner_party_id: str, reference: str) -> InboundOrder | None:
        """The owner's ASN with this reference, or None."""
        return await self.session.scalar(
            select(InboundOrder).where(
                InboundOrder.owner_party_id == owner_party_id, InboundOrder.reference == reference
            )
        )

    async def lock(self, asn_id: str) -> InboundOrder | None:
        """The ASN, locked for this transaction (receipts and putaways of one ASN serialise)."""
        return await self.session.scalar(
            select(InboundOrder).where(InboundOrder.id == asn_id).with_for_update()
        )

    async def declarations(self, asn_id: str) -> Sequence[InboundDeclaration]:
        """The inventories an ASN names."""
        return (
            await self.session.scalars(
                select(InboundDeclaration)
                .where(InboundDeclaration.asn_id == asn_id)
                .order_by(InboundDeclaration.number)
            )
        ).all()

    async def declarations_waiting_for(self, numbers: Collection[str]) -> Sequence[InboundDeclaration]:
        """Links not verified yet that name one of these numbers."""
        return (
            await self.session.scalars(
                select(InboundDeclaration).where(
                    InboundDeclaration.number.in_(set(numbers)), InboundDeclaration.link_status == "unknown"
                )
            )
        ).all()

    async def lines(self, asn_id: str) -> Sequence[InboundLine]:
        """The announced lines, by box."""
        return (
            await self.session.scalars(
                select(InboundLine)
                .where(InboundLine.asn_id == asn_id)
                .order_by(InboundLine.box_no, InboundLine.id)
            )
        ).all()

    async def receipts(self, asn_id: str, receipt_key: str | None = None) -> Sequence[InboundReceipt]:
        """Counted lines (of one receipt, when a key is given), in order."""
        stmt = select(InboundReceipt).where(InboundReceipt.asn_id == asn_id)
        if receipt_key is not None:
            stmt = stmt.where(InboundReceipt.receipt_key == receipt_key)
        return (await self.session.scalars(stmt.order_by(InboundReceipt.id))).all()

    async def list_page(
        self,
        page: PageRequest,
        *,
        owner_party_ids: Collection[str] | None,
        warehouse_ids: Collection[str] | None,
        status: str | None,
    ) -> tuple[list[InboundOrder], str | None]:
        """ASNs newest first, limited to owners or warehouses."""
        stmt = select(InboundOrder)
        if owner_party_ids is not None:
            stmt = stmt.where(InboundOrder.owner_party_id.in_(set(owner_party_ids)))
        if warehouse_ids is not None:
            stmt = stmt.where(InboundOrder.warehouse_id.in_(set(warehouse_ids)))
        if status:
            stmt = stmt.where(InboundOrder.status == status)
        return await self.page(stmt, _NEWEST, page, key=lambda a: (a.created_at, a.id))
