"""Every SQL statement of products."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from services.logistics.base import table_of
from services.logistics.products.models import Product
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_BY_ID = Keyset([table_of(Product).c.id], ["str"], descending=False)


class ProductRepository(ModelRepository[Product]):
    """Products by id, by owner SKU code, and pages of an owner's catalogue."""

    model = Product

    async def by_sku(self, owner_party_id: str, sku: str) -> Product | None:
        """The owner's product with this SKU code, or None."""
        return await self.session.scalar(
            select(Product).where(Product.owner_party_id == owner_party_id, Product.sku == sku)
        )

    async def by_skus(self, owner_party_id: str, skus: Collection[str]) -> dict[str, Product]:
        """The owner's products with these SKU codes, by code."""
        if not skus:
            return {}
        rows = await self.session.scalars(
            select(Product).where(Product.owner_party_id == owner_party_id, Product.sku.in_(set(skus)))
        )
        return {p.sku: p for p in rows}

    async def many(self, ids: Collection[str]) -> dict[str, Product]:
        """Products by id."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Product).where(Product.id.in_(set(ids))))
        return {p.id: p for p in rows}

    async def owner_page(
        self, page: PageRequest, owner_party_ids: Collection[str], *, sku: str | None = None
    ) -> tuple[list[Product], str | None]:
        """A page of the owners' products in id order."""
        stmt = select(Product).where(Product.owner_party_id.in_(set(owner_party_ids)))
        if sku:
            stmt = stmt.where(Product.sku == sku)
        return await self.page(stmt, _BY_ID, page, key=lambda p: (p.id,))
