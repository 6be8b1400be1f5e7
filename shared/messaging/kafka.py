"""aiokafka wiring: producer and consumer factories, topic creation, broker checks.

Every client the platform opens takes its connection security from :func:`client_options`:
PLAINTEXT for the embedded tansu broker and the laptop profile, SASL_SSL (or SSL) for the
production brokers, with the CA and, for mutual TLS, the client certificate as settings.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.settings import PlatformSettings

log = logging.getLogger("ddt.kafka")


def client_options(platform: PlatformSettings) -> dict[str, Any]:
    """Bootstrap servers and connection security for any aiokafka client of ``platform``."""
    options: dict[str, Any] = {
        "bootstrap_servers": platform.kafka_bootstrap_servers,
        "security_protocol": platform.kafka_security_protocol.value,
    }
    if platform.kafka_security_protocol in ("SSL", "SASL_SSL"):
        from aiokafka.helpers import create_ssl_context

        # Verifies the brokers' certificates and host names against the CA (the system's if unset).
        options["ssl_context"] = create_ssl_context(
            cafile=str(platform.kafka_ssl_cafile) if platform.kafka_ssl_cafile else None,
            certfile=str(platform.kafka_ssl_certfile) if platform.kafka_ssl_certfile else None,
            keyfile=str(platform.kafka_ssl_keyfile) if platform.kafka_ssl_keyfile else None,
        )
    if platform.kafka_security_protocol.startswith("SASL"):
        options.update(
            sasl_mechanism=platform.kafka_sasl_mechanism,
            sasl_plain_username=platform.kafka_sasl_username,
            sasl_plain_password=platform.kafka_sasl_password.get_secret_value(),
        )
    return options


def new_producer(platform: PlatformSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas.

    The idempotent producer is a setting: Apache Kafka supports it, the embedded
    tansu broker does not. Either way the outbox relay is at-least-once and the
    consumers deduplicate.
    """
    return AIOKafkaProducer(
        **client_options(platform),
        client_id=client_id,
        acks="all",
        enable_idempotence=platform.kafka_enable_idempotence,
        linger_ms=5,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
    )


def new_consumer(platform: PlatformSettings, group_id: str, topics: list[str]) -> AIOKafkaConsumer:
    """A consumer with manual offset commits, reading a new group from the beginning."""
    return AIOKafkaConsumer(
        *topics,
        **client_options(platform),
        group_id=group_id,
        client_id=f"{group_id}-consumer",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
        session_timeout_ms=platform.kafka_session_timeout_ms,
        heartbeat_interval_ms=platform.kafka_heartbeat_interval_ms,
    )


async def ensure_topics(platform: PlatformSettings, topics: list[str], timeout: float = 10.0) -> None:
    """Create ``topics`` if missing (idempotent; production Kafka has auto-create off)."""
    admin = AIOKafkaAdminClient(**client_options(platform), request_timeout_ms=int(timeout * 1000))
    await asyncio.wait_for(admin.start(), timeout)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            t,
                            num_partitions=platform.kafka_topic_partitions,
                            replication_factor=platform.kafka_replication_factor,
                        )
                        for t in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass  # another service created it between list and create
            log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()


async def topic_end_offsets(platform: PlatformSettings, topic: str, timeout: float = 10.0) -> dict[int, int]:
    """Log-end offset of every partition of ``topic`` (empty dict if it does not exist)."""
    consumer = AIOKafkaConsumer(**client_options(platform), enable_auto_commit=False)
    await asyncio.wait_for(consumer.start(), timeout)
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001 — metadata may be stale right after creation
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        ends = await asyncio.wait_for(consumer.end_offsets(tps), timeout) if tps else {}
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()
