"""Customs' other answers to an import inventory: manual review, inspection, detention, return, rejection.

Each path is forced per document with the simulator's scenario notes (``[SIM:review]`` …
in the inventory's ``note``), so one app serves them all; the paths themselves and
their receipt codes are the simulator's (300, 500, 501/502/503/599, 700, 100). A
customs exit gives the buyer's annual quota back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.declaration.customs.core.simulator.refusals import REFUSAL_REASONS
from services.declaration.quota.models import QuotaUsage
from tests.declaration.flows.flowkit import Flow

DETAINED = {"detained_clearance", "detained_anti_smuggling", "detained_legal", "detained_other"}


async def _quota_status(flow: Flow, document_id: str) -> str:
    async with flow.api.db.transaction() as session:
        usage = await session.scalar(select(QuotaUsage).where(QuotaUsage.document_id == document_id))
    assert usage is not None
    return usage.status


@pytest.mark.parametrize(
    ("note", "middle"),
    [
        ("[SIM:review]", ["customs_accepted", "manual_review", "examination_concluded"]),
        ("[SIM:inspect]", ["customs_accepted", "examination_concluded", "inspection"]),
    ],
)
async def test_review_and_inspection_end_in_release(
    flow: Flow, tag: str, note: str, middle: list[str]
) -> None:
    filed = await flow.file_import(tag, "9610", note=note)
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "closed")
    statuses = await flow.statuses(inventory)
    start = statuses.index(middle[0])
    assert statuses[start : start + len(middle)] == middle
    assert statuses[-2:] == ["released", "closed"]
    assert await _quota_status(flow, inventory) == "held"


async def test_detention_can_still_end_in_release(flow: Flow, tag: str) -> None:
    filed = await flow.file_import(tag, "1210", note="[SIM:detain]")
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "closed")
    statuses = await flow.statuses(inventory)
    assert "inspection" in statuses and DETAINED & set(statuses)
    detained = next(s for s in statuses if s in DETAINED)
    assert statuses.index("inspection") < statuses.index(detained) < statuses.index("released")
    receipts = (await flow.history(inventory))["receipts"]
    assert {r["returnStatus"] for r in receipts} & {"501", "502", "503", "599"}


async def test_detention_ending_in_return_gives_the_quota_back(flow: Flow, tag: str) -> None:
    filed = await flow.file_import(tag, "1210", note="[SIM:return]")
    inventory = filed["ids"]["inventory"]
    view = await flow.wait(inventory, "returned")
    statuses = await flow.statuses(inventory)
    assert statuses[-3:-1] == ["inspection", next(s for s in statuses if s in DETAINED)]
    assert view["customs"]["stateCode"] == "700" and view["customs"]["releasedAt"] is None
    assert await _quota_status(flow, inventory) == "released"


async def test_rejection_is_final_carries_customs_reason_and_gives_the_quota_back(
    flow: Flow, tag: str
) -> None:
    filed = await flow.file_import(tag, "1210", note="[SIM:reject]")
    inventory = filed["ids"]["inventory"]
    view = await flow.wait(inventory, "rejected")
    assert view["customs"]["stateCode"] == "100"
    rejection = [r for r in (await flow.history(inventory))["receipts"] if r["returnStatus"] == "100"]
    reasons = [f"海关退单：{reason.summary}，" for reason in REFUSAL_REASONS]
    assert rejection and any(rejection[0]["returnInfo"].startswith(reason) for reason in reasons)
    assert await _quota_status(flow, inventory) == "released"
    assert "closed" not in await flow.statuses(inventory)


async def test_the_filer_reads_the_refusal_reason_customs_gave_in_the_documents_receipts(
    flow: Flow, tag: str
) -> None:
    filed = await flow.file_import(tag, "1210", note="[SIM:reject:not_on_positive_list]")
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "rejected")
    (refusal,) = [r for r in (await flow.history(inventory))["receipts"] if r["returnStatus"] == "100"]
    assert refusal["returnInfo"].startswith("海关退单：商品不在跨境电子商务零售进口商品清单内，第")
