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


def released_9810(
    document_id: str,
    party: str = MERCHANT.party_id,
    *,
    invt_no: str | None = None,
    mode: str = "9810",
    direction: str = "export",
    status: str = "released",
    when: str = "2026-03-01T10:00:00+08:00",
    ebc_code: str | None = None,
) -> object:
    """A declaration event: an inventory reached ``status``."""
    import datetime as dt
    from decimal import Decimal

    from shared.events import build_event
    from shared.events.declaration import DocumentFacts, DocumentStatusChanged

    facts = DocumentFacts(
        document_id=document_id,
        document_kind="inventory",
        message_type="CEB603" if direction == "export" else "CEB621",
        party_id=party,
        mode=mode,
        direction=direction,
        business_no=f"COP-{document_id}",
        ebc_code=ebc_code,
        currency="142",
        value=Decimal("1000"),
        value_cny=Decimal("1000"),
        cny_rate=Decimal("1"),
        invt_no=invt_no,
    )
    data = DocumentStatusChanged(
        document=facts, previous_status=None, status=status, occurred_at=dt.datetime.fromisoformat(when)
    )
    return build_event(data, source="/ddt/declaration", subject=document_id)


async def feed(api: LogisticsApi, *events: object) -> None:
    """Apply declaration events through the warehousing consumer's real path (inbox + handler)."""
    from services.logistics import warehousing_events
    from shared.events import CloudEvent
    from shared.messaging.consumer import EventConsumer

    consumer = EventConsumer(
        service="logistics",
        name=warehousing_events.CONSUMER,
        db=api.db,
        platform=api.app.state.runtime.settings.platform,
        topics=warehousing_events.TOPICS,
        handlers=warehousing_events.handlers,
    )
    for event in events:
        assert isinstance(event, CloudEvent)
        resolved = warehousing_events.handlers.resolve(event)
        assert resolved is not None
        assert await consumer.apply(event, *resolved) == "applied"


def asn_body(
    warehouse_id: str, reference: str = "WRO-1", declarations: list[str] | None = None, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "warehouse_id": warehouse_id,
        "declarations": declarations if declarations is not None else ["INVT9810A"],
        "transport_mode": "sea",
        "expected_on": "2026-03-20",
        "boxes": [
            {"box_no": "BOX-1", "items": [{"sku": "CRY-BR-001", "quantity": 60}]},
            {"box_no": "BOX-2", "items": [{"sku": "CRY-BR-001", "quantity": 40}]},
        ],
    }
    body.update(overrides)
    return body


def order_body(
    warehouse_id: str, reference: str = "SO-1", quantity: int = 1, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "warehouse_id": warehouse_id,
        "kind": "b2c",
        "lines": [{"sku": "CRY-BR-001", "quantity": quantity}],
        "ship_to": {
            "name": "Anna Schmidt",
            "phone": "+49 69 1234567",
            "address_lines": ["Kaiserstraße 1"],
            "city": "Frankfurt am Main",
            "postal_code": "60311",
            "country": "DE",
        },
    }
    body.update(overrides)
    return body
