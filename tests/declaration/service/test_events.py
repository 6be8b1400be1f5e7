"""Events: every accepted document and every status change, with the facts statistics need.

Checked in the outbox (what the relay publishes, byte for byte) and, for delivery, on
the broker topic itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from shared.events import CloudEvent
from shared.fx import RateTable
from shared.messaging.tables import outbox
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, export_set, import_set, party
from tests.shared.test_outbox import read_topic
from tests.support.infra import Broker, wait_until

FILER = party(
    "events-filer",
    *((c, []) for c in ("3207960001", "3207960002", "3101960003", "3207960004", "3207960005", "3207960006")),
    district="320706",
    park="lyg-cbec-park",
)


async def _events(api: Api, subject: str, goods: bool = False) -> list[CloudEvent]:
    """The subject's events in outbox order: its lifecycle, or (``goods``) its goods lines."""
    async with api.db.transaction() as session:
        rows = (
            await session.execute(
                select(outbox.c.payload).where(outbox.c.key == subject).order_by(outbox.c.seq)
            )
        ).all()
    events = [CloudEvent.from_json_bytes(row.payload.encode()) for row in rows]
    return [e for e in events if (e.type == "ddt.declaration.document.goods.v1") == goods]


async def _file(api: Api, message: Any) -> str:
    response = await api.post_xml(message, FILER)
    assert response.status_code == 200, response.text
    return str(response.json()["records"][0]["documentId"])


async def test_import_set_events_carry_the_facts_and_the_match(api: Api, broker: Broker, tag: str) -> None:
    documents = import_set(tag, "1210")
    order_id = await _file(api, documents["order"])
    payment_id = await _file(api, documents["payment"])
    waybill_id = await _file(api, documents["waybill"])
    inventory_id = await _file(api, documents["inventory"])

    (accepted,) = await _events(api, inventory_id)
    assert accepted.type == "ddt.declaration.document.accepted.v1"
    data = accepted.data
    assert data["status"] == "matched"
    facts = data["document"]
    assert {
        k: facts[k]
        for k in (
            "document_kind",
            "message_type",
            "party_id",
            "mode",
            "direction",
            "business_no",
            "currency",
            "value",
            "value_cny",
            "cny_rate",
            "country",
            "district",
            "park",
        )
    } == {
        "document_kind": "inventory",
        "message_type": "CEB621",
        "party_id": "events-filer",
        "mode": "1210",
        "direction": "import",
        "business_no": f"C{tag}",
        "currency": "142",
        "value": "496.50",
        "value_cny": "496.50",
        "cny_rate": "1",
        "country": "116",
        "district": "320706",
        "park": "lyg-cbec-park",
    }
    # 1901 infant formula 376.00; 3304 cosmetics 120.50 + a 0.00 gift line.
    assert facts["chapters"] == [
        {"chapter": "19", "value": "376.00", "value_cny": "376.00", "quantity_lines": 1},
        {"chapter": "33", "value": "120.50", "value_cny": "120.50", "quantity_lines": 2},
    ]
    order_events = await _events(api, order_id)
    assert [e.type.rsplit(".", 2)[-2] for e in order_events] == ["accepted", "status_changed"]
    first, change = (e.data for e in order_events)
    assert first["document"]["mode"] is None and first["document"]["value"] == "496.50"
    assert (change["previous_status"], change["status"], change["document"]["mode"]) == (
        "accepted",
        "matched",
        "1210",
    )
    assert [e.data["document"]["value"] for e in await _events(api, payment_id)] == [
        "532.60",
        "532.60",
    ]  # amountPaid
    assert [e.data["document"]["value"] for e in await _events(api, waybill_id)] == [
        "10.00",
        "10.00",
    ]  # freight

    delivered = await read_topic(broker.bootstrap, "ddt.declaration.events", expected=1, timeout=30)

    async def published() -> bool:
        events = await read_topic(
            broker.bootstrap, "ddt.declaration.events", expected=len(delivered) + 1, timeout=2
        )
        return accepted.id in {event.id for event in events}

    await wait_until(published, timeout=30, message="the relay published the inventory's event")


async def test_export_events_convert_to_cny_with_the_rate_used(api: Api, tag: str) -> None:
    documents = export_set(tag, "9710", currency="502")
    inventory_id = await _file(api, documents["inventory"])
    (accepted,) = await _events(api, inventory_id)
    facts = accepted.data["document"]
    rate, _month = RateTable.default().rate("502", dt.datetime.now(dt.UTC).date())
    assert (facts["mode"], facts["direction"], facts["currency"], facts["country"]) == (
        "9710",
        "export",
        "502",
        "502",
    )
    assert Decimal(facts["value"]) == Decimal("92.00")
    assert Decimal(facts["cny_rate"]) == rate
    assert Decimal(facts["value_cny"]) == (Decimal("32.00") * rate).quantize(Decimal("0.01")) + (
        Decimal("60.00") * rate
    ).quantize(Decimal("0.01"))
    assert [c["chapter"] for c in facts["chapters"]] == ["85", "94"]
    assert accepted.data["status"] == "waiting"
    order_id = await _file(api, documents["order"])
    (order_accepted,) = await _events(api, order_id)
    assert order_accepted.data["document"]["mode"] == "9710"  # orderType B says so
    await _file(api, documents["waybill"])
    changes = [e.data for e in await _events(api, inventory_id)][1:]
    assert [(c["previous_status"], c["status"]) for c in changes] == [("waiting", "matched")]


async def test_rejected_records_publish_nothing(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    order.records[0].head["acturalPaid"] = Decimal("1")
    response = await api.post_xml(order, EVERYONE)
    assert response.status_code == 422
    async with api.db.transaction() as session:
        rows = (
            await session.execute(select(outbox.c.payload).where(outbox.c.payload.contains(f"O{tag}")))
        ).all()
    assert rows == []


async def test_filed_orders_and_inventories_publish_their_goods_lines(api: Api, tag: str) -> None:
    documents = export_set(tag, "9610")
    order_id = await _file(api, documents["order"])
    inventory_id = await _file(api, documents["inventory"])
    (order_goods,) = await _events(api, order_id, goods=True)
    (inventory_goods,) = await _events(api, inventory_id, goods=True)
    lines = inventory_goods.data["lines"]
    record = documents["inventory"].records[0]
    assert [(ln["gnum"], ln["total_price"], ln["quantity"]) for ln in lines] == [
        (line["gnum"], str(line["totalPrice"]), str(line["qty"])) for line in record.lines
    ]
    assert inventory_goods.data["revision"] == 1 and order_goods.data["lines"]
    assert order_goods.data["document"]["document_kind"] == "order"


async def test_waybills_publish_no_goods(api: Api, tag: str) -> None:
    documents = export_set(tag, "9610")
    waybill_id = await _file(api, documents["waybill"])
    assert await _events(api, waybill_id, goods=True) == []
