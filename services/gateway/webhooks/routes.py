"""Webhook routes: own subscriptions and deliveries; the admin allow-list."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayComponents, GatewayDep
from services.gateway.webhooks.models import WebhookAllowEntry
from services.gateway.webhooks.schemas import (
    AllowEntryIn,
    AllowEntryOut,
    DeliveryDetail,
    DeliveryOut,
    DeliveryPage,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionPatch,
)
from services.gateway.webhooks.service import WebhookService
from services.gateway.webhooks.ssrf import validate_entry
from shared.problems import CONFLICT, NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.service import DbSession
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
admin_router = APIRouter(prefix="/v1/admin/webhook-allowlist", tags=["webhooks (admin)"])


def _service(session: DbSession, gw: GatewayComponents) -> WebhookService:
    return WebhookService(session, gw.sealer, gw.settings.webhook_max_subscriptions_per_party)


@router.get("/subscriptions", response_model=SubscriptionList, summary="Own subscriptions")
async def list_subscriptions(caller: CurrentCaller, session: DbSession, gw: GatewayDep) -> SubscriptionList:
    """The calling party's subscriptions."""
    return SubscriptionList(items=await _service(session, gw).list_own(caller.party_id))


@router.post("/subscriptions", status_code=201, response_model=SubscriptionCreated, summary="Subscribe a URL")
async def subscribe(
    data: SubscriptionIn, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> SubscriptionCreated:
    """HTTPS URL resolving to public addresses (or allow-listed); the secret is shown once."""
    return await _service(session, gw).subscribe(caller.party_id, data)


@router.get(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="One own subscription"
)
async def read_subscription(
    subscription_id: str, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> SubscriptionOut:
    """Another party's id answers 404."""
    from services.gateway.webhooks.service import subscription_out

    return subscription_out(await _service(session, gw).own(caller.party_id, subscription_id))


@router.patch(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="Change a subscription"
)
async def update_subscription(
    subscription_id: str,
    patch: SubscriptionPatch,
    caller: CurrentCaller,
    session: DbSession,
    gw: GatewayDep,
) -> SubscriptionOut:
    """URL (re-checked), event types, description, status."""
    return await _service(session, gw).update(caller.party_id, subscription_id, patch)


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Delete a subscription")
async def delete_subscription(
    subscription_id: str, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> Response:
    """With its deliveries."""
    await _service(session, gw).delete(caller.party_id, subscription_id)
    return Response(status_code=204)


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response_model=SubscriptionCreated,
    summary="New endpoint secret",
)
async def rotate_secret(
    subscription_id: str, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> SubscriptionCreated:
    """The old secret keeps signing beside the new one for 24 h."""
    return await _service(session, gw).rotate_secret(caller.party_id, subscription_id)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    summary="Delivery log of a subscription",
)
async def subscription_deliveries(
    subscription_id: str,
    caller: CurrentCaller,
    session: DbSession,
    gw: GatewayDep,
    status: Literal["pending", "delivered", "dead"] | None = None,
    before: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """Newest first; ``before`` is the last id of the previous page."""
    items = await _service(session, gw).deliveries(
        caller.party_id, subscription_id=subscription_id, status=status, before=before, limit=limit
    )
    return DeliveryPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/deliveries", response_model=DeliveryPage, summary="Own deliveries (e.g. ?status=dead)")
async def search_deliveries(
    caller: CurrentCaller,
    session: DbSession,
    gw: GatewayDep,
    status: Literal["pending", "delivered", "dead"] | None = None,
    before: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """The party's dead letters are ``?status=dead``."""
    items = await _service(session, gw).deliveries(caller.party_id, status=status, before=before, limit=limit)
    return DeliveryPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get(
    "/deliveries/{delivery_id}", response_model=DeliveryDetail, summary="One delivery and its attempts"
)
async def read_delivery(
    delivery_id: str, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> DeliveryDetail:
    """With every attempt's status code and error."""
    return await _service(session, gw).delivery_detail(caller.party_id, delivery_id)


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut, summary="Send a delivery again")
async def replay_delivery(
    delivery_id: str, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> DeliveryOut:
    """A delivered or dead delivery goes out again now, with a fresh retry window."""
    return await _service(session, gw).replay(caller.party_id, delivery_id)


@admin_router.get("", response_model=list[AllowEntryOut], summary="The webhook allow-list")
async def list_allowlist(session: DbSession) -> list[AllowEntryOut]:
    """Hosts and networks webhooks may reach although not public."""
    rows = await session.scalars(select(WebhookAllowEntry).order_by(WebhookAllowEntry.entry))
    return [
        AllowEntryOut(entry=r.entry, note=r.note, created_by=r.created_by, created_at=r.created_at)
        for r in rows
    ]


@admin_router.post("", status_code=201, response_model=AllowEntryOut, summary="Allow a host or network")
async def add_allow_entry(data: AllowEntryIn, caller: CurrentCaller, session: DbSession) -> AllowEntryOut:
    """A host name (exact) or a CIDR network."""
    try:
        entry = validate_entry(data.entry)
    except ValueError as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/entry", "detail": str(exc)}]
        ) from None
    if await session.get(WebhookAllowEntry, entry) is not None:
        raise ProblemError(CONFLICT, "Already allow-listed.")
    row = WebhookAllowEntry(entry=entry, note=data.note, created_by=caller.party_id, created_at=utcnow())
    session.add(row)
    return AllowEntryOut(entry=row.entry, note=row.note, created_by=row.created_by, created_at=row.created_at)


@admin_router.delete("/{entry:path}", status_code=204, summary="Remove an allow-list entry")
async def remove_allow_entry(entry: str, session: DbSession) -> Response:
    """Sends to it are refused from the next attempt on."""
    row = await session.get(WebhookAllowEntry, entry.lower())
    if row is None:
        raise ProblemError(NOT_FOUND, "No such entry.")
    await session.delete(row)
    return Response(status_code=204)
