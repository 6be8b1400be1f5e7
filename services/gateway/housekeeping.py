"""Periodic upkeep: expired nonces and idempotency records, audit retention, traffic counts."""

from __future__ import annotations

import asyncio
import logging
import time

from services.gateway.audit.retention import purge_audit
from services.gateway.auth.nonces import DatabaseNonceStore
from services.gateway.components import GatewayComponents
from services.gateway.settings import GatewaySettings
from services.gateway.traffic.counter import count_traffic
from shared.service import Runtime

log = logging.getLogger("ddt.gateway.housekeeping")

PURGE_EVERY_SECONDS = 60.0
AUDIT_PURGE_EVERY_SECONDS = 3600.0
TRAFFIC_EVERY_SECONDS = 300.0


async def housekeeping(runtime: Runtime, stop: asyncio.Event) -> None:
    """Run each chore on its own period until ``stop``."""
    settings: GatewaySettings = runtime.settings  # type: ignore[assignment]
    gw = runtime.components.get(GatewayComponents)
    last = {"purge": 0.0, "audit": 0.0, "traffic": 0.0}
    while not stop.is_set():
        now = time.monotonic()
        try:
            if now - last["purge"] >= PURGE_EVERY_SECONDS:
                last["purge"] = now
                if isinstance(gw.nonces, DatabaseNonceStore):
                    await gw.nonces.purge()
                await gw.idempotency.purge()
            if now - last["audit"] >= AUDIT_PURGE_EVERY_SECONDS:
                last["audit"] = now
                await purge_audit(runtime.db, settings.audit_retention_days)
            if now - last["traffic"] >= TRAFFIC_EVERY_SECONDS:
                last["traffic"] = now
                await count_traffic(runtime.db, runtime.publisher)
        except Exception as exc:
            log.warning("housekeeping pass failed", extra={"error": repr(exc)})
        try:
            await asyncio.wait_for(stop.wait(), 5.0)
        except TimeoutError:
            pass
