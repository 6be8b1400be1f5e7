"""Scale-out on one machine: two replicas of every service behind HAProxy (``deploy/cluster.py``).

Real processes in the production environment, on the machine's PostgreSQL, a tansu broker
and a password-protected Redis. While filings stream through the load balancer the tests
kill replicas with SIGKILL, kill the outbox relay's leader, stop a consumer replica, and
roll a restart through every service — and check that nothing accepted is lost or counted
twice: the documents stored equal the filings accepted, and the statistics equal the
documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from deploy.cluster import START_ORDER, Cluster, Layout
from services.stats.consumption import CONSUMER as STATS_CONSUMER
from services.stats.consumption import TOPICS as STATS_TOPICS
from shared.leadership import Leadership
from shared.settings import PlatformSettings
from tests.deploy.support import require_tool
from tests.support.filings import Credential, FilingStream, SignedClient, StreamResult
from tests.support.infra import free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

#: docs/operations.md "The cluster runner": a standby relay leads within this long of the
#: leader's death (it retries every Leadership.RETRY_SECONDS, then connects to the broker).
RELAY_FAILOVER_BOUND_SECONDS = 10.0
#: The consumer group's session (6 s in the cluster) plus the rebalance.
PARTITION_MOVE_BOUND_SECONDS = 30.0


@dataclass
class Harness:
    cluster: Cluster
    client: SignedClient
    party: Credential
    code: str
    regulator: Credential

    def stream(self, concurrency: int = 4) -> FilingStream:
        return FilingStream(self.client, self.party, self.code, concurrency=concurrency)

    async def documents(self) -> list[str]:
        """Orders the declaration service stored (its database, read as its owner)."""
        conn = await asyncpg.connect(self.cluster.database_url("declaration", "owner", driver="postgresql"))
        try:
            rows = await conn.fetch("SELECT business_no FROM documents WHERE message_type = 'CEB311'")
        finally:
            await conn.close()
        return [r["business_no"] for r in rows]

    async def counted_orders(self) -> int:
        """What the regulator's platform figures say (stats, through the gateway)."""
        response = await self.client.call("GET", "/v1/stats/platform", self.regulator)
        assert response.status_code == 200, response.text
        rows = response.json().get("rows", [])
        return next((int(r["current"]) for r in rows if r.get("figure") == "accepted_documents.order"), 0)

    async def assert_consistent(self, result: StreamResult) -> None:
        """Documents = accepted filings (each once); statistics = documents, once caught up."""
        documents = await self.documents()
        assert result.failed == []
        assert len(documents) == len(set(documents))
        mine = {
            d for d in documents if d.startswith(tuple({n.split("-")[0] + "-" for n in result.all_accepted}))
        }
        assert mine == result.all_accepted

        async def caught_up() -> bool:
            return await self.counted_orders() == len(documents)

        await wait_until(caught_up, timeout=120, interval=1.0, message="stats counted every document once")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_tool("haproxy", "DDT_REQUIRE_LOADBALANCER", "/usr/sbin/haproxy")
    require_tool("redis-server", "DDT_REQUIRE_LOADBALANCER")
    base = 20000 + (free_port() % 200) * 100  # every port of the layout lies in [base, base+600)
    instance = Cluster(
        var=tmp_path_factory.mktemp("cluster"),
        layout=Layout(base=base, replicas=2),
        database_prefix=f"ddt_c{uuid.uuid4().hex[:6]}_",
    )
    try:
        instance.start(fresh=True)
        yield instance
    finally:
        instance.stop()
        asyncio.run(instance.drop_databases())


@pytest.fixture(scope="module")
async def harness(cluster: Cluster) -> AsyncIterator[Harness]:
    assert cluster.admin_credential is not None
    admin = Credential.of(cluster.admin_credential)
    client = SignedClient(cluster.gateway_url)
    party, code = await client.onboard_filer(admin, "Stream enterprise")
    from services.gateway.parties.uscc import generate_uscc

    regulator = await client.onboard(
        admin, {"name": "Bureau", "uscc": generate_uscc("320706", uuid.uuid4().hex), "roles": ["regulator"]}
    )
    try:
        yield Harness(cluster, client, party, code, regulator)
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def streaming(harness: Harness, concurrency: int = 4) -> AsyncIterator[FilingStream]:
    """A stream running in the background for the block; it finishes its filings on exit."""
    stream = harness.stream(concurrency)
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(stop))
    await asyncio.sleep(2.0)
    try:
        yield stream
    finally:
        await asyncio.sleep(2.0)
        stop.set()
        await task


async def in_thread(function: object, *args: object) -> object:
    """Run a blocking cluster operation without stopping the stream's event loop."""
    return await asyncio.to_thread(function, *args)  # type: ignore[arg-type]


async def test_the_gateway_answers_over_tls_through_the_load_balancer(harness: Harness) -> None:
    context = ssl.create_default_context(cafile=str(harness.cluster.tls_certificate))
    client = SignedClient(harness.cluster.gateway_tls_url, verify=context)  # type: ignore[arg-type]
    try:
        me = await client.call("GET", "/v1/parties/me", harness.party)
    finally:
        await client.aclose()
    assert (me.status_code, me.json()["id"]) == (200, harness.party.party_id)


async def test_kill_9_of_one_replica_of_each_service_under_a_stream_loses_and_doubles_nothing(
    harness: Harness,
) -> None:
    cluster = harness.cluster
    async with streaming(harness) as stream:
        victims = []
        for service in START_ORDER:
            # The declaration replica that publishes its outbox is the interesting one to lose.
            victim = (cluster.relay_leader(service) if service == "declaration" else None) or cluster.replica(
                service, 1
            )
            victim.kill9()
            await asyncio.sleep(3.0)  # the stream meets the dead replica before it comes back
            # Restarted at once; the next service's victim dies while this one still starts up.
            victim.start()
            victims.append(victim)
        await in_thread(cluster.wait_ready, 120.0, victims)
    result = stream.result
    assert len(result.all_accepted) > 0
    await harness.assert_consistent(result)


async def test_the_outbox_relay_moves_to_the_other_replica_when_its_leader_dies(harness: Harness) -> None:
    cluster = harness.cluster
    leader = await wait_until(
        lambda: asyncio.to_thread(cluster.relay_leader, "declaration"), timeout=30, message="a relay leader"
    )
    started = time.monotonic()
    leader.kill9()

    async def new_leader() -> object:
        found = await asyncio.to_thread(cluster.relay_leader, "declaration")
        return found if found is not None and found is not leader else None

    successor = await wait_until(new_leader, timeout=60, interval=0.2, message="a new relay leader")
    took = time.monotonic() - started
    async with streaming(harness, concurrency=2) as stream:  # events still flow, from the successor
        pass
    leader.start()
    await in_thread(cluster.wait_ready, 120.0, [leader])
    await harness.assert_consistent(stream.result)
    print(f"relay failover: {took:.2f} s (standby retry {Leadership.RETRY_SECONDS} s)")
    assert successor is not leader and took < RELAY_FAILOVER_BOUND_SECONDS


async def test_a_stopped_consumer_replica_hands_its_partitions_to_the_other(harness: Harness) -> None:
    cluster = harness.cluster
    total = PlatformSettings().kafka_topic_partitions * len(STATS_TOPICS)
    first, second = cluster.replicas["stats"]

    def held() -> tuple[float, float]:
        labels = {"service": "stats", "consumer": STATS_CONSUMER}
        return (
            first.metric("ddt_consumer_assigned_partitions", **labels) or 0.0,
            second.metric("ddt_consumer_assigned_partitions", **labels) or 0.0,
        )

    async def shared() -> tuple[float, float] | None:
        split = await asyncio.to_thread(held)
        return split if sum(split) == total and all(split) else None

    before = await wait_until(
        shared, timeout=PARTITION_MOVE_BOUND_SECONDS, message="both replicas hold partitions"
    )
    started = time.monotonic()
    await in_thread(second.stop)

    async def moved() -> bool:
        return (await asyncio.to_thread(first.metric, "ddt_consumer_assigned_partitions",
                                        service="stats", consumer=STATS_CONSUMER)) == total  # fmt: skip

    await wait_until(moved, timeout=PARTITION_MOVE_BOUND_SECONDS, interval=0.5, message="partitions moved")
    took = time.monotonic() - started
    second.start()
    await in_thread(cluster.wait_ready, 120.0, [second])
    again = await wait_until(shared, timeout=PARTITION_MOVE_BOUND_SECONDS, message="shared again")
    print(f"partitions moved in {took:.2f} s")
    assert (sum(before), sum(again)) == (total, total)


async def test_a_rolling_restart_under_load_fails_nothing_beyond_retryable_503s(harness: Harness) -> None:
    # Every replica of every service is replaced: replica 1 of each service side by side, then 2.
    async with streaming(harness) as stream:
        await in_thread(harness.cluster.rolling_restart)
    result = stream.result
    assert result.statuses_beyond({"200", "503"}) == {}
    await harness.assert_consistent(result)


def test_the_cluster_log_folder_names_every_replica(cluster: Cluster) -> None:
    logs = {p.stem for p in Path(cluster.var / "log").glob("*.log")}
    assert {r.name for r in cluster.all_replicas()} <= logs
