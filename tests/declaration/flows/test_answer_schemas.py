"""Every JSON answer of the declaration routes is what its OpenAPI model says, field for field.

The routes send the answers they always built and declare models for the OpenAPI; this
module takes real answers — of a document that went through customs, so the customs
parts are filled in — and validates each against its model (extra fields forbidden), so
the documentation cannot drift from the answers. Lists answer the one envelope
``{"items", "next_cursor"}`` with opaque cursors; the old parameter names still work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.schemas import (
    ChangesPage,
    DocumentCustoms,
    DocumentReceipts,
    SummaryPreview,
    SummaryStatus,
)
from services.declaration.documents.schemas import DocumentHistory, DocumentsPage, DocumentView, FilingOut
from services.declaration.intake.schemas import FilingAnswer
from tests.declaration.flows.flowkit import Flow
from tests.declaration.service.factory import AGENT_PARTY, IMPORT_FILERS, PLATFORM


def valid(model: type[BaseModel], data: Any) -> None:
    model.model_validate(data)


async def test_the_answers_of_a_document_that_went_through_customs_match_their_models(
    flow: Flow, tag: str
) -> None:
    filed = await flow.file_import(tag, "1210")
    inventory = filed["ids"]["inventory"]
    await flow.wait(inventory, "closed")
    for path, model in (
        (f"/v1/customs/documents/{inventory}", DocumentView),
        (f"/v1/customs/import/inventories/{inventory}", DocumentView),
        (f"/v1/customs/documents/{inventory}/history", DocumentHistory),
        (f"/v1/customs/documents/{inventory}/customs", DocumentCustoms),
        (f"/v1/customs/documents/{inventory}/receipts", DocumentReceipts),
        ("/v1/customs/documents?kind=inventory&limit=5", DocumentsPage),
        ("/v1/customs/changes?limit=5", ChangesPage),
    ):
        response = await flow.api.get(path, AGENT_PARTY)
        assert response.status_code == 200, (path, response.text)
        valid(model, response.json())
    order = await flow.api.get(f"/v1/customs/documents/{filed['ids']['order']}", IMPORT_FILERS["order"])
    valid(DocumentView, order.json())
    view = (await flow.api.get(f"/v1/customs/documents/{inventory}", AGENT_PARTY)).json()
    assert view["customs"]["taxBills"] and view["tax"] and view["match"]["status"] == "matched"
    filing = await flow.api.get(f"/v1/customs/filings/{view['filingId']}", AGENT_PARTY)
    valid(FilingOut, filing.json())
    valid(FilingAnswer, filing.json()["answer"])


async def test_the_summary_answers_match_their_models(flow: Flow) -> None:
    month = dt.datetime.now(CUSTOMS_TZ).strftime("%Y-%m")
    status = await flow.api.get(f"/v1/customs/export/summaries?month={month}", AGENT_PARTY)
    valid(SummaryStatus, status.json())
    query = f"month={month}&declAgentCode=3207960005&declAgentName=agent"
    preview = await flow.api.get(f"/v1/customs/export/summaries/preview?{query}", AGENT_PARTY)
    valid(SummaryPreview, preview.json())


async def test_the_document_list_pages_through_everything_once_with_opaque_cursors(
    flow: Flow, tag: str
) -> None:
    for n in range(3):
        await flow.file_import(f"{tag}{n}", "1210")
    everything = (await flow.api.get("/v1/customs/documents?limit=500", PLATFORM)).json()
    assert everything["next_cursor"] is None
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = f"&before={cursor}" if cursor and len(seen) == 2 else f"&cursor={cursor}" if cursor else ""
        page = (await flow.api.get(f"/v1/customs/documents?limit=2{query}", PLATFORM)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [d["id"] for d in seen] == [d["id"] for d in everything["items"]]  # newest first, each once
    assert len(seen) >= 3


async def test_a_cursor_the_list_did_not_issue_is_a_422_naming_the_parameter(flow: Flow) -> None:
    for parameter in ("cursor", "before"):
        response = await flow.api.get(f"/v1/customs/documents?{parameter}=bm90LWEtY3Vyc29y", PLATFORM)
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == f"/query/{parameter}"
