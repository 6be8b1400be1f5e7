"""``/v1/logistics/inbound`` — ASNs (头程), arrival, receiving with discrepancies, putaway by lot."""

from __future__ import annotations

from fastapi import APIRouter

from services.logistics.inbound import service, views
from services.logistics.inbound.repository import InboundRepository
from services.logistics.inbound.rules import AsnStatus
from services.logistics.inbound.schemas import ArrivalIn, AsnIn, AsnOut, AsnPage, PutawayIn, ReceiptIn
from services.logistics.products import service as products
from services.logistics.warehouses import service as warehouses
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/logistics/inbound", tags=["inbound"])


@router.post(
    "",
    status_code=201,
    response_model=AsnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Announce goods to a warehouse (ASN)",
)
async def create(data: AsnIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep) -> AsnOut:
    """Boxes and items on their way, with the 9810 export inventories that carried them."""
    return await views.describe(session, await service.create(session, runtime.publisher, identity, data))


@router.get("", response_model=AsnPage, responses=problems(*COMMON_PROBLEMS), summary="ASNs")
async def list_asns(
    identity: CurrentIdentity, session: DbSession, page: PageParams, status: AsnStatus | None = None
) -> AsnPage:
    """An owner's ASNs, and an operator's ASNs to its warehouses, newest first."""
    operated = await warehouses.operated_ids(session, identity)
    items, cursor = await InboundRepository(session).list_page(
        page,
        owner_party_ids=None if operated else products.owners_of(identity),
        warehouse_ids=operated or None,
        status=status,
    )
    return views.page_of(items, cursor)


@router.get("/{asn_id}", response_model=AsnOut, responses=problems(*COMMON_PROBLEMS, 404), summary="One ASN")
async def read(asn_id: str, identity: CurrentIdentity, session: DbSession) -> AsnOut:
    """Boxes, declarations, counts against the announcement, putaway progress."""
    return await views.describe(session, await service.get(session, identity, asn_id))


@router.post(
    "/{asn_id}/arrival",
    response_model=AsnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="The goods reached the dock",
)
async def arrive(
    asn_id: str, data: ArrivalIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> AsnOut:
    """The warehouse's operator notes the arrival."""
    return await views.describe(
        session, await service.arrive(session, runtime.publisher, identity, asn_id, data)
    )


@router.post(
    "/{asn_id}/receipts",
    response_model=AsnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Record a count (short, over, damaged)",
)
async def receive(
    asn_id: str, data: ReceiptIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> AsnOut:
    """Counts add up; ``final`` closes counting. The same ``receipt_key`` again changes nothing."""
    return await views.describe(
        session, await service.receive(session, runtime.publisher, identity, asn_id, data)
    )


@router.post(
    "/{asn_id}/putaways",
    response_model=AsnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Put counted units away, by lot",
)
async def put_away(
    asn_id: str, data: PutawayIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> AsnOut:
    """Counted units become stock in lots that keep the receipt day; orders waiting for them are served."""
    asn, _grown = await service.put_away(session, runtime.publisher, identity, asn_id, data)
    return await views.describe(session, asn)


@router.post(
    "/{asn_id}/cancel",
    response_model=AsnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Cancel an ASN",
)
async def cancel(asn_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep) -> AsnOut:
    """The owner withdraws an ASN whose goods have not arrived."""
    return await views.describe(session, await service.cancel(session, runtime.publisher, identity, asn_id))
