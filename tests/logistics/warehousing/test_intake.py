"""The order intake: concurrent orders share transactions, and one bad order fails alone."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import IntegrityError

from services.logistics.outbound import service as outbound
from services.logistics.outbound.intake import OrderIntake
from services.logistics.outbound.schemas import OrderIn
from shared.vault import Vault
from tests.logistics.warehousing.conftest import MERCHANT, LogisticsApi
from tests.logistics.warehousing.support import a_product, a_warehouse, order_body, put_away


async def test_orders_placed_together_are_each_answered_after_their_commit(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    product = await a_product(api)
    await put_away(api, warehouse["id"], product["id"], 3)
    intake = OrderIntake(api.db, api.app.state.runtime.publisher)
    vault = api.app.state.runtime.components.get(Vault)
    stop = asyncio.Event()
    loop = asyncio.create_task(intake.run(stop))
    try:
        prepared = []
        async with api.db.transaction() as session:
            for i in range(5):
                data = OrderIn.model_validate(order_body(warehouse["id"], f"T-{i}"))
                prepared.append(await outbound.prepare(session, vault, MERCHANT, data))
        async with api.db.transaction() as session:
            bad = await outbound.prepare(
                session, vault, MERCHANT, OrderIn.model_validate(order_body(warehouse["id"], "BAD"))
            )
        bad.order.packages = None  # type: ignore[assignment]  # NOT NULL: the batch fails, then each alone
        results = await asyncio.gather(*(intake.submit(p) for p in [*prepared, bad]), return_exceptions=True)
    finally:
        stop.set()
        await loop
    placed = [r for r in results if isinstance(r, tuple)]
    assert [order.status for order, _created in placed] == ["reserved"] * 3 + ["exception"] * 2
    assert isinstance(results[-1], IntegrityError)


async def test_without_its_loop_the_intake_places_an_order_alone(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    await a_product(api)
    intake = OrderIntake(api.db, api.app.state.runtime.publisher)
    vault = api.app.state.runtime.components.get(Vault)
    async with api.db.transaction() as session:
        prepared = await outbound.prepare(
            session, vault, MERCHANT, OrderIn.model_validate(order_body(warehouse["id"]))
        )
    result = await intake.submit(prepared)
    assert isinstance(result, tuple) and result[0].exception == "out_of_stock"
