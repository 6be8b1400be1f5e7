"""``python -m services.gateway.admin bootstrap``: the first platform administrator of a
production deployment, created once, its credential printed once and working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from asgi_lifespan import LifespanManager

from deploy.secrets import GENERATED
from services.gateway.app import create_app
from shared.identity import generate_keypair
from tests.gateway.support import Gateway, PartyKey, gateway_settings
from tests.support.infra import Broker
from tests.support.services import ROOT, running_app


def production_env(database_url: str, broker: Broker) -> dict[str, str]:
    private, public = generate_keypair()
    return {
        "DDT_ENVIRONMENT": "production",
        "DDT_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "DDT_IDENTITY_PUBLIC_KEY": public,
        "DDT_GATEWAY_DATABASE_URL": database_url,
        "DDT_GATEWAY_IDENTITY_PRIVATE_KEY": private,
        "DDT_GATEWAY_CREDENTIAL_ENCRYPTION_KEY": GENERATED["DDT_GATEWAY_CREDENTIAL_ENCRYPTION_KEY"](),
        "DDT_GATEWAY_OAUTH_SIGNING_KEY": GENERATED["DDT_GATEWAY_OAUTH_SIGNING_KEY"](),
        "DDT_GATEWAY_MIGRATE_ON_START": "true",  # the migrate step, folded in for the test
        "DDT_LOG_JSON": "true",
    }


def admin_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DDT_")}
    return subprocess.run(
        [sys.executable, "-m", "services.gateway.admin", *args],
        cwd=ROOT,
        env={**clean, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_bootstrap_creates_the_first_admin_once_and_its_credential_works(
    database_url: str, broker: Broker, tmp_path: Path
) -> None:
    env = production_env(database_url, broker)
    first = admin_cli(env, "bootstrap", "--name", "Lianyungang port operator")
    second = admin_cli(env, "bootstrap")
    assert (first.returncode, second.returncode) == (0, 3), first.stderr + second.stderr
    created = json.loads(first.stdout)
    refused = json.loads(second.stdout)
    # The secret is printed once, on stdout only: not on stderr (logs), not by the second run.
    assert created["secret"] not in first.stderr + second.stdout + second.stderr
    assert refused["party_id"] == created["party_id"]

    settings = gateway_settings(
        database_url,
        broker.bootstrap,
        tmp_path,
        bootstrap_on_empty=False,
        credential_encryption_key=env["DDT_GATEWAY_CREDENTIAL_ENCRYPTION_KEY"],
    )
    app = create_app(settings)
    async with running_app(app) as client:
        admin = PartyKey(created["party_id"], created["key_id"], created["secret"], ["platform_admin"])
        gateway = Gateway(app, client, admin, settings)
        me = await gateway.call("GET", "/v1/parties/me", admin)
        onboarded = await gateway.onboard("regulator")  # the admin API works with it
    assert (me.status_code, me.json()["roles"], bool(onboarded.key_id)) == (200, ["platform_admin"], True)


async def test_bootstrap_refuses_a_deployment_with_an_administrator_already(
    database_url: str, broker: Broker, tmp_path: Path
) -> None:
    # A registry made by the embedded first run already has its platform admin.
    settings = gateway_settings(database_url, broker.bootstrap, tmp_path)
    async with LifespanManager(create_app(settings)):
        pass
    env = production_env(database_url, broker)
    env["DDT_GATEWAY_CREDENTIAL_ENCRYPTION_KEY"] = settings.credential_encryption_key.get_secret_value()
    env["DDT_ENVIRONMENT"] = "test"
    result = admin_cli(env, "bootstrap")
    assert (result.returncode, "secret" in result.stdout) == (3, False)
