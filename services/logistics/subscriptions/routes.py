"""Subscription routes: subscribe to your shipments, list, remove, test-fire."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.logistics.subscriptions import service
from services.logistics.subscriptions.models import Subscription
from services.logistics.subscriptions.schemas import SubscriptionIn, SubscriptionOut, TestFired
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics/subscriptions", tags=["logistics subscriptions"])


def _out(row: Subscription) -> SubscriptionOut:
    return SubscriptionOut.model_validate(
        {
            "id": row.id,
            "scope": row.scope,
            "value": row.value,
            "kinds": row.kinds,
            "status": row.status,
            "created_at": row.created_at,
        }
    )


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionOut,
    responses=problems(401, 403, 422),
    summary="Subscribe to your shipments (all, or by order, waybill or tracking number)",
)
async def create(data: SubscriptionIn, identity: CurrentIdentity, session: DbSession) -> SubscriptionOut:
    """Changes go out as ``ddt.logistics.notification`` events to your gateway webhook endpoints
    (``/v1/webhooks/subscriptions``, event type ``ddt.logistics.*``); you hear only about
    shipments that are yours, whatever number you subscribe to."""
    return _out(await service.create(session, identity, data, utcnow()))


@router.get(
    "", response_model=Page[SubscriptionOut], responses=problems(401, 403, 422), summary="Your subscriptions"
)
async def listing(identity: CurrentIdentity, session: DbSession, page: PageParams) -> Page[SubscriptionOut]:
    """Newest first."""
    rows, cursor = await service.listing(session, identity, page)
    return Page(items=[_out(row) for row in rows], next_cursor=cursor)


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionOut,
    responses=problems(401, 403, 404),
    summary="One subscription",
)
async def read(subscription_id: str, identity: CurrentIdentity, session: DbSession) -> SubscriptionOut:
    """Someone else's is not found."""
    return _out(await service.own(session, identity, subscription_id))


@router.delete(
    "/{subscription_id}", status_code=204, responses=problems(401, 403, 404), summary="Remove a subscription"
)
async def remove(subscription_id: str, identity: CurrentIdentity, session: DbSession) -> Response:
    """No more notifications for it."""
    await service.remove(session, identity, subscription_id)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/test",
    status_code=202,
    response_model=TestFired,
    responses=problems(401, 403, 404),
    summary="Test-fire: a test notification to your webhooks",
)
async def test_fire(
    subscription_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> TestFired:
    """Delivered by the gateway like any notification (``test`` is true): signing and endpoints are tested."""
    return TestFired(
        event_id=await service.test_fire(session, runtime.publisher, identity, subscription_id, utcnow())
    )
