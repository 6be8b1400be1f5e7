"""Helpers of the exchange flow tests: filing sets, waiting for customs, building follow-up messages.

Everything goes through the HTTP API the way enterprises use it; the follow-up
declarations (cancellations, returns, arrivals, departures, return tallies) are built
from the inventory they concern, with the customs numbers the receipts taught the
platform (``invtNo``).
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

from fastapi import FastAPI

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.customs.driver import CustomsExchange
from shared.identity import Identity
from tests.declaration.service.conftest import Api, message_json
from tests.declaration.service.factory import (
    AGENT_PARTY,
    CARRIER,
    CARRIER_PARTY,
    EXPORT_FILERS,
    IMPORT_FILERS,
    export_set,
    import_set,
    new_guid,
)

PATHS = {
    "CEB311": "/v1/customs/import/orders",
    "CEB411": "/v1/customs/import/payments",
    "CEB511": "/v1/customs/import/waybills",
    "CEB621": "/v1/customs/import/inventories",
    "CEB623": "/v1/customs/import/cancellations",
    "CEB625": "/v1/customs/import/returns",
    "CEB303": "/v1/customs/export/orders",
    "CEB505": "/v1/customs/export/waybills",
    "CEB507": "/v1/customs/export/arrivals",
    "CEB509": "/v1/customs/export/departures",
    "CEB603": "/v1/customs/export/inventories",
    "CEB605": "/v1/customs/export/cancellations",
    "CEB213": "/v1/customs/export/returns",
    "CEB215": "/v1/customs/export/return-tallies",
}
FINAL = {"closed", "rejected", "refused", "format_rejected", "returned", "cancelled", "summary_result"}
_TRANSFER = {"copName": "测试企业", "dxpMode": "DXP", "dxpId": "DXPENT0000000001"}


class Flow:
    """The service under test, with helpers to drive documents through customs."""

    def __init__(self, api: Api, app: FastAPI) -> None:
        self.api = api
        self.app = app

    @property
    def exchange(self) -> CustomsExchange:
        """The running exchange (its simulator engine, passes …)."""
        return self.app.state.runtime.components.get(CustomsExchange)

    async def file(
        self, message: CebMessage, identity: Identity, expect_accepted: bool = True
    ) -> dict[str, Any]:
        """File a message as JSON through its resource; returns the first record's answer."""
        response = await self.api.post_json(message_json(message), identity, PATHS[message.message_type])
        if expect_accepted:
            assert response.status_code == 200, response.text
            record = response.json()["records"][0]
            assert record["accepted"], record
            return dict(record)
        return dict(response.json())

    async def file_import(
        self, tag: str, mode: str = "1210", note: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """A linked import set filed by its four parties; ids by kind, and the messages."""
        return await self._file_set(import_set(tag, mode, **kw), IMPORT_FILERS, note)

    async def file_export(
        self, tag: str, mode: str = "9610", note: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """A linked export set filed by its three parties."""
        return await self._file_set(export_set(tag, mode, **kw), EXPORT_FILERS, note)

    async def _file_set(
        self, documents: dict[str, CebMessage], filers: dict[str, Identity], note: str | None
    ) -> dict[str, Any]:
        if note:  # a scenario marker for the simulator, e.g. "[SIM:review]"
            documents["inventory"].records[0].head["note"] = note
        ids = {kind: (await self.file(documents[kind], filers[kind]))["documentId"] for kind in documents}
        return {"ids": ids, "messages": documents}

    async def document(self, document_id: str, identity: Identity = AGENT_PARTY) -> dict[str, Any]:
        """The document's view (with its ``customs`` section)."""
        return await self.api.document(document_id, identity)

    async def wait(
        self,
        document_id: str,
        statuses: str | set[str],
        identity: Identity = AGENT_PARTY,
        timeout: float = 60.0,
    ) -> dict[str, Any]:
        """Poll until the document reaches one of ``statuses``; fail with its last view otherwise."""
        wanted = {statuses} if isinstance(statuses, str) else statuses
        deadline = time.monotonic() + timeout
        view: dict[str, Any] = {}
        while time.monotonic() < deadline:
            view = await self.document(document_id, identity)
            if view["status"] in wanted:
                return view
            if view["status"] in FINAL:
                break
            await asyncio.sleep(0.05)
        history = await self.history(document_id, identity)
        raise AssertionError(f"{document_id} is {view.get('status')}, wanted {wanted}; history {history}")

    async def history(self, document_id: str, identity: Identity = AGENT_PARTY) -> dict[str, Any]:
        """Status changes and receipts of a document."""
        response = await self.api.get(f"/v1/customs/documents/{document_id}/history", identity)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def statuses(self, document_id: str, identity: Identity = AGENT_PARTY) -> list[str]:
        """The statuses the document went through, in order."""
        return [change["to"] for change in (await self.history(document_id, identity))["history"]]

    async def invt_no(self, document_id: str) -> str:
        """The inventory number customs assigned."""
        view = await self.document(document_id)
        number = view["customs"]["invtNo"]
        assert number, view["customs"]
        return str(number)

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait until the exchange has nothing left to do (no pending outbox, no due receipts)."""
        from sqlalchemy import func, select

        from services.declaration.customs.models import CustomsOutboundMessage

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.api.db.transaction() as session:
                pending = await session.scalar(
                    select(func.count())
                    .select_from(CustomsOutboundMessage)
                    .where(CustomsOutboundMessage.status == "pending")
                )
            simulator = self.exchange.exchange.simulator if self.exchange.exchange else None
            due = simulator is not None and simulator.engine.next_due() is not None
            if not pending and not due:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the exchange did not settle")


# --- follow-up declarations -----------------------------------------------------------------------


def _app_time() -> str:
    import datetime as dt

    return dt.datetime.now(CUSTOMS_TZ).strftime("%Y%m%d%H%M%S")


def _message(
    message_type: str, head: dict[str, Any], lines: list[dict[str, Any]], cop_code: str
) -> CebMessage:
    base = {"guid": new_guid(), "appType": "1", "appTime": _app_time(), "appStatus": "2"}
    return CebMessage(
        message_type,
        new_guid(),
        "1.0",
        [Record({**base, **head}, lines)],
        base_transfer={"copCode": cop_code, **_TRANSFER},
    )


def _pick(head: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: head[name] for name in names if name in head}


def import_cancellation(inventory: CebMessage, invt_no: str, cop_no: str) -> CebMessage:
    """CEB623 for an import inventory (filed by its agent)."""
    head = inventory.records[0].head
    fields = _pick(
        head, "customsCode", "orderNo", "ebpCode", "ebpName", "ebcCode", "ebcName", "logisticsNo",
        "logisticsCode", "logisticsName", "buyerIdType", "buyerIdNumber", "buyerName", "buyerTelephone",
        "agentCode", "agentName",
    )  # fmt: skip
    return _message(
        "CEB623", {**fields, "copNo": cop_no, "invtNo": invt_no, "reason": "买家取消"}, [], head["agentCode"]
    )


def import_return(
    inventory: CebMessage, invt_no: str, cop_no: str, quantities: dict[int, Decimal]
) -> CebMessage:
    """CEB625 returning ``quantities`` (gnum → qty) of an import inventory's lines."""
    head = inventory.records[0].head
    fields = _pick(
        head, "customsCode", "orderNo", "ebpCode", "ebpName", "ebcCode", "ebcName", "logisticsNo",
        "logisticsCode", "logisticsName", "buyerIdType", "buyerIdNumber", "buyerName", "buyerTelephone",
        "agentCode", "agentName",
    )  # fmt: skip
    lines = [
        {
            "gnum": line["gnum"],
            "gcode": line["gcode"],
            "gname": line["gname"],
            "qty": quantities[line["gnum"]],
            "unit": line["unit"],
        }
        for line in inventory.records[0].lines
        if line["gnum"] in quantities
    ]
    return _message(
        "CEB625",
        {**fields, "copNo": cop_no, "invtNo": invt_no, "reason": "七天无理由退货"},
        lines,
        head["agentCode"],
    )


def export_cancellation(inventory: CebMessage, invt_no: str, cop_no: str) -> CebMessage:
    """CEB605 for an export inventory."""
    head = inventory.records[0].head
    fields = _pick(head, "customsCode", "agentCode", "agentName", "ebcCode", "ebcName")
    return _message(
        "CEB605", {**fields, "copNo": cop_no, "invtNo": invt_no, "reason": "订单取消"}, [], head["agentCode"]
    )


def arrival(inventory: CebMessage, cop_no: str) -> CebMessage:
    """CEB507 listing the inventory's waybill (the supervised site's operator files it)."""
    head = inventory.records[0].head
    fields = {
        "customsCode": head["customsCode"],
        "copNo": cop_no,
        "operatorCode": CARRIER,
        "operatorName": "测试监管场所",
        "ieFlag": "E",
        "trafMode": head["trafMode"],
        "domesticTrafNo": "苏G12345",
        "logisticsCode": head["logisticsCode"],
        "logisticsName": head["logisticsName"],
        "msgCount": 1,
        "msgSeqNo": 1,
    }
    return _message("CEB507", fields, [{"gnum": 1, "logisticsNo": head["logisticsNo"]}], CARRIER)


def departure(inventory: CebMessage, cop_no: str) -> CebMessage:
    """CEB509 listing the inventory's waybill (the carrier files it)."""
    head = inventory.records[0].head
    fields = {
        "customsCode": head["customsCode"],
        "copNo": cop_no,
        "logisticsCode": head["logisticsCode"],
        "logisticsName": head["logisticsName"],
        "trafMode": head["trafMode"],
        "trafName": head.get("trafName", "船"),
        "voyageNo": head.get("voyageNo", "V1"),
        "billNo": head.get("billNo", "B1"),
        "leaveTime": _app_time(),
        "msgCount": 1,
        "msgSeqNo": 1,
    }
    return _message("CEB509", fields, [{"gnum": 1, "logisticsNo": head["logisticsNo"]}], CARRIER)


def export_return(
    inventory: CebMessage, invt_no: str, co_el_no: str, quantities: dict[int, Decimal]
) -> CebMessage:
    """CEB213 returning ``quantities`` of an export inventory's lines (ieFlag I)."""
    head = inventory.records[0].head
    fields = {
        **_pick(
            head,
            "customsCode",
            "ebpCode",
            "ebpName",
            "ebcCode",
            "ebcName",
            "logisticsNo",
            "logisticsCode",
            "logisticsName",
            "agentCode",
            "agentName",
            "trafMode",
            "portCode",
            "country",
        ),
        "coElNo": co_el_no,
        "invtNo": invt_no,
        "billNo": head.get("billNo", "B1"),
        "ieFlag": "I",
        "trafName": head.get("trafName", "船"),
        "voyageNo": head.get("voyageNo", "V1"),
        "reason": "海外退货",
    }
    lines = [
        {
            "gnum": line["gnum"],
            "gcode": line["gcode"],
            "gname": line["gname"],
            "gmodel": line["gmodel"],
            "qty": quantities[line["gnum"]],
            "qty1": quantities[line["gnum"]],
            "unit": line["unit"],
            "unit1": line["unit1"],
        }
        for line in inventory.records[0].lines
        if line["gnum"] in quantities
    ]
    return _message("CEB213", fields, lines, head["agentCode"])


def return_tally(inventory: CebMessage, co_el_no: str, invt_no: str) -> CebMessage:
    """CEB215: the returned goods tallied at the supervised site."""
    head = inventory.records[0].head
    fields = {
        "customsCode": head["customsCode"],
        "operatorCode": CARRIER,
        "operatorName": "测试监管场所",
        "logisticsCode": head["logisticsCode"],
        "logisticsName": head["logisticsName"],
        "logisticsNo": head["logisticsNo"],
        "invtNo": invt_no,
        "coElNo": co_el_no,
        "billNo": head.get("billNo", "B1"),
        "ieFlag": "I",
        "trafMode": head["trafMode"],
        "trafName": head.get("trafName", "船"),
        "voyageNo": head.get("voyageNo", "V1"),
    }
    return _message("CEB215", fields, [], CARRIER)


__all__ = [
    "AGENT_PARTY",
    "CARRIER_PARTY",
    "Flow",
    "arrival",
    "departure",
    "export_cancellation",
    "export_return",
    "import_cancellation",
    "import_return",
    "return_tally",
]


async def events_of(flow: Flow, subject: str, event_type: str | None = None) -> list[dict[str, Any]]:
    """CloudEvents staged in the service's outbox for ``subject`` (oldest first), as JSON."""
    import json

    from sqlalchemy import select

    from shared.messaging.tables import outbox

    async with flow.api.db.transaction() as session:
        query = (
            select(outbox.c.payload, outbox.c.event_type)
            .where(outbox.c.key == subject)
            .order_by(outbox.c.seq)
        )
        rows = (await session.execute(query)).all()
    return [
        json.loads(payload) for payload, kind in rows if event_type is None or kind.startswith(event_type)
    ]
