"""The business references declaration events carry for logistics (order, waybill, inventory,
conveyance), read from what the document states — never personal data."""

from __future__ import annotations

from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import CARRIER, EVERYONE, export_set, import_set
from tests.declaration.service.test_events import _events


async def _file(api: Api, message: object) -> str:
    response = await api.post_xml(message, EVERYONE)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return str(response.json()["records"][0]["documentId"])


async def test_an_import_waybill_event_names_its_order_and_waybill(api: Api, tag: str) -> None:
    documents = import_set(tag)
    waybill_id = await _file(api, documents["waybill"])
    (accepted,) = await _events(api, waybill_id)
    facts = accepted.data["document"]
    assert (facts["order_no"], facts["logistics_code"], facts["logistics_no"]) == (
        f"O{tag}",
        CARRIER,
        f"L{tag}",
    )


async def test_an_export_inventory_event_names_its_conveyance_and_customs_office(api: Api, tag: str) -> None:
    documents = export_set(tag)
    await _file(api, documents["order"])
    await _file(api, documents["waybill"])
    inventory_id = await _file(api, documents["inventory"])
    facts = (await _events(api, inventory_id))[0].data["document"]
    assert {
        k: facts[k] for k in ("order_no", "logistics_no", "customs_code", "traf_mode", "voyage_no", "bill_no")
    } == {
        "order_no": f"EO{tag}",
        "logistics_no": f"EL{tag}"[:32],
        "customs_code": "2307",
        "traf_mode": "2",
        "voyage_no": "V2405",
        "bill_no": "COSU0001",
    }


async def test_a_status_change_keeps_the_references(api: Api, tag: str) -> None:
    documents = import_set(tag)
    for kind in ("order", "payment"):
        await _file(api, documents[kind])
    waybill_id = await _file(api, documents["waybill"])
    await _file(api, documents["inventory"])
    changed = [e for e in await _events(api, waybill_id) if e.type.endswith("status_changed.v1")]
    assert changed and changed[-1].data["document"]["logistics_no"] == f"L{tag}"
