"""Products' use cases, as functions over the unit of work's session."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.identifiers import new_id
from services.logistics.products.models import Product
from services.logistics.products.problems import NOT_THE_OWNER, SKU_TAKEN
from services.logistics.products.repository import ProductRepository
from services.logistics.products.rules import has_battery, may_act_for
from services.logistics.products.schemas import ProductIn, ProductOut, ProductPatch
from shared.identity import Identity
from shared.problems import NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.sqltypes import utcnow


def describe(product: Product) -> ProductOut:
    """The API view of a product."""
    values = {c: getattr(product, c) for c in ProductOut.model_fields if hasattr(product, c)}
    return ProductOut.model_validate({**values, "has_battery": has_battery(product.battery)})


def acting_owner(identity: Identity, requested: str | None, pointer: str = "/body/owner_party_id") -> str:
    """Whose goods the caller acts for: itself, or a merchant it may act for; 403 otherwise."""
    owner = requested or identity.party_id
    if not may_act_for(identity, owner):
        raise ProblemError(
            NOT_THE_OWNER,
            f"{identity.party_id} may not act for {owner}.",
            errors=[{"pointer": pointer, "detail": "not the caller nor a merchant it acts for"}],
        )
    return owner


def owners_of(identity: Identity) -> list[str]:
    """Every owner whose goods the caller sees: itself and the merchants it acts for."""
    return [identity.party_id, *identity.on_behalf_of]


async def create(session: AsyncSession, identity: Identity, data: ProductIn) -> Product:
    """A new SKU of the caller (or of a merchant it acts for)."""
    owner = acting_owner(identity, data.owner_party_id)
    repo = ProductRepository(session)
    existing = await repo.by_sku(owner, data.sku)
    if existing is not None:
        raise ProblemError(
            SKU_TAKEN,
            f"{owner} already has SKU {data.sku!r} ({existing.id}); change it with PATCH.",
            errors=[{"pointer": "/body/sku", "detail": "taken"}],
            product_id=existing.id,
        )
    now = utcnow()
    product = Product(
        id=new_id("sku"),
        owner_party_id=owner,
        **data.model_dump(exclude={"owner_party_id"}),
        status="active",
        revision=1,
        created_at=now,
        updated_at=now,
    )
    repo.add(product)
    await repo.flush()
    return product


async def get(session: AsyncSession, product_id: str) -> Product:
    """The product, or 404."""
    product = await ProductRepository(session).get(product_id)
    if product is None:
        raise ProblemError(NOT_FOUND, f"No product {product_id}.")
    return product


async def owned(session: AsyncSession, identity: Identity, product_id: str) -> Product:
    """The product if the caller may act for its owner; another owner's product is 404."""
    product = await get(session, product_id)
    if not may_act_for(identity, product.owner_party_id):
        raise ProblemError(NOT_FOUND, f"No product {product_id}.")
    return product


async def update(session: AsyncSession, identity: Identity, product_id: str, patch: ProductPatch) -> Product:
    """Change a SKU's fields; each change is a new revision."""
    product = await owned(session, identity, product_id)
    changed = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if getattr(product, k) != v}
    if any(v is None for k, v in changed.items() if k not in {"barcode", "brand", "material", "purpose"}):
        bad = [k for k, v in changed.items() if v is None]
        raise ProblemError(
            VALIDATION_FAILED,
            "These fields cannot be emptied.",
            errors=[{"pointer": f"/body/{k}", "detail": "may not be null"} for k in bad],
        )
    if changed:
        for key, value in changed.items():
            setattr(product, key, value)
        product.revision += 1
        product.updated_at = utcnow()
        await session.flush()
    return product


async def resolve_skus(
    session: AsyncSession, owner_party_id: str, skus: Collection[str], pointer: str
) -> dict[str, Product]:
    """The owner's active products for these SKU codes; 422 naming each unknown or inactive one.

    ``pointer`` is a format string with ``{i}`` for the position of the line in the request.
    """
    found = await ProductRepository(session).by_skus(owner_party_id, skus)
    errors = []
    for i, sku in enumerate(skus):
        product = found.get(sku)
        if product is None:
            errors.append({"pointer": pointer.format(i=i), "detail": f"{owner_party_id} has no SKU {sku!r}"})
        elif product.status != "active":
            errors.append({"pointer": pointer.format(i=i), "detail": f"SKU {sku!r} is inactive"})
    if errors:
        raise ProblemError(VALIDATION_FAILED, "Some lines name SKUs that cannot be used.", errors=errors)
    return found
