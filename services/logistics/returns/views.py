"""API views of returns."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.products.repository import ProductRepository
from services.logistics.returns.models import ReturnLine, ReturnRequest
from services.logistics.returns.repository import ReturnRepository
from services.logistics.returns.schemas import ReturnLineOut, ReturnOut, ReturnPage


def _out(ret: ReturnRequest, lines: list[ReturnLine], skus: dict[str, str]) -> ReturnOut:
    return ReturnOut(
        id=ret.id,
        reference=ret.reference,
        owner_party_id=ret.owner_party_id,
        shipment_id=ret.shipment_id,
        direction=ret.direction,  # type: ignore[arg-type]  # the column holds Direction values
        customs_mode=ret.customs_mode,
        invt_no=ret.invt_no,
        released_on=ret.released_on,
        window_closes_on=ret.window_closes_on,
        reason=ret.reason,  # type: ignore[arg-type]
        disposition=ret.disposition,  # type: ignore[arg-type]
        warehouse_id=ret.warehouse_id,
        status=ret.status,  # type: ignore[arg-type]
        return_leg_id=ret.return_leg_id,
        carrier_code=ret.carrier_code,
        tracking_number=ret.tracking_number,
        exchange_order_id=ret.exchange_order_id,
        customs_return_id=ret.customs_return_id,
        revision=ret.revision,
        created_at=ret.created_at,
        shipped_at=ret.shipped_at,
        received_at=ret.received_at,
        filed_at=ret.filed_at,
        lines=[
            ReturnLineOut(
                line_no=line.line_no,
                product_id=line.product_id,
                sku=skus.get(line.product_id, ""),
                quantity=line.quantity,
                sellable=line.sellable,
                unsellable=line.unsellable,
            )
            for line in lines
        ],
    )


async def describe(session: AsyncSession, ret: ReturnRequest) -> ReturnOut:
    """One return with its lines."""
    lines = await ReturnRepository.from_session(session).lines(ret.id)
    found = await ProductRepository(session).many([line.product_id for line in lines])
    return _out(ret, lines, {pid: p.sku for pid, p in found.items()})


async def page_of(session: AsyncSession, items: list[ReturnRequest], cursor: str | None) -> ReturnPage:
    """A list page, lines included."""
    lines = await ReturnRepository.from_session(session).lines_of([r.id for r in items])
    found = await ProductRepository(session).many({line.product_id for ls in lines.values() for line in ls})
    skus = {pid: p.sku for pid, p in found.items()}
    return ReturnPage(items=[_out(r, lines[r.id], skus) for r in items], next_cursor=cursor)
