"""A logistics firm chooses, per milestone message, how the track files it; the choice is an event."""

from __future__ import annotations

import json

from sqlalchemy import select

from shared.messaging.tables import outbox
from tests.gateway.support import Gateway


async def test_a_firm_starts_with_everything_off(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    carrier = await gw.onboard("logistics_firm")
    response = await gw.call("GET", "/v1/parties/me/milestone-filing", carrier)
    assert response.status_code == 200
    body = response.json()
    assert (body["CEB507"], body["CEB509"], body["CEB513"], body["updated_at"]) == ("off", "off", "off", None)


async def test_the_choice_is_kept_and_published_through_the_outbox(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    carrier = await gw.onboard("logistics_firm")
    choice = {"CEB507": "auto", "CEB509": "review"}
    response = await gw.call("PUT", "/v1/parties/me/milestone-filing", carrier, json_body=choice)
    assert response.status_code == 200, response.text
    assert (await gw.call("GET", "/v1/parties/me/milestone-filing", carrier)).json()["CEB509"] == "review"
    second = await gw.call("PUT", "/v1/parties/me/milestone-filing", carrier, json_body={"CEB513": "auto"})
    assert (second.json()["CEB507"], second.json()["CEB513"]) == ("off", "auto")  # replaced, not merged
    async with gw.runtime.db.transaction() as session:
        rows = (
            await session.execute(
                select(outbox.c.event_type, outbox.c.payload)
                .where(outbox.c.key == carrier.party_id, outbox.c.event_type.like("%milestone_filing%"))
                .order_by(outbox.c.seq)
            )
        ).all()
    assert [row.event_type for row in rows] == ["ddt.gateway.party.milestone_filing.v1"] * 2
    first = rows[0].payload if isinstance(rows[0].payload, dict) else json.loads(rows[0].payload)
    data = first.get("data", first)
    assert data["settings"] == {"CEB507": "auto", "CEB509": "review", "CEB513": "off"}


async def test_an_unknown_choice_is_a_problem_with_a_pointer(gateway: Gateway) -> None:
    carrier = await gateway.onboard("logistics_firm")
    response = await gateway.call(
        "PUT", "/v1/parties/me/milestone-filing", carrier, json_body={"CEB507": "sometimes"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any("CEB507" in error.get("pointer", "") for error in response.json()["errors"])


async def test_only_logistics_firms_choose(gateway: Gateway) -> None:
    enterprise = await gateway.enterprise()
    response = await gateway.call("PUT", "/v1/parties/me/milestone-filing", enterprise, json_body={})
    assert response.status_code == 403
