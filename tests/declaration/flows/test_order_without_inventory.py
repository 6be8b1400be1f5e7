"""An order with no inventory yet: customs holds it at 2 (申报中), and the platform says what it awaits.

Customs matches an order only with the inventory naming it (its payment and waybill
alike): until one arrives no 120 comes, and neither customs nor the platform ends the
wait. The order's view says so (``inventory.status`` ``awaiting_inventory``, since when,
for how long); once the inventory is filed the three documents match and the order goes on.
"""

from __future__ import annotations

from services.declaration.customs.core.lifecycle import KINDS, DocumentKind
from tests.declaration.flows.flowkit import IMPORT_FILERS, Flow, import_set


async def test_an_order_alone_stays_submitted_at_customs_and_shows_it_awaits_its_inventory(
    flow: Flow, tag: str
) -> None:
    documents = import_set(tag, "1210")
    order = (await flow.file(documents["order"], IMPORT_FILERS["order"]))["documentId"]
    await flow.wait(order, "submitted", IMPORT_FILERS["order"])
    await flow.settle()
    view = await flow.document(order, IMPORT_FILERS["order"])
    assert (view["status"], view["customs"]["stateCode"], view["inventory"]["status"]) == (
        "submitted",
        "2",
        "awaiting_inventory",
    )


async def test_the_inventory_filed_later_takes_the_waiting_order_through_customs(
    flow: Flow, tag: str
) -> None:
    documents = import_set(tag, "1210")
    order = (await flow.file(documents["order"], IMPORT_FILERS["order"]))["documentId"]
    await flow.wait(order, "submitted", IMPORT_FILERS["order"])
    for kind in ("payment", "waybill", "inventory"):
        await flow.file(documents[kind], IMPORT_FILERS[kind])
    cleared = KINDS[DocumentKind.ORDER].statuses["399"].name  # whatever the platform calls 399
    view = await flow.wait(order, cleared, IMPORT_FILERS["order"])
    assert view["inventory"]["status"] == "inventory_filed"
