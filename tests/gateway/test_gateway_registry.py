"""The party registry: validated onboarding, one party per enterprise code, roles bound to code
kinds, events through the outbox, and the operators' CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import redis.asyncio as aioredis
from sqlalchemy import select

from services.gateway.parties.uscc import generate_uscc
from shared.messaging.tables import outbox
from tests.gateway.support import Gateway, customs_code, unique_uscc
from tests.support.infra import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


async def _onboard(gw: Gateway, **fields: object) -> object:
    body = {
        "name": "Lianyungang Crystal Co.",
        "uscc": unique_uscc(),
        "roles": ["ecommerce_enterprise"],
        **fields,
    }
    return await gw.call("POST", "/v1/parties", gw.admin, json_body=body)


async def test_invalid_uscc_check_digit_is_refused_with_a_pointer(gateway_on_each_db: Gateway) -> None:
    good = unique_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = await _onboard(gateway_on_each_db, uscc=bad)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["errors"][0]["pointer"] == "/body/uscc"  # type: ignore[attr-defined]


async def test_an_enterprise_code_belongs_to_exactly_one_party(gateway_on_each_db: Gateway) -> None:
    code = customs_code()
    first = await _onboard(gateway_on_each_db, codes=[{"code": code, "kinds": ["ebcCode"]}])
    second = await _onboard(gateway_on_each_db, codes=[{"code": code, "kinds": ["ebcCode"]}])
    assert first.status_code == 201  # type: ignore[attr-defined]
    assert second.status_code == 409  # type: ignore[attr-defined]
    assert second.json()["code"] == "party.code_taken"  # type: ignore[attr-defined]


async def test_uscc_is_unique(gateway_on_each_db: Gateway) -> None:
    uscc = unique_uscc()
    await _onboard(gateway_on_each_db, uscc=uscc)
    again = await _onboard(gateway_on_each_db, uscc=uscc)
    assert again.json()["code"] == "party.uscc_taken"  # type: ignore[attr-defined]


async def test_code_kind_must_fit_the_partys_roles(gateway_on_each_db: Gateway) -> None:
    response = await _onboard(gateway_on_each_db, codes=[{"code": customs_code(), "kinds": ["payCode"]}])
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "payCode" in response.text  # type: ignore[attr-defined]


async def test_unknown_district_is_refused(gateway_on_each_db: Gateway) -> None:
    response = await _onboard(gateway_on_each_db, district="atlantis")
    assert response.status_code == 422  # type: ignore[attr-defined]


async def test_onboarding_and_suspension_publish_events_through_the_outbox(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    await gw.call("POST", f"/v1/parties/{party.party_id}/suspend", gw.admin, json_body={"reason": "audit"})
    async with gw.runtime.db.transaction() as session:
        types = (
            await session.scalars(
                select(outbox.c.event_type).where(outbox.c.key == party.party_id).order_by(outbox.c.seq)
            )
        ).all()
    assert types == ["ddt.gateway.party.registered.v1", "ddt.gateway.party.status_changed.v1"]


async def test_admin_cannot_suspend_a_platform_admin(gateway: Gateway) -> None:
    response = await gateway.call(
        "POST", f"/v1/parties/{gateway.admin.party_id}/suspend", gateway.admin, json_body={}
    )
    assert response.status_code == 409


async def test_roles_cannot_be_changed_away_from_a_registered_codes_kind(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    response = await gateway.call(
        "PATCH", f"/v1/parties/{ent.party_id}", gateway.admin, json_body={"roles": ["bank"]}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "party.invalid"


async def test_reference_data_lists_districts_and_parks(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    districts = await gateway.call("GET", "/v1/reference/districts", ent)
    assert "haizhou" in [d["id"] for d in districts.json()]


def _cli(var_dir: Path, *args: str, **extra_env: str) -> tuple[int, list[dict[str, object]]]:
    env = {
        **os.environ,
        "DDT_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{var_dir / 'cli.db'}",
        "DDT_ENVIRONMENT": "test",
        "PYTHONPATH": str(ROOT),
        **extra_env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.gateway.admin", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_cli_onboards_suspends_and_issues_credentials(tmp_path: Path) -> None:
    code, out = _cli(
        tmp_path,
        "parties",
        "create",
        "--name",
        "CLI enterprise",
        "--uscc",
        generate_uscc("320706", "cli"),
        "--role",
        "ecommerce_enterprise",
        "--code",
        "3207960777=ebcCode,agentCode",
    )
    assert code == 0, out
    party_id = str(out[0]["id"])
    code, out = _cli(tmp_path, "credentials", "create", party_id, "--label", "erp")
    assert code == 0 and str(out[0]["secret"]).startswith("ddts_")
    code, out = _cli(tmp_path, "parties", "suspend", party_id, "--reason", "test")
    assert out == [{"id": party_id, "status": "suspended"}]
    code, out = _cli(
        tmp_path,
        "parties",
        "create",
        "--name",
        "dup",
        "--uscc",
        generate_uscc("320706", "cli2"),
        "--role",
        "ecommerce_enterprise",
        "--code",
        "3207960777=ebcCode",
    )
    assert code == 1 and out[0]["code"] == "party.code_taken"


async def test_cli_registry_change_invalidates_the_gateways_caches(
    tmp_path: Path, redis_prefix: str, redis_client: aioredis.Redis
) -> None:
    from services.gateway.auth.guard import generation_key

    env = {"DDT_REDIS_URL": REDIS_URL, "DDT_GATEWAY_REDIS_KEY_PREFIX": redis_prefix}
    code, out = _cli(
        tmp_path,
        "parties",
        "create",
        "--name",
        "Cached",
        "--uscc",
        unique_uscc(),
        "--role",
        "logistics_firm",
        **env,
    )
    assert code == 0
    before = int(await redis_client.get(generation_key(redis_prefix)) or 0)
    _cli(tmp_path, "parties", "suspend", str(out[0]["id"]), **env)
    assert int(await redis_client.get(generation_key(redis_prefix)) or 0) == before + 1
