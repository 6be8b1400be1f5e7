"""Cancellations and returns through the exchange, at the edges customs draws.

* A cancellation (CEB623 import, CEB605 export) is accepted only while customs allows it
  (120, 300, 399, 800); once customs approves it the inventory is ``cancelled``, an import
  buyer's quota comes back and its tax bill is voided (CEB818 3). After 899 it is refused
  at intake with customs' own code, ``-623005``.
* An import return (CEB625) names the released inventory by the invtNo customs assigned;
  each line ≤ the original, counting earlier returns; the 30 Beijing calendar days after
  the day of release, inclusive. Accepted by customs (CEB626 399), it gives the buyer's
  quota back for what went back and emits ``InventoryReturned``.
* An export return (CEB213, with its tally CEB215) likewise once customs releases it (800).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select, update

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.models import CustomsDocument
from services.declaration.quota.models import QuotaUsage
from tests.declaration.flows.flowkit import (
    Flow,
    arrival,
    departure,
    events_of,
    export_cancellation,
    export_return,
    import_cancellation,
    import_return,
    return_tally,
)
from tests.declaration.service.factory import AGENT_PARTY, CARRIER_PARTY

INVENTORY_VALUE = Decimal("496.50")  # Σ totalPrice of the import set's lines
DUTIABLE = Decimal("506.50")  # + freight 10: what the quota holds


async def _quota(flow: Flow, document_id: str) -> QuotaUsage:
    async with flow.api.db.transaction() as session:
        usage = await session.scalar(select(QuotaUsage).where(QuotaUsage.document_id == document_id))
    assert usage is not None
    return usage


async def _refused(flow: Flow, message, code: str) -> dict:  # type: ignore[no-untyped-def]
    answer = await flow.file(message, AGENT_PARTY, expect_accepted=False)
    record = answer.get("answer", answer)["records"][0]
    assert not record["accepted"], record
    assert code in {error["code"] for error in record["errors"]}, record["errors"]
    return record


async def test_import_cancellation_after_release_cancels_voids_the_tax_bill_and_gives_the_quota_back(
    flow: Flow, tag: str
) -> None:
    filed = await flow.file_import(tag, "1210", note="[SIM:noclose]")
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "released")
    cancel = await flow.file(
        import_cancellation(filed["messages"]["inventory"], await flow.invt_no(inventory), f"X{tag}"),
        AGENT_PARTY,
    )
    await flow.wait(cancel["documentId"], "examination_concluded")
    view = await flow.wait(inventory, "cancelled")
    assert (await _quota(flow, inventory)).status == "released"
    bills = view["customs"]["taxBills"]
    await flow.settle()
    view = await flow.document(inventory)
    assert [bill["status"] for bill in view["customs"]["taxBills"]] == ["3"], bills
    events = await events_of(flow, inventory, "ddt.declaration.document.status_changed")
    assert events[-1]["data"]["status"] == "cancelled"


async def test_import_cancellation_after_closure_is_refused_with_the_customs_code(
    flow: Flow, tag: str
) -> None:
    filed = await flow.file_import(tag, "1210")
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "closed")
    message = import_cancellation(filed["messages"]["inventory"], await flow.invt_no(inventory), f"X{tag}")
    await _refused(flow, message, "-623005")
    assert (await flow.document(inventory))["status"] == "closed"


async def test_export_cancellation_before_arrival_is_approved_and_after_closure_refused(
    flow: Flow, tag: str
) -> None:
    first = await flow.file_export(f"A{tag}", "9610")
    await flow.wait(first["ids"]["inventory"], "examination_concluded")
    number = await flow.invt_no(first["ids"]["inventory"])
    cancel = await flow.file(
        export_cancellation(first["messages"]["inventory"], number, f"X{tag}"), AGENT_PARTY
    )
    await flow.wait(cancel["documentId"], "examination_concluded")
    await flow.wait(first["ids"]["inventory"], "cancelled")

    second = await flow.file_export(f"B{tag}", "9610")
    inventory, message = second["ids"]["inventory"], second["messages"]["inventory"]
    await flow.wait(inventory, "examination_concluded")
    await flow.file(arrival(message, f"A{tag}"), CARRIER_PARTY)
    await flow.file(departure(message, f"D{tag}"), CARRIER_PARTY)
    await flow.wait(inventory, "closed")
    await _refused(flow, export_cancellation(message, await flow.invt_no(inventory), f"Y{tag}"), "-623005")


async def test_import_return_within_the_window_gives_back_its_part(flow: Flow, tag: str) -> None:
    filed = await flow.file_import(tag, "1210")
    inventory, message = filed["ids"]["inventory"], filed["messages"]["inventory"]
    await flow.wait(inventory, "closed")
    number = await flow.invt_no(inventory)
    # More than the line holds, or a line the inventory does not have: refused at intake.
    await _refused(flow, import_return(message, number, f"R0{tag}", {1: Decimal("3")}), "DDT-129")
    first = await flow.file(import_return(message, number, f"R1{tag}", {1: Decimal("1")}), AGENT_PARTY)
    await flow.wait(first["documentId"], "examination_concluded")
    # One of the two units went back: the second may take the other one, not two.
    await _refused(flow, import_return(message, number, f"R2{tag}", {1: Decimal("2")}), "DDT-E03")
    usage = await _quota(flow, inventory)
    assert usage.status == "held" and usage.amount_e5 == int((DUTIABLE - Decimal("188.00")) * 100000)
    returned = await events_of(flow, inventory, "ddt.declaration.inventory.returned")
    assert len(returned) == 1
    data = returned[0]["data"]
    assert (data["return_id"], Decimal(data["returned_value"])) == (first["documentId"], Decimal("188.00"))
    assert [c["chapter"] for c in data["returned_chapters"]] == ["19"]
    assert data["document"]["document_id"] == inventory and data["document"]["value"] == str(INVENTORY_VALUE)
    # The rest of the inventory goes back too: the whole usage is released.
    rest = await flow.file(
        import_return(message, number, f"R3{tag}", {1: Decimal("1"), 2: Decimal("1"), 3: Decimal("1")}),
        AGENT_PARTY,
    )
    await flow.wait(rest["documentId"], "examination_concluded")
    assert (await _quota(flow, inventory)).status == "released"


async def test_import_return_window_is_thirty_beijing_days_after_the_release_day(
    flow: Flow, tag: str
) -> None:
    filed = await flow.file_import(tag, "9610")
    inventory, message = filed["ids"]["inventory"], filed["messages"]["inventory"]
    await flow.wait(inventory, "closed")
    number = await flow.invt_no(inventory)
    today = dt.datetime.now(CUSTOMS_TZ).date()

    async def released_days_ago(days: int) -> None:
        # Time travel: the release receipt came `days` Beijing days ago, at 23:59 that day.
        moment = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(23, 59), tzinfo=CUSTOMS_TZ)
        async with flow.api.db.transaction() as session:
            await session.execute(
                update(CustomsDocument)
                .where(CustomsDocument.document_id == inventory)
                .values(released_at=moment)
            )

    await released_days_ago(31)
    await _refused(flow, import_return(message, number, f"W1{tag}", {2: Decimal("1")}), "DDT-E02")
    await released_days_ago(30)  # the 30th day after the release day is the last one
    accepted = await flow.file(import_return(message, number, f"W2{tag}", {2: Decimal("1")}), AGENT_PARTY)
    await flow.wait(accepted["documentId"], "examination_concluded")


async def test_export_return_and_its_tally_are_released_and_reverse_the_value(flow: Flow, tag: str) -> None:
    filed = await flow.file_export(tag, "9610")
    inventory, message = filed["ids"]["inventory"], filed["messages"]["inventory"]
    await flow.wait(inventory, "examination_concluded")
    await flow.file(arrival(message, f"A{tag}"), CARRIER_PARTY)
    await flow.file(departure(message, f"D{tag}"), CARRIER_PARTY)
    await flow.wait(inventory, "closed")
    number = await flow.invt_no(inventory)
    await _refused(flow, export_return(message, number, f"E0{tag}", {1: Decimal("11")}), "DDT-E03")
    returned = await flow.file(export_return(message, number, f"E1{tag}", {1: Decimal("10")}), AGENT_PARTY)
    await flow.wait(returned["documentId"], "released")
    tally = await flow.file(return_tally(message, f"E1{tag}", number), CARRIER_PARTY)
    await flow.wait(tally["documentId"], "examination_concluded", CARRIER_PARTY)
    events = await events_of(flow, inventory, "ddt.declaration.inventory.returned")
    assert [Decimal(e["data"]["returned_value"]) for e in events] == [Decimal("32.00")]  # 10 × 3.20 USD
    assert events[0]["data"]["document"]["currency"] == "502"
