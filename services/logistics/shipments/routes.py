"""Shipment routes: create, read, list, search by any number, legs, the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from services.logistics.context import LogisticsContextDep
from services.logistics.shipments import service, views
from services.logistics.shipments.repository import ShipmentRepository
from services.logistics.shipments.rules import Viewer
from services.logistics.shipments.schemas import (
    LegChange,
    LegIn,
    LegOut,
    SearchResult,
    ShipmentIn,
    ShipmentOut,
    ShipmentSummary,
    TimelineEvent,
)
from services.logistics.tracking.repository import TrackingRepository
from shared.events.declaration import Direction
from shared.events.logistics import TrackingStatus
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.params import IsoDateTime
from shared.kit.responses import problems
from shared.problems import VALIDATION_FAILED, ProblemError
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics", tags=["logistics shipments"])


async def _out(session: DbSession, shipment_id: str, identity: CurrentIdentity) -> ShipmentOut:
    shipment, legs, allowed = await service.readable(session, identity, shipment_id)
    numbers = await ShipmentRepository(session).numbers_of_legs(leg.id for leg in legs)
    return views.shipment_out(shipment, legs, numbers, allowed)


@router.post(
    "/shipments",
    status_code=201,
    response_model=ShipmentOut,
    responses=problems(401, 403, 409, 422),
    summary="Make a shipment with its legs (carrier, forwarder or enterprise)",
)
async def create_shipment(
    data: ShipmentIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> ShipmentOut:
    """Shipments of customs waybills are made by the platform itself when customs accepts the waybill."""
    shipment = await service.create(session, runtime.publisher, ctx, identity, data, utcnow())
    return await _out(session, shipment.id, identity)


@router.get(
    "/shipments",
    response_model=Page[ShipmentSummary],
    responses=problems(401, 403, 422),
    summary="Your shipments, newest first (regulators: everyone's)",
)
async def list_shipments(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    status: TrackingStatus | None = None,
    direction: Direction | None = None,
    created_from: Annotated[IsoDateTime | None, Query(description="inclusive, with its offset")] = None,
    created_to: Annotated[IsoDateTime | None, Query(description="exclusive, with its offset")] = None,
) -> Page[ShipmentSummary]:
    """Filter by status, direction and creation time."""
    viewer = Viewer.of(identity)
    repo = ShipmentRepository(session)
    stmt = repo.listing(
        party_id=identity.party_id,
        codes=sorted(viewer.codes),
        everyone=viewer.everyone,
        status=status.value if status else None,
        direction=direction,
        created_from=_aware(created_from, "created_from"),
        created_to=_aware(created_to, "created_to"),
    )
    rows, cursor = await repo.page(stmt, page)
    return Page(items=[views.summary(row) for row in rows], next_cursor=cursor)


def _aware(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ProblemError(
            VALIDATION_FAILED,
            f"`{name}` needs a UTC offset.",
            errors=[{"pointer": f"/query/{name}", "detail": "a time without a zone"}],
        )
    return value


@router.get(
    "/shipments/search",
    response_model=SearchResult,
    responses=problems(401, 403, 422),
    summary="Find your shipments by any number (order, waybill, inventory, tracking, alias, container …)",
)
async def search(
    identity: CurrentIdentity,
    session: DbSession,
    number: Annotated[str, Query(min_length=1, max_length=64)],
) -> SearchResult:
    """Only shipments you may see are found."""
    found = await service.search(session, identity, number)
    return SearchResult(number=number.strip(), items=[views.hit(row) for row in found])


@router.get(
    "/shipments/{shipment_id}",
    response_model=ShipmentOut,
    responses=problems(401, 403, 404),
    summary="One shipment: references, legs, status, ETA and punctuality",
)
async def read_shipment(shipment_id: str, identity: CurrentIdentity, session: DbSession) -> ShipmentOut:
    """Someone else's shipment is "not found"; a carrier sees its own legs only."""
    return await _out(session, shipment_id, identity)


@router.get(
    "/shipments/{shipment_id}/timeline",
    response_model=Page[TimelineEvent],
    responses=problems(401, 403, 404, 422),
    summary="A shipment's events in time order, carriers' and customs' on one timeline",
)
async def timeline(
    shipment_id: str, identity: CurrentIdentity, session: DbSession, page: PageParams
) -> Page[TimelineEvent]:
    """Every event as stored (retracted ones marked); a carrier sees the events of its own legs."""
    shipment, _legs, allowed = await service.readable(session, identity, shipment_id)
    repo = TrackingRepository(session)
    rows, cursor = await repo.timeline_page(repo.timeline(shipment_id, allowed), page)
    retracted = await repo.retracted(shipment_id) if rows else set()
    return Page(
        items=[views.timeline_event(row, retracted, shipment.direction) for row in rows], next_cursor=cursor
    )


@router.post(
    "/shipments/{shipment_id}/legs",
    status_code=201,
    response_model=LegOut,
    responses=problems(401, 403, 404, 422),
    summary="Add a leg (a last mile from a warehouse, a return, a subcontracted stretch)",
)
async def add_leg(
    shipment_id: str,
    data: LegIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> LegOut:
    """The new leg goes last; events already received for its number are attached to it."""
    leg = await service.add_leg(session, runtime.publisher, ctx, identity, shipment_id, data, utcnow())
    numbers = await ShipmentRepository(session).numbers_of_legs([leg.id])
    return views.leg_out(leg, numbers[leg.id])


@router.patch(
    "/shipments/{shipment_id}/legs/{leg_id}",
    response_model=LegOut,
    responses=problems(401, 403, 404, 422),
    summary="Change a leg: a new number (the old one stays known), plans, places, mode",
)
async def change_leg(
    shipment_id: str,
    leg_id: str,
    data: LegChange,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> LegOut:
    """A carrier swapping a parcel's number keeps the old one as an alias: both find the parcel."""
    leg = await service.change_leg(
        session, runtime.publisher, ctx, identity, shipment_id, leg_id, data, utcnow()
    )
    numbers = await ShipmentRepository(session).numbers_of_legs([leg.id])
    return views.leg_out(leg, numbers[leg.id])
