"""Dry runs (``?dryRun=true``): every check of a filing, the same answer, nothing kept.

"Nothing kept" is checked on the database itself: the row count of every table of the
service and the outbox's highest sequence number are the same before and after a dry
run (the relay may mark rows sent meanwhile, but a new event would raise the sequence).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from services.declaration.base import Base
from services.declaration.intake.answers import DRY_RUN_HEADER, DRY_RUN_INFO
from services.declaration.intake.schemas import FilingAnswer
from shared.messaging.tables import outbox
from tests.declaration.service.conftest import Api, message_json
from tests.declaration.service.factory import EVERYONE, import_set
from tests.declaration.service.test_quota_and_tax import INVENTORIES, inventory_worth, new_buyer, used

ORDERS = "/v1/customs/import/orders"


async def _snapshot(api: Api) -> dict[str, int]:
    """Rows per table, and the outbox's last sequence number."""
    counts: dict[str, int] = {}
    async with api.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = int(await session.scalar(select(func.count()).select_from(table)) or 0)
        counts["outbox.seq"] = int(await session.scalar(select(func.max(outbox.c.seq))) or 0)
    return counts


async def _use(api: Api, tag: str, buyer: str, count: int) -> None:
    """File ``count`` accepted inventories of 5,000 CNY for ``buyer``."""
    for n in range(count):
        response = await api.post_xml(
            inventory_worth(f"{tag}{n}", Decimal("5000"), buyer), EVERYONE, path=INVENTORIES
        )
        assert response.status_code == 200, response.text


def _answer(response: Any) -> dict[str, Any]:
    body = response.json()
    return body if response.status_code == 200 else body["answer"]  # type: ignore[no-any-return]


async def test_a_dry_run_of_a_valid_filing_is_accepted_and_keeps_nothing(api: Api, tag: str) -> None:
    buyer = new_buyer()
    await _use(api, tag, buyer, 4)
    assert await used(api, buyer) == Decimal("20000")
    inventory = inventory_worth(f"{tag}b", Decimal("4000"), buyer)
    before = await _snapshot(api)

    dry = await api.post_xml(inventory, EVERYONE, path=f"{INVENTORIES}?dryRun=true")

    assert dry.status_code == 200, dry.text
    assert dry.headers[DRY_RUN_HEADER] == "true" and "location" not in dry.headers
    body = dry.json()
    assert body["dryRun"] is True and body["filingId"] is None
    FilingAnswer.model_validate(body)  # the documented answer model covers the dry run's
    (record,) = body["records"]
    assert record["accepted"] and record["action"] == "created" and record["status"]
    assert "documentId" not in record and "preNo" not in record
    assert await _snapshot(api) == before
    assert await used(api, buyer) == Decimal("20000")

    real = await api.post_xml(inventory, EVERYONE, path=INVENTORIES)
    assert real.status_code == 200, real.text
    real_body = real.json()
    assert "dryRun" not in real_body and real_body["records"][0]["documentId"]
    assert real_body["records"][0]["status"] == record["status"]
    assert await used(api, buyer) == Decimal("24000")


async def test_a_dry_run_sees_the_quota_real_filings_used(api: Api, tag: str) -> None:
    buyer = new_buyer()
    await _use(api, tag, buyer, 5)
    over = inventory_worth(f"{tag}x", Decimal("1000.01"), buyer)
    before = await _snapshot(api)

    dry = await api.post_xml(over, EVERYONE, path=f"{INVENTORIES}?dryRun=true")
    assert await _snapshot(api) == before
    real = await api.post_xml(over, EVERYONE, path=INVENTORIES)

    assert dry.status_code == real.status_code == 422
    dry_body, real_body = dry.json(), real.json()
    assert dry_body["dryRun"] is True and "dryRun" not in real_body
    assert dry_body["errors"] == real_body["errors"]
    assert [e["code"] for e in dry_body["errors"]] == ["-621018"]
    assert "已用购买额度为[25000.00]" in dry_body["errors"][0]["message"]


async def test_a_dry_run_of_an_invalid_filing_gives_the_real_refusal(api: Api, tag: str) -> None:
    order = message_json(import_set(tag)["order"])
    del order["records"][0]["head"]["orderNo"]
    body = order | {"messageType": "CEB311"}

    before = await _snapshot(api)
    dry = await api.post_json(body, EVERYONE, f"{ORDERS}?dryRun=true")
    assert await _snapshot(api) == before
    real = await api.post_json(body, EVERYONE, ORDERS)

    assert dry.status_code == real.status_code == 422
    assert dry.json()["code"] == real.json()["code"] == "declaration.schema_invalid"
    assert dry.json()["errors"] == real.json()["errors"]
    assert dry.json()["dryRun"] is True and dry.json()["filingId"] is None
    assert real.json()["filingId"]  # the real refusal is kept; the dry run's is not
    assert dry.headers[DRY_RUN_HEADER] == "true" and "location" not in dry.headers


async def test_a_dry_run_after_the_real_filing_reports_the_duplicate(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    first = await api.post_xml(order, EVERYONE, path=ORDERS)
    assert first.status_code == 200, first.text
    again = await api.post_xml(order, EVERYONE, path=ORDERS)

    before = await _snapshot(api)
    dry = await api.post_xml(order, EVERYONE, path=f"{ORDERS}?dryRun=true")
    assert await _snapshot(api) == before

    assert dry.status_code == again.status_code == 422
    dry_records, again_records = _answer(dry)["records"], _answer(again)["records"]
    assert [r["errors"] for r in dry_records] == [r["errors"] for r in again_records]
    assert dry_records[0]["returnStatus"] == again_records[0]["returnStatus"]


async def test_a_dry_run_on_the_generic_route_answers_receipt_xml_marked_not_filed(
    api: Api, tag: str
) -> None:
    order = import_set(tag)["order"]
    before = await _snapshot(api)
    dry = await api.post_xml(
        order, EVERYONE, path="/v1/customs/messages?dryRun=true", accept="application/xml"
    )
    assert dry.status_code == 200, dry.text
    assert await _snapshot(api) == before
    text = dry.text
    assert "<!-- DRY RUN (dryRun=true)" in text and "CEB312Message" in text
    assert f"<ceb:returnInfo>{DRY_RUN_INFO}" in text
    assert "<ceb:returnStatus>2</ceb:returnStatus>" in text
    assert dry.headers[DRY_RUN_HEADER] == "true"
    real = await api.post_xml(order, EVERYONE, path="/v1/customs/messages")
    assert real.status_code == 200 and real.json()["records"][0]["accepted"]


async def test_a_dry_run_of_a_foreign_code_is_the_same_403(api: Api, tag: str) -> None:
    from tests.declaration.service.factory import party

    stranger = party("stranger-1", ("3207969999", ["ebpCode", "copCode"]))
    order = import_set(tag)["order"]
    dry = await api.post_xml(order, stranger, path=f"{ORDERS}?dryRun=true")
    real = await api.post_xml(order, stranger, path=ORDERS)
    assert dry.status_code == real.status_code == 403
    assert dry.json()["code"] == real.json()["code"]
    assert dry.json()["dryRun"] is True and dry.headers[DRY_RUN_HEADER] == "true"


async def test_dry_run_is_documented_on_every_filing_operation(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    filing = [
        (path, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
        if method == "post"
        and (path == "/v1/customs/messages" or path.count("/") == 4)
        and path.startswith("/v1/customs/")
        and path.split("/")[3] in {"import", "export", "messages"}
    ]
    assert len(filing) > 10
    for path, op in filing:
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        assert "dryRun" in names, path
