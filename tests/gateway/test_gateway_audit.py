"""The audit log: every call (refusals included), who/what/object/outcome/request id/time;
admins query everyone, others themselves; append-only; retention; hourly traffic events."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from services.gateway.audit.models import AuditEntry
from services.gateway.audit.retention import purge_audit
from services.gateway.traffic.counter import count_traffic, hour_floor
from shared.messaging.tables import outbox
from tests.gateway.support import Gateway


async def test_every_call_is_audited_with_who_what_object_outcome_and_request_id(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    ok = await gateway.call("GET", f"/v1/parties/{ent.party_id}", ent, headers={"X-Request-ID": "erp-123"})
    denied = await gateway.call("POST", "/v1/parties", ent, json_body={})
    await gateway.flush_audit()
    rows = await gateway.call("GET", f"/v1/audit?party_id={ent.party_id}", gateway.admin)
    by_request = {r["request_id"]: r for r in rows.json()["items"]}
    read = by_request[ok.headers["x-request-id"]]
    assert (read["operation"], read["object_id"], read["outcome"], read["status"]) == (
        "parties.read",
        ent.party_id,
        "ok",
        200,
    )
    assert read["client_request_id"] == "erp-123"
    assert read["credential_id"] == ent.key_id and read["auth_method"] == "hmac"
    refused = by_request[denied.headers["x-request-id"]]
    assert (refused["operation"], refused["outcome"], refused["problem_code"]) == (
        "parties.create",
        "denied",
        "auth.forbidden",
    )


async def test_unauthenticated_calls_are_audited_too(gateway: Gateway) -> None:
    response = await gateway.call("GET", "/v1/parties/me", None)
    await gateway.flush_audit()
    rows = await gateway.call(
        "GET", f"/v1/audit?request_id={response.headers['x-request-id']}", gateway.admin
    )
    (row,) = rows.json()["items"]
    assert (row["party_id"], row["problem_code"]) == (None, "auth.missing_header")


async def test_created_objects_are_named_in_the_audit(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    created = await gateway.call("POST", "/v1/credentials", ent, json_body={})
    await gateway.flush_audit()
    rows = await gateway.call("GET", f"/v1/audit?request_id={created.headers['x-request-id']}", ent)
    assert rows.json()["items"][0]["object_id"] == created.json()["key_id"]


async def test_non_admin_sees_only_its_own_calls_whatever_it_asks(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    await gateway.call("GET", "/v1/parties/me", ent)
    await gateway.flush_audit()
    rows = await gateway.call("GET", f"/v1/audit?party_id={gateway.admin.party_id}", ent)
    assert {r["party_id"] for r in rows.json()["items"]} == {ent.party_id}
    export = await gateway.call("GET", "/v1/audit/export", ent)
    assert export.headers["content-type"].startswith("application/x-ndjson")
    assert all(ent.party_id in line for line in export.text.splitlines())


async def test_a_number_for_a_date_time_filter_is_a_422_naming_it(gateway: Gateway) -> None:
    response = await gateway.call("GET", "/v1/audit?until=0.5", gateway.admin)
    assert (response.status_code, response.json()["errors"][0]["pointer"]) == (422, "/query/until")


async def test_audit_rows_cannot_be_updated(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    await gw.call("GET", "/v1/parties/me", gw.admin)
    await gw.flush_audit()
    with pytest.raises(DBAPIError):
        async with gw.runtime.db.transaction() as session:
            await session.execute(update(AuditEntry).values(status=200))


async def test_audit_rows_cannot_be_deleted_outside_the_retention_purge_on_postgres(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    if gw.runtime.db.dialect != "postgresql":
        pytest.skip("SQLite has no session settings; its trigger refuses UPDATE only")
    await gw.call("GET", "/v1/parties/me", gw.admin)
    await gw.flush_audit()
    with pytest.raises(DBAPIError):
        async with gw.runtime.db.transaction() as session:
            await session.execute(text("DELETE FROM audit_log"))


async def test_retention_purge_deletes_only_rows_older_than_the_retention(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    await gw.call("GET", "/v1/parties/me", gw.admin)
    await gw.flush_audit()
    assert gw.settings.audit_retention_days == 180
    assert await purge_audit(gw.runtime.db, 180) == 0
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=181)
    removed = await purge_audit(gw.runtime.db, 180, now=future)
    assert removed > 0
    async with gw.runtime.db.transaction() as session:
        assert (await session.scalars(select(AuditEntry.id))).all() == []


async def test_traffic_of_a_finished_hour_is_published_once_per_party(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    for _ in range(3):
        await gateway.call("GET", "/v1/parties/me", ent)
    await gateway.call("GET", "/v1/parties", ent)  # 403: an error
    await gateway.flush_audit()
    next_hour = hour_floor(dt.datetime.now(dt.UTC)) + dt.timedelta(hours=1, minutes=1)
    publisher = gateway.runtime.publisher
    assert await count_traffic(gateway.runtime.db, publisher, now=next_hour) >= 1
    await count_traffic(gateway.runtime.db, publisher, now=next_hour)
    async with gateway.runtime.db.transaction() as session:
        payloads = (
            await session.scalars(
                select(outbox.c.payload).where(
                    outbox.c.key == ent.party_id, outbox.c.event_type == "ddt.gateway.traffic.counted.v1"
                )
            )
        ).all()
    assert len(payloads) == 1
    assert '"calls":4' in payloads[0] and '"errors":1' in payloads[0]
