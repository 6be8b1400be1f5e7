"""Webhook routes: own subscriptions and deliveries; the admin allow-list."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayDep
from services.gateway.webhooks import service
from services.gateway.webhooks.schemas import (
    AllowEntryIn,
    AllowEntryOut,
    DeliveryDetail,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)
from shared.kit.pagination import Page, PageParams, PageRequest, page_request_for
from shared.problems import NOT_FOUND, ProblemError
from shared.service import DbSession

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
admin_router = APIRouter(prefix="/v1/admin/webhook-allowlist", tags=["webhooks (admin)"])

DeliveryStatus = Literal["pending", "delivered", "dead"]
#: ``?cursor=&limit=``; ``before`` is the cursor's old name (deprecated), pages of at most 200 as before.
DeliveryPageParams = Annotated[PageRequest, Depends(page_request_for(alias="before", max_limit=200))]


@router.get("/subscriptions", response_model=Page[SubscriptionOut], summary="Own subscriptions")
async def list_subscriptions(
    caller: CurrentCaller, session: DbSession, page: PageParams
) -> Page[SubscriptionOut]:
    """The calling party's subscriptions, oldest first."""
    return await service.subscriptions(session, caller.party_id, page)


@router.post("/subscriptions", status_code=201, response_model=SubscriptionCreated, summary="Subscribe a URL")
async def subscribe(
    data: SubscriptionIn, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> SubscriptionCreated:
    """HTTPS URL resolving to public addresses (or allow-listed); the secret is shown once."""
    limit = gw.settings.webhook_max_subscriptions_per_party
    return await service.subscribe(session, gw.sealer, caller.party_id, data, limit=limit)


@router.get(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="One own subscription"
)
async def read_subscription(
    subscription_id: str, caller: CurrentCaller, session: DbSession
) -> SubscriptionOut:
    """Another party's id answers 404."""
    return service.subscription_out(await service.own(session, caller.party_id, subscription_id))


@router.patch(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, summary="Change a subscription"
)
async def update_subscription(
    subscription_id: str, patch: SubscriptionPatch, caller: CurrentCaller, session: DbSession
) -> SubscriptionOut:
    """URL (re-checked), event types, description, status."""
    return await service.update(session, caller.party_id, subscription_id, patch)


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Delete a subscription")
async def delete_subscription(subscription_id: str, caller: CurrentCaller, session: DbSession) -> Response:
    """With its deliveries."""
    await service.delete(session, caller.party_id, subscription_id)
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
    return await service.rotate_secret(session, gw.sealer, caller.party_id, subscription_id)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="Delivery log of a subscription",
)
async def subscription_deliveries(
    subscription_id: str,
    caller: CurrentCaller,
    session: DbSession,
    page: DeliveryPageParams,
    status: DeliveryStatus | None = None,
) -> Page[DeliveryOut]:
    """Newest first."""
    return await service.deliveries(
        session, caller.party_id, page, subscription_id=subscription_id, status=status
    )


@router.get("/deliveries", response_model=Page[DeliveryOut], summary="Own deliveries (e.g. ?status=dead)")
async def search_deliveries(
    caller: CurrentCaller,
    session: DbSession,
    page: DeliveryPageParams,
    status: DeliveryStatus | None = None,
) -> Page[DeliveryOut]:
    """Newest first; the party's dead letters are ``?status=dead``."""
    return await service.deliveries(session, caller.party_id, page, status=status)


@router.get(
    "/deliveries/{delivery_id}", response_model=DeliveryDetail, summary="One delivery and its attempts"
)
async def read_delivery(delivery_id: str, caller: CurrentCaller, session: DbSession) -> DeliveryDetail:
    """With every attempt's status code and error."""
    return await service.delivery_detail(session, caller.party_id, delivery_id)


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut, summary="Send a delivery again")
async def replay_delivery(delivery_id: str, caller: CurrentCaller, session: DbSession) -> DeliveryOut:
    """A delivered or dead delivery goes out again now, with a fresh retry window."""
    return await service.replay(session, caller.party_id, delivery_id)


@admin_router.get("", response_model=Page[AllowEntryOut], summary="The webhook allow-list")
async def list_allowlist(session: DbSession, page: PageParams) -> Page[AllowEntryOut]:
    """Hosts and networks webhooks may reach although not public, by name."""
    return await service.allow_entries(session, page)


@admin_router.post("", status_code=201, response_model=AllowEntryOut, summary="Allow a host or network")
async def add_allow_entry(data: AllowEntryIn, caller: CurrentCaller, session: DbSession) -> AllowEntryOut:
    """A host name (exact) or a CIDR network."""
    return await service.allow(session, data, caller.party_id)


@admin_router.delete("/{entry:path}", status_code=204, summary="Remove an allow-list entry")
async def remove_allow_entry(entry: str, session: DbSession) -> Response:
    """Sends to it are refused from the next attempt on."""
    if not await service.disallow(session, entry):
        raise ProblemError(NOT_FOUND, "No such entry.")
    return Response(status_code=204)
