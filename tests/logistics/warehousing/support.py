"""Builders of the warehousing tests: a warehouse, a SKU, stock put away."""

from __future__ import annotations

from typing import Any

from shared.identity import Identity
from tests.logistics.warehousing.conftest import MERCHANT, OPERATOR, LogisticsApi


def warehouse_body(code: str = "DE-FRA-01", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "name": "法兰克福公共海外仓",
        "country": "DE",
        "city": "Frankfurt am Main",
        "address": "Cargo City Süd 639",
        "area_m2": "12000.00",
        "opened_on": "2022-05-01",
        "usage": "public",
        "has_api": True,
        "certification_level": "municipal",
        "certification_year": 2024,
    }
    body.update(overrides)
    return body


def product_body(sku: str = "CRY-BR-001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": sku,
        "name_zh": "水晶手链",
        "name_en": "Crystal bracelet",
        "hs_code": "7116100000",
        "declared_value": "12.50",
        "currency": "USD",
        "origin_country": "CN",
        "battery": "none",
        "weight_g": 60,
        "length_mm": 120,
        "width_mm": 80,
        "height_mm": 30,
    }
    body.update(overrides)
    return body


async def a_warehouse(api: LogisticsApi, who: Identity = OPERATOR, **overrides: Any) -> dict[str, Any]:
    return await api.ok("POST", "/v1/logistics/warehouses", who, 201, json=warehouse_body(**overrides))  # type: ignore[no-any-return]


async def a_product(api: LogisticsApi, who: Identity = MERCHANT, **overrides: Any) -> dict[str, Any]:
    return await api.ok("POST", "/v1/logistics/products", who, 201, json=product_body(**overrides))  # type: ignore[no-any-return]


async def put_away(
    api: LogisticsApi,
    warehouse_id: str,
    product_id: str,
    quantity: int,
    *,
    lot_no: str = "LOT-1",
    received_on: str = "2026-03-01",
    key: str | None = None,
    owner: Identity = MERCHANT,
) -> str:
    """Put ``quantity`` units away into a lot through the stock service (no ASN); the lot id."""
    import datetime as dt

    from services.logistics.stock import service as stock
    from services.logistics.stock.rules import MovementKind
    from shared.sqltypes import utcnow

    async with api.db.transaction() as session:
        lot = await stock.lot_for_receipt(
            session,
            warehouse_id=warehouse_id,
            product_id=product_id,
            owner_party_id=owner.party_id,
            lot_no=lot_no,
            received_on=dt.date.fromisoformat(received_on),
            origin="inbound",
            source_id=None,
        )
        await stock.record(
            session,
            stock.MovementRequest(
                warehouse_id=warehouse_id,
                product_id=product_id,
                owner_party_id=owner.party_id,
                kind=MovementKind.RECEIVE,
                quantity=quantity,
                reason="test_putaway",
                movement_key=key or f"test:{lot_no}:{quantity}:{utcnow().timestamp()}",
                reference_kind="test",
                actor_party_id=OPERATOR.party_id,
                occurred_at=utcnow(),
                lot_id=lot.id,
            ),
        )
        return lot.id
