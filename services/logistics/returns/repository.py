"""Every SQL statement of returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select

from services.logistics.base import table_of
from services.logistics.returns.models import ReturnLine, ReturnRequest
from services.logistics.tracking.models import TrackingEvent
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_RETURNS = table_of(ReturnRequest)
_NEWEST = Keyset([_RETURNS.c.created_at, _RETURNS.c.id], ["datetime", "str"])


class ReturnRepository(ModelRepository[ReturnRequest]):
    """Returns and their lines; the customs release a return's window starts from."""

    model = ReturnRequest

    async def by_reference(self, owner_party_id: str, reference: str) -> ReturnRequest | None:
        """The owner's return with this reference, or None."""
        return await self.session.scalar(
            select(ReturnRequest).where(
                ReturnRequest.owner_party_id == owner_party_id, ReturnRequest.reference == reference
            )
        )

    def add_lines(self, lines: Sequence[ReturnLine]) -> None:
        """Stage a new return's lines."""
        self.session.add_all(lines)

    async def lock(self, return_id: str) -> ReturnRequest | None:
        """The return, locked for this transaction (its steps serialise)."""
        return await self.session.scalar(
            select(ReturnRequest).where(ReturnRequest.id == return_id).with_for_update()
        )

    async def lines(self, return_id: str) -> list[ReturnLine]:
        """The return's lines in order."""
        rows = await self.session.scalars(
            select(ReturnLine).where(ReturnLine.return_id == return_id).order_by(ReturnLine.line_no)
        )
        return list(rows)

    async def lines_of(self, return_ids: Sequence[str]) -> dict[str, list[ReturnLine]]:
        """Lines of several returns."""
        found: dict[str, list[ReturnLine]] = {rid: [] for rid in return_ids}
        if return_ids:
            rows = await self.session.scalars(
                select(ReturnLine)
                .where(ReturnLine.return_id.in_(return_ids))
                .order_by(ReturnLine.return_id, ReturnLine.line_no)
            )
            for row in rows:
                found[row.return_id].append(row)
        return found

    async def customs_release(self, shipment_id: str) -> dt.datetime | None:
        """When customs first released the shipment (its earliest customs release event)."""
        return await self.session.scalar(
            select(func.min(TrackingEvent.occurred_at)).where(
                TrackingEvent.shipment_id == shipment_id,
                TrackingEvent.source == "customs",
                TrackingEvent.sub_status == "customs_released",
            )
        )

    async def awaiting_filing(self, invt_no: str) -> list[ReturnRequest]:
        """Returns back in China whose customs filing names inventory ``invt_no``, oldest first."""
        rows = await self.session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.invt_no == invt_no, ReturnRequest.status == "arrived_in_china")
            .order_by(ReturnRequest.created_at, ReturnRequest.id)
            .with_for_update()
        )
        return list(rows)

    async def list_page(
        self,
        page: PageRequest,
        *,
        owner_party_ids: Sequence[str] | None,
        warehouse_ids: Sequence[str] | None,
        status: str | None,
    ) -> tuple[list[ReturnRequest], str | None]:
        """Returns newest first: an owner's, or those coming to the operator's warehouses."""
        stmt = select(ReturnRequest)
        if owner_party_ids is not None:
            stmt = stmt.where(ReturnRequest.owner_party_id.in_(owner_party_ids))
        if warehouse_ids is not None:
            stmt = stmt.where(ReturnRequest.warehouse_id.in_(warehouse_ids))
        if status is not None:
            stmt = stmt.where(ReturnRequest.status == status)
        return await self.page(stmt, _NEWEST, page, key=lambda r: (r.created_at, r.id))
