"""ASNs as the API shows them: boxes, declarations, discrepancies and putaway progress."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.inbound import rules
from services.logistics.inbound.models import InboundOrder
from services.logistics.inbound.repository import InboundRepository
from services.logistics.inbound.schemas import (
    AsnOut,
    AsnPage,
    AsnSummaryOut,
    BoxItemOut,
    BoxOut,
    DeclarationLinkOut,
    DiscrepancyOut,
)
from services.logistics.products.repository import ProductRepository
from services.logistics.stock import service as stock
from services.logistics.stock.rules import MovementKind


async def describe(session: AsyncSession, asn: InboundOrder) -> AsnOut:
    """The full view of one ASN."""
    repo = InboundRepository(session)
    lines = await repo.lines(asn.id)
    receipts = [r for r in await repo.receipts(asn.id) if r.product_id]
    totals = await stock.reference_totals(session, "asn", asn.id)
    ids = {line.product_id for line in lines} | {r.product_id for r in receipts}
    skus = {p.id: p.sku for p in (await ProductRepository(session).many(ids)).values()}
    boxes: dict[str, list[BoxItemOut]] = defaultdict(list)
    for line in lines:
        boxes[line.box_no].append(
            BoxItemOut(
                product_id=line.product_id,
                sku=skus.get(line.product_id, ""),
                lot_no=line.lot_no or None,
                expected=line.expected,
            )
        )
    found = rules.discrepancies(
        [rules.Expected(line.box_no, line.product_id, line.expected) for line in lines],
        [rules.Counted(r.box_no, r.product_id, r.received, r.damaged) for r in receipts],
    )
    return AsnOut(
        id=asn.id,
        reference=asn.reference,
        owner_party_id=asn.owner_party_id,
        warehouse_id=asn.warehouse_id,
        status=asn.status,  # type: ignore[arg-type]  # the column holds AsnStatus values
        transport_mode=asn.transport_mode,
        carrier_code=asn.carrier_code,
        tracking_number=asn.tracking_number,
        shipment_id=asn.shipment_id,
        expected_on=asn.expected_on,
        arrived_at=asn.arrived_at,
        received_at=asn.received_at,
        completed_at=asn.completed_at,
        cancelled_at=asn.cancelled_at,
        declarations=[
            DeclarationLinkOut(
                number=d.number,
                document_id=d.document_id,
                link_status=d.link_status,  # type: ignore[arg-type]
                detail=d.detail,
            )
            for d in await repo.declarations(asn.id)
        ],
        boxes=[BoxOut(box_no=box, items=items) for box, items in sorted(boxes.items())],
        discrepancies=[
            DiscrepancyOut(
                product_id=d.product_id,
                sku=skus.get(d.product_id, ""),
                expected=d.expected,
                received=d.received,
                damaged=d.damaged,
                short=d.short,
                over=d.over,
                kinds=d.kinds,  # type: ignore[arg-type]
                put_away_sellable=totals.get((d.product_id, str(MovementKind.RECEIVE)), 0),
                put_away_damaged=totals.get((d.product_id, str(MovementKind.RECEIVE_DAMAGED)), 0),
            )
            for d in found
        ],
        revision=asn.revision,
        created_at=asn.created_at,
        updated_at=asn.updated_at,
    )


def page_of(items: list[InboundOrder], cursor: str | None) -> AsnPage:
    """A list page."""
    return AsnPage(items=[AsnSummaryOut.model_validate(a) for a in items], next_cursor=cursor)
