"""The registry for real filers (issue 13): one code held as several kinds, kinds changed in place,
brokers and site/area operators, delegations scoped by message type, GB/T 2260 district codes,
and an admin reading another party's credentials."""

from __future__ import annotations

import pytest

from tests.gateway.support import Gateway, customs_code, unique_uscc


async def test_a_self_operated_seller_holds_one_code_as_platform_and_enterprise(gateway: Gateway) -> None:
    code = customs_code()
    seller = await gateway.onboard(
        "ecommerce_enterprise", "ecommerce_platform", codes=[(code, ["ebpCode", "ebcCode", "copCode"])]
    )
    me = (await gateway.call("GET", "/v1/parties/me", seller)).json()
    assert me["codes"] == [{"code": code, "kinds": ["copCode", "ebcCode", "ebpCode"]}]


async def test_adding_a_kind_to_ones_own_code_merges_it_and_another_partys_code_stays_taken(
    gateway: Gateway,
) -> None:
    code = customs_code()
    seller = await gateway.onboard("ecommerce_enterprise", "ecommerce_platform", codes=[(code, ["ebcCode"])])
    added = await gateway.call(
        "POST",
        f"/v1/parties/{seller.party_id}/codes",
        gateway.admin,
        json_body={"code": code, "kinds": ["ebpCode"]},
    )
    other = await gateway.onboard("ecommerce_platform")
    taken = await gateway.call(
        "POST",
        f"/v1/parties/{other.party_id}/codes",
        gateway.admin,
        json_body={"code": code, "kinds": ["ebpCode"]},
    )
    assert (added.status_code, added.json()["codes"]) == (
        201,
        [{"code": code, "kinds": ["ebcCode", "ebpCode"]}],
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "party.code_taken")
    assert "another party" in taken.json()["detail"]


async def test_a_codes_kinds_are_changed_in_place_within_what_the_roles_allow(gateway: Gateway) -> None:
    code = customs_code()
    ent = await gateway.onboard("ecommerce_enterprise", codes=[(code, ["ebcCode", "agentCode"])])
    path = f"/v1/parties/{ent.party_id}/codes/{code}"
    changed = await gateway.call("PUT", path, gateway.admin, json_body={"kinds": ["ebcCode", "copCode"]})
    not_allowed = await gateway.call("PUT", path, gateway.admin, json_body={"kinds": ["ebpCode"]})
    missing = await gateway.call(
        "PUT",
        f"/v1/parties/{ent.party_id}/codes/{customs_code()}",
        gateway.admin,
        json_body={"kinds": ["ebcCode"]},
    )
    by_owner = await gateway.call("PUT", path, ent, json_body={"kinds": ["ebcCode"]})
    assert (changed.status_code, changed.json()["codes"][0]["kinds"]) == (200, ["copCode", "ebcCode"])
    assert not_allowed.status_code == 422
    assert "ecommerce_platform" in not_allowed.json()["detail"] and "roles" in not_allowed.json()["detail"]
    assert (missing.status_code, by_owner.status_code) == (404, 403)


@pytest.mark.parametrize(
    ("role", "kinds"),
    [
        ("customs_broker", ["agentCode", "declAgentCode", "assureCode", "copCode"]),
        ("supervised_site_operator", ["operatorCode", "copCode"]),
        ("bonded_area_operator", ["areaCode", "iacCode", "copCode"]),
    ],
)
async def test_brokers_and_site_and_area_operators_register_their_codes(
    gateway: Gateway, role: str, kinds: list[str]
) -> None:
    party = await gateway.onboard(role, codes=[(customs_code(), kinds)])
    me = (await gateway.call("GET", "/v1/parties/me", party)).json()
    wrong = await gateway.call(
        "POST",
        "/v1/parties",
        gateway.admin,
        json_body={
            "name": "x",
            "uscc": unique_uscc(),
            "roles": [role],
            "codes": [{"code": customs_code(), "kinds": ["ebpCode"]}],
        },
    )
    assert (me["roles"], sorted(me["codes"][0]["kinds"]), wrong.status_code) == ([role], sorted(kinds), 422)


async def test_an_enterprise_delegates_some_message_types_to_a_broker_revocably_and_audited(
    gateway: Gateway,
) -> None:
    broker = await gateway.onboard("customs_broker", codes=[(customs_code(), ["agentCode", "copCode"])])
    merchant = await gateway.enterprise()
    path = f"/v1/parties/{broker.party_id}/delegations"
    added = await gateway.call(
        "POST",
        path,
        gateway.admin,
        json_body={"merchant_party_id": merchant.party_id, "message_types": ["CEB621"]},
    )
    widened = await gateway.call(
        "POST",
        path,
        gateway.admin,
        json_body={"merchant_party_id": merchant.party_id, "message_types": ["CEB621", "CEB311"]},
    )
    scoped = [(d["merchant_party_id"], d["message_types"]) for d in widened.json()["delegations"]]
    revoked = await gateway.call("DELETE", f"{path}/{merchant.party_id}", gateway.admin)
    after = (await gateway.call("GET", "/v1/parties/me", broker)).json()
    await gateway.flush_audit()
    audit = await gateway.call("GET", f"/v1/audit?party_id={gateway.admin.party_id}", gateway.admin)
    operations = {
        (r["operation"], r["object_id"])
        for r in audit.json()["items"]
        if r["request_id"] in {added.headers["x-request-id"], revoked.headers["x-request-id"]}
    }
    assert (added.status_code, scoped) == (201, [(merchant.party_id, ["CEB311", "CEB621"])])
    assert (revoked.status_code, after["on_behalf_of"], after["delegations"]) == (200, [], [])
    assert operations == {
        ("parties.delegations.add", broker.party_id),
        ("parties.delegations.remove", merchant.party_id),
    }


async def test_delegation_goes_from_an_enterprise_to_a_filer_only(gateway: Gateway) -> None:
    regulator = await gateway.onboard("regulator")
    broker = await gateway.onboard("customs_broker")
    merchant = await gateway.enterprise()
    to_regulator = await gateway.call(
        "POST", f"/v1/parties/{regulator.party_id}/delegations", gateway.admin,
        json_body={"merchant_party_id": merchant.party_id},
    )  # fmt: skip
    from_broker = await gateway.call(
        "POST", f"/v1/parties/{merchant.party_id}/delegations", gateway.admin,
        json_body={"merchant_party_id": broker.party_id},
    )  # fmt: skip
    bad_type = await gateway.call(
        "POST", f"/v1/parties/{broker.party_id}/delegations", gateway.admin,
        json_body={"merchant_party_id": merchant.party_id, "message_types": ["order"]},
    )  # fmt: skip
    assert [to_regulator.status_code, from_broker.status_code, bad_type.status_code] == [422, 422, 422]
    assert "customs_broker" in to_regulator.json()["detail"]


@pytest.mark.parametrize(("given", "stored"), [("320706", "haizhou"), ("haizhou", "haizhou")])
async def test_a_district_is_given_by_id_or_by_its_gb_t_2260_code(
    gateway: Gateway, given: str, stored: str
) -> None:
    created = await gateway.call(
        "POST", "/v1/parties", gateway.admin,
        json_body={"name": "x", "uscc": unique_uscc(), "roles": ["ecommerce_enterprise"], "district": given},
    )  # fmt: skip
    assert (created.status_code, created.json()["district"]) == (201, stored)


async def test_an_unknown_division_code_is_refused_naming_the_standard(gateway: Gateway) -> None:
    created = await gateway.call(
        "POST", "/v1/parties", gateway.admin,
        json_body={"name": "x", "uscc": unique_uscc(), "roles": ["ecommerce_enterprise"],
                   "district": "110101"},
    )  # fmt: skip
    assert created.status_code == 422 and "GB/T 2260" in created.text


async def test_an_admin_lists_another_partys_credentials_without_secrets(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    listed = await gateway.call("GET", f"/v1/parties/{ent.party_id}/credentials", gateway.admin)
    by_party = await gateway.call("GET", f"/v1/parties/{gateway.admin.party_id}/credentials", ent)
    assert listed.status_code == 200
    assert [c["key_id"] for c in listed.json()["items"]] == [ent.key_id]
    assert "secret" not in listed.text and by_party.status_code == 403
