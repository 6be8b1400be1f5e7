"""First contact: the bootstrap admin calls the gateway."""

from __future__ import annotations

from tests.gateway.support import Gateway


async def test_bootstrap_admin_reads_own_registry_entry(gateway: Gateway) -> None:
    response = await gateway.call("GET", "/v1/parties/me", gateway.admin)
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["platform_admin"]


async def test_onboarded_enterprise_sees_its_codes(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    me = await gateway.call("GET", "/v1/parties/me", ent)
    assert me.status_code == 200, me.text
    assert [c["code"] for c in me.json()["codes"]] == ent.codes
