"""9610 export monthly summaries end to end: preview, submit, CEB702, CEB792 linked back, reminders.

101 export inventories of one agent and enterprise are closed by customs this month;
the preview groups them into one application split in two CEB701 messages (100 + 1,
one copNo, msgCount 2, msgSeqNo 1 and 2); submitted, both parts get their CEB702 with
the sumNo and, once both arrived, CEB792 gives the declaration number (entryId) and each
inventory line its declaration line (gseqno). Reminders are given from the 10th of the
following month to a party that has not applied, once, and an overdue notice after the 15th.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage
from services.declaration.customs.core.summaries import Month
from services.declaration.customs.summaries import check_reminders
from tests.declaration.flows.flowkit import Flow, arrival, departure, events_of
from tests.declaration.service.conftest import message_json
from tests.declaration.service.factory import AGENT, AGENT_PARTY, CARRIER_PARTY, EXPORT_FILERS, export_set

COUNT = 101


def _batched(sets: list[dict[str, CebMessage]], kind: str, size: int = 100) -> list[CebMessage]:
    messages = []
    for start in range(0, len(sets), size):
        message = copy.deepcopy(sets[start][kind])
        message.records = [s[kind].records[0] for s in sets[start : start + size]]
        messages.append(message)
    return messages


def _lines_message(template: CebMessage, sets: list[dict[str, CebMessage]]) -> CebMessage:
    message = copy.deepcopy(template)
    message.records[0].lines = [
        {"gnum": n, "logisticsNo": s["inventory"].records[0].head["logisticsNo"]}
        for n, s in enumerate(sets, 1)
    ]
    return message


def _month() -> str:
    now = dt.datetime.now(CUSTOMS_TZ)
    return f"{now.year:04d}-{now.month:02d}"


@pytest.fixture(scope="module")
async def closed_exports(flow: Flow) -> dict[str, Any]:
    """101 export inventories filed in 100-record messages and closed by customs."""
    tag = dt.datetime.now().strftime("%H%M%S%f")[:10]
    sets = [export_set(f"S{tag}{n:03d}", "9610") for n in range(COUNT)]
    ids: list[str] = []
    for kind in ("order", "waybill", "inventory"):
        for message in _batched(sets, kind):
            path = {
                "order": "/v1/customs/export/orders",
                "waybill": "/v1/customs/export/waybills",
                "inventory": "/v1/customs/export/inventories",
            }[kind]
            response = await flow.api.post_json(message_json(message), EXPORT_FILERS[kind], path)
            assert response.status_code == 200, response.text
            if kind == "inventory":
                ids += [r["documentId"] for r in response.json()["records"]]
    for document_id in ids:
        await flow.wait(document_id, "examination_concluded")
    template = sets[0]["inventory"]
    await flow.file(_lines_message(arrival(template, f"A{tag}"), sets), CARRIER_PARTY)
    await flow.file(_lines_message(departure(template, f"D{tag}"), sets), CARRIER_PARTY)
    for document_id in ids:
        await flow.wait(document_id, "closed")
    return {"ids": ids}


async def test_reminders_go_from_the_10th_once_and_overdue_after_the_15th(
    flow: Flow, closed_exports: dict
) -> None:
    this_month = Month.of(dt.datetime.now(CUSTOMS_TZ))
    following = this_month.next()
    runtime = flow.app.state.runtime

    async def check(day: int) -> int:
        now = dt.datetime(following.year, following.month, day, 9, tzinfo=CUSTOMS_TZ)
        async with flow.api.db.transaction() as session:
            return await check_reminders(session, flow.api.settings, runtime.publisher, now)

    assert await check(9) == 0  # not yet
    assert await check(10) == 1  # one group: the agent's inventories of this month
    assert await check(12) == 0  # once
    assert await check(16) == 1  # overdue, once
    events = await events_of(flow, f"summary:{AGENT_PARTY.party_id}:{_month()}", "ddt.declaration.summary")
    assert [e["data"]["status"] for e in events] == ["remind", "overdue"]
    data = events[0]["data"]
    assert data["party_id"] == AGENT_PARTY.party_id and data["inventories"] == COUNT
    assert data["due_on"] == f"{following.year:04d}-{following.month:02d}-15"


async def test_a_summary_of_101_inventories_goes_in_two_parts_and_is_linked_back(
    flow: Flow, closed_exports: dict
) -> None:
    month = _month()
    query = f"month={month}&declAgentCode={AGENT}&declAgentName=测试报关行&itemNameFlag=1"
    preview = (await flow.api.get(f"/v1/customs/export/summaries/preview?{query}", AGENT_PARTY)).json()
    [application] = preview["applications"]
    assert application["msgCount"] == 2 and len(application["inventories"]) == COUNT
    heads = [m["records"][0]["head"] for m in application["messages"]]
    assert [(h["msgCount"], h["msgSeqNo"]) for h in heads] == [(2, 1), (2, 2)]
    assert len({h["copNo"] for h in heads}) == 1
    assert [len(m["records"][0]["lines"]) for m in application["messages"]] == [100, 1]

    body = {
        "month": month,
        "summaryFlag": "1",
        "itemNameFlag": "1",
        "declAgentCode": AGENT,
        "declAgentName": "测试报关行",
    }
    # A dry run first: both parts pass every check, nothing is filed (the real submission below
    # still finds every inventory to apply for).
    dry = await flow.api.post_json(body, AGENT_PARTY, "/v1/customs/export/summaries?dryRun=true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["dryRun"] is True and dry.headers["DDT-Dry-Run"] == "true"
    dry_parts = dry.json()["filed"]
    assert [p["msgSeqNo"] for p in dry_parts] == [1, 2] and all(p["accepted"] for p in dry_parts)
    assert all(p["filingId"] is None and p["documentId"] is None for p in dry_parts)
    submitted = await flow.api.post_json(body, AGENT_PARTY, "/v1/customs/export/summaries")
    assert submitted.status_code == 200, submitted.text
    parts = submitted.json()["filed"]
    assert [p["msgSeqNo"] for p in parts] == [1, 2] and all(p["accepted"] for p in parts)
    for part in parts:
        view = await flow.wait(part["documentId"], "summary_result")
        assert view["customs"]["sumNo"] and view["customs"]["entryId"]
    entry_ids = {(await flow.document(p["documentId"]))["customs"]["entryId"] for p in parts}
    assert len(entry_ids) == 1
    [entry_id] = entry_ids
    status = (await flow.api.get(f"/v1/customs/export/summaries?month={month}", AGENT_PARTY)).json()
    assert status["pending"] == 0 and status["status"] == "done"
    linked = {item["documentId"]: item["declarations"] for item in status["items"]}
    for document_id in closed_exports["ids"]:
        declarations = linked[document_id]
        assert {d["entryId"] for d in declarations} == {entry_id}
        assert sorted(d["gnum"] for d in declarations) == [1, 2]  # each line has its declaration line
        assert (await flow.document(document_id))["customs"]["entryId"] == entry_id
    # Nothing left to apply for: a second submission files nothing, no reminder is due.
    again = await flow.api.post_json(body, AGENT_PARTY, "/v1/customs/export/summaries")
    assert again.json()["filed"] == []
    following = Month.of(dt.datetime.now(CUSTOMS_TZ)).next()
    async with flow.api.db.transaction() as session:
        now = dt.datetime(following.year, following.month, 11, 9, tzinfo=CUSTOMS_TZ)
        assert await check_reminders(session, flow.api.settings, flow.app.state.runtime.publisher, now) == 0
