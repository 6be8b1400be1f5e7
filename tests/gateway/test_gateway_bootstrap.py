"""First run: an empty registry gets an admin and a demo enterprise, written once with 0600;
production refuses the development keys."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.gateway.bootstrap import FIRST_RUN_FILE
from services.gateway.settings import GatewaySettings
from shared.settings import Environment, PlatformSettings
from tests.gateway.support import gateway_settings, read_first_run, running_gateway
from tests.support.infra import Broker


async def test_first_run_writes_working_credentials_once_with_mode_0600(
    broker: Broker, tmp_path: Path
) -> None:
    settings = gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", broker.bootstrap, tmp_path)
    async with running_gateway(settings) as gw:
        demo = read_first_run(tmp_path)["demo_enterprise"]
        from tests.gateway.support import PartyKey

        me = await gw.call(
            "GET", "/v1/parties/me", PartyKey(demo["party_id"], demo["key_id"], demo["secret"])
        )
        assert me.json()["codes"][0]["code"] == "3207960001"
    assert stat.S_IMODE((tmp_path / FIRST_RUN_FILE).stat().st_mode) == 0o600  # noqa: ASYNC240
    async with running_gateway(settings):
        pass
    assert sorted(p.name for p in tmp_path.glob("gateway-first-run*")) == [FIRST_RUN_FILE]  # noqa: ASYNC240


def test_production_refuses_the_development_keys() -> None:
    with pytest.raises(ValidationError) as refused:
        GatewaySettings(
            database_url="postgresql+asyncpg://x/y",
            platform=PlatformSettings(environment=Environment.PRODUCTION, identity_public_key="k" * 43),
        )
    message = str(refused.value)
    for name in (
        "DDT_GATEWAY_IDENTITY_PRIVATE_KEY",
        "DDT_GATEWAY_CREDENTIAL_ENCRYPTION_KEY",
        "DDT_GATEWAY_OAUTH_SIGNING_KEY",
    ):
        assert name in message


def test_only_the_embedded_mode_bootstraps_by_default() -> None:
    assert GatewaySettings(platform=PlatformSettings(environment=Environment.EMBEDDED)).should_bootstrap
    assert not GatewaySettings(platform=PlatformSettings(environment=Environment.TEST)).should_bootstrap


async def test_the_demo_enterprise_is_self_operated_so_its_code_files_orders(
    broker: Broker, tmp_path: Path
) -> None:
    from tests.gateway.support import PartyKey

    settings = gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", broker.bootstrap, tmp_path)
    async with running_gateway(settings) as gw:
        demo = read_first_run(tmp_path)["demo_enterprise"]
        me = (
            await gw.call("GET", "/v1/parties/me", PartyKey(demo["party_id"], demo["key_id"], demo["secret"]))
        ).json()
    assert sorted(me["roles"]) == ["ecommerce_enterprise", "ecommerce_platform"]
    assert me["codes"] == [{"code": "3207960001", "kinds": ["agentCode", "copCode", "ebcCode", "ebpCode"]}]
