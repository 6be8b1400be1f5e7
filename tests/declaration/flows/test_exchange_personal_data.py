"""Personal data stays sealed through the exchange: messages sent, receipts, simulator state, events, logs.

A set with distinctive buyer, payer and consignee values goes all the way to 899; then
every row of every table of the service (customs outbox, receipts and their entries,
tax bills, simulator snapshots, the event outbox …) and every captured log record is
searched for the plaintext values, as for part 1.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from services.declaration.models import metadata
from shared.logs import JsonFormatter
from tests.declaration.flows.flowkit import Flow
from tests.declaration.service.factory import IMPORT_FILERS, import_set

BUYER_ID = "11010519491231003X"
PAYER_ID = "44030419800101445X"
SECRETS = [
    BUYER_ID,
    PAYER_ID,
    "东方不败",
    "令狐冲冲",
    "13977776666",
    "13655554444",
    "北京市西城区西长安街2号",
]


async def test_nothing_personal_is_stored_or_logged_in_clear(
    flow: Flow, tag: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    documents = import_set(tag, "9610", buyer_id=BUYER_ID)
    for name in ("order", "inventory"):
        head = documents[name].records[0].head
        head.update(buyerName="东方不败", buyerTelephone="13977776666", consigneeAddress=SECRETS[-1])
    documents["order"].records[0].head.update(consignee="东方不败", consigneeTelephone="13977776666")
    documents["waybill"].records[0].head.update(
        consignee="东方不败", consigneeTelephone="13977776666", consigneeAddress=SECRETS[-1]
    )
    documents["payment"].records[0].head.update(
        payerIdNumber=PAYER_ID, payerName="令狐冲冲", telephone="13655554444"
    )
    ids = {kind: (await flow.file(documents[kind], IMPORT_FILERS[kind]))["documentId"] for kind in documents}
    await flow.wait(ids["inventory"], "closed")
    await flow.exchange.exchange.simulator.snapshot()  # the simulator's state, with the declarations in it

    dumped = []
    async with flow.api.db.transaction() as session:
        for table in [*metadata.tables, "outbox"]:
            for row in (await session.execute(text(f"SELECT * FROM {table}"))).all():  # noqa: S608
                dumped += [
                    value.hex() if isinstance(value, bytes | memoryview) else str(value) for value in row
                ]
    stored = "\n".join(dumped)
    logs = "\n".join(JsonFormatter("declaration").format(record) for record in caplog.records)
    assert "customs_accepted" in stored and "CEB816" in stored  # we did look at the exchange's rows
    for secret in SECRETS:
        assert secret not in stored and secret.encode().hex() not in stored, f"{secret} stored in clear"
        assert secret not in logs and json.dumps(secret)[1:-1] not in logs, f"{secret} logged"
