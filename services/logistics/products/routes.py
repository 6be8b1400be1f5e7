"""``/v1/logistics/products`` — an enterprise's SKUs with their customs fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.logistics.products import service
from services.logistics.products.repository import ProductRepository
from services.logistics.products.schemas import ProductIn, ProductOut, ProductPage, ProductPatch
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession

router = APIRouter(prefix="/v1/logistics/products", tags=["products"])


@router.post(
    "",
    status_code=201,
    response_model=ProductOut,
    responses=problems(*COMMON_PROBLEMS, 409),
    summary="Add a SKU",
)
async def create(data: ProductIn, identity: CurrentIdentity, session: DbSession) -> ProductOut:
    """A new SKU of the caller, or of a merchant a platform acts for."""
    return service.describe(await service.create(session, identity, data))


@router.get("", response_model=ProductPage, responses=problems(*COMMON_PROBLEMS), summary="Own SKUs")
async def list_products(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    sku: Annotated[str | None, Query(max_length=64, description="one SKU code")] = None,
) -> ProductPage:
    """The SKUs of the caller and of the merchants it acts for."""
    items, cursor = await ProductRepository(session).owner_page(page, service.owners_of(identity), sku=sku)
    return ProductPage(items=[service.describe(p) for p in items], next_cursor=cursor)


@router.get(
    "/{product_id}", response_model=ProductOut, responses=problems(*COMMON_PROBLEMS, 404), summary="One SKU"
)
async def read(product_id: str, identity: CurrentIdentity, session: DbSession) -> ProductOut:
    """One of the caller's SKUs (another owner's is 404)."""
    return service.describe(await service.owned(session, identity, product_id))


@router.patch(
    "/{product_id}",
    response_model=ProductOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Change a SKU",
)
async def update(
    product_id: str, patch: ProductPatch, identity: CurrentIdentity, session: DbSession
) -> ProductOut:
    """Change a SKU's customs fields, size or status."""
    return service.describe(await service.update(session, identity, product_id, patch))
