"""deploy/postgres/init-databases.sh on the real PostgreSQL: least privilege per service.

The running service's user reads and writes its own tables and nothing else: no DDL, no
other service's database. The owner runs the migrations.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from shared.db import Database
from shared.migrations import upgrade_to_head
from tests.deploy.support import ROOT
from tests.support.infra import POSTGRES_URL, asyncpg_dsn

pytestmark = pytest.mark.postgres

SERVICES = ("gateway", "stats")


@dataclass
class Provisioned:
    prefix: str

    def url(self, service: str, role: str, database: str | None = None) -> str:
        base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "")
        host = base.split("@", 1)[1]
        return f"postgresql://{self.prefix}{service}_{role}:pw@{host}/{database or self.prefix + service}"


def run_init_script(prefix: str) -> subprocess.CompletedProcess[str]:
    host = POSTGRES_URL.split("@", 1)[1].split("/", 1)[0]
    env = {
        **os.environ,
        "PGHOST": host.split(":")[0],
        "PGPORT": host.split(":")[1] if ":" in host else "5432",
        "PGUSER": POSTGRES_URL.split("//", 1)[1].split("@", 1)[0].split(":")[0],
        "DDT_PG_DATABASE_PREFIX": prefix,
        "DDT_PG_SERVICES": " ".join(SERVICES),
    }
    for service in SERVICES:
        env[f"DDT_PG_{service.upper()}_OWNER_PASSWORD"] = "pw"
        env[f"DDT_PG_{service.upper()}_APP_PASSWORD"] = "pw"
    return subprocess.run(
        ["bash", str(ROOT / "deploy/postgres/init-databases.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
async def provisioned() -> AsyncIterator[Provisioned]:
    prefix = f"ddt_r{uuid.uuid4().hex[:8]}_"
    try:
        result = run_init_script(prefix)
        assert result.returncode == 0, result.stderr
        again = run_init_script(prefix)  # idempotent: an operator may run it on a live server
        assert again.returncode == 0, again.stderr
        target = Provisioned(prefix)
        for service in SERVICES:
            db = Database(target.url(service, "owner").replace("postgresql://", "postgresql+asyncpg://"))
            try:
                await upgrade_to_head(db, service)
            finally:
                await db.dispose()
        yield target
    finally:
        conn = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
        try:
            for service in SERVICES:
                await conn.execute(f'DROP DATABASE IF EXISTS "{prefix}{service}" WITH (FORCE)')
                for role in ("app", "owner"):
                    await conn.execute(f'DROP ROLE IF EXISTS "{prefix}{service}_{role}"')
        finally:
            await conn.close()


async def test_the_app_user_reads_and_writes_its_own_tables(provisioned: Provisioned) -> None:
    conn = await asyncpg.connect(provisioned.url("stats", "app"))
    try:
        await conn.execute(
            "INSERT INTO outbox (event_id, topic, key, event_type, payload, created_at) "
            "VALUES ('e-1', 't', 'k', 'x.v1', '{}', now())"
        )
        await conn.execute("UPDATE outbox SET sent_at = now() WHERE event_id = 'e-1'")
        count = await conn.fetchval("SELECT count(*) FROM outbox")
        await conn.execute("DELETE FROM outbox WHERE event_id = 'e-1'")
    finally:
        await conn.close()
    assert count == 1


async def test_the_app_user_cannot_change_the_schema(provisioned: Provisioned) -> None:
    conn = await asyncpg.connect(provisioned.url("stats", "app"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE sneaky (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DROP TABLE outbox")
    finally:
        await conn.close()


async def test_the_app_user_cannot_open_another_services_database(provisioned: Provisioned) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(provisioned.url("stats", "app", database=f"{provisioned.prefix}gateway"))


async def test_the_owner_of_one_database_cannot_open_another(provisioned: Provisioned) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(provisioned.url("gateway", "owner", database=f"{provisioned.prefix}stats"))
