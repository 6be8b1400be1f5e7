"""``/v1/logistics/returns`` — returns and exchanges: open, ship back, receive and grade, back in
China, cancel, exchange."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.logistics.context import LogisticsContextDep
from services.logistics.outbound.routes import VaultDep
from services.logistics.products import service as products
from services.logistics.returns import service, views
from services.logistics.returns.repository import ReturnRepository
from services.logistics.returns.rules import Status
from services.logistics.returns.schemas import (
    ExchangeIn,
    ReceiveIn,
    ReturnIn,
    ReturnOut,
    ReturnPage,
    ReturnShipIn,
)
from services.logistics.settings import LogisticsSettings
from services.logistics.warehouses import service as warehouses
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics/returns", tags=["returns"])


@router.post(
    "",
    status_code=201,
    response_model=ReturnOut,
    responses={
        200: {"model": ReturnOut, "description": "The return this reference already names (a repeat)"},
        **problems(*COMMON_PROBLEMS, 403, 404, 409, 422),
    },
    summary="Open a return for a released parcel (within its return window)",
)
async def create(
    data: ReturnIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep, response: Response
) -> ReturnOut:
    """Outside the window (exports: 1 year from release; imports: customs' days) a 422 gives its dates."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    ret, created = await service.open_return(
        session,
        runtime.publisher,
        identity,
        data,
        import_window_days=settings.import_return_window_days,
        now=utcnow(),
    )
    if not created:
        response.status_code = 200
    return await views.describe(session, ret)


@router.get("", response_model=ReturnPage, responses=problems(*COMMON_PROBLEMS), summary="Returns")
async def list_returns(
    identity: CurrentIdentity, session: DbSession, page: PageParams, status: Status | None = None
) -> ReturnPage:
    """An owner's returns, and an operator's returns coming to its warehouses, newest first."""
    operated = await warehouses.operated_ids(session, identity)
    items, cursor = await ReturnRepository(session).list_page(
        page,
        owner_party_ids=None if operated else products.owners_of(identity),
        warehouse_ids=operated or None,
        status=status.value if status else None,
    )
    return await views.page_of(session, items, cursor)


@router.get(
    "/{return_id}", response_model=ReturnOut, responses=problems(*COMMON_PROBLEMS, 404), summary="One return"
)
async def read(return_id: str, identity: CurrentIdentity, session: DbSession) -> ReturnOut:
    """The return with its window, leg, grading and links."""
    return await views.describe(session, await service.get(session, identity, return_id))


@router.post(
    "/{return_id}/ship",
    response_model=ReturnOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409),
    summary="The parcel leaves on its own return leg",
)
async def ship(
    return_id: str,
    data: ReturnShipIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> ReturnOut:
    """Adds a ``return`` leg to the original shipment; its tracking comes like any leg's."""
    ret = await service.ship(session, runtime.publisher, ctx, identity, return_id, data, utcnow())
    return await views.describe(session, ret)


@router.post(
    "/{return_id}/receive",
    response_model=ReturnOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409),
    summary="The warehouse receives the return and grades it",
)
async def receive(
    return_id: str, data: ReceiveIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ReturnOut:
    """Sellable units go back on sale, the others are kept unavailable (stock ledger movements)."""
    ret = await service.receive(session, runtime.publisher, identity, return_id, data, utcnow())
    return await views.describe(session, ret)


@router.post(
    "/{return_id}/arrived-in-china",
    response_model=ReturnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="The parcel is back in China: the customs return filing falls due",
)
async def arrived(
    return_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ReturnOut:
    """Publishes ``ReturnFilingDue`` to the owner; the declaration service takes the filing."""
    ret = await service.arrive_in_china(session, runtime.publisher, identity, return_id, utcnow())
    return await views.describe(session, ret)


@router.post(
    "/{return_id}/cancel",
    response_model=ReturnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Cancel a return before the parcel leaves",
)
async def cancel(
    return_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ReturnOut:
    """Only a requested return may be cancelled."""
    ret = await service.cancel(session, runtime.publisher, identity, return_id, utcnow())
    return await views.describe(session, ret)


@router.post(
    "/{return_id}/exchange",
    response_model=ReturnOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409, 422),
    summary="Exchange: place the linked reshipment",
)
async def exchange(
    return_id: str,
    data: ExchangeIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> ReturnOut:
    """An outbound order (``replaces_return_id`` = this return) is placed and reserved at once."""
    ret, _order = await service.exchange(
        session, runtime.publisher, vault, identity, return_id, data, utcnow()
    )
    return await views.describe(session, ret)
