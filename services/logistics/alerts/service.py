"""Finding stale legs and reporting them (and attaching kept events a late leg now has)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics import metrics
from services.logistics.context import LogisticsContext
from services.logistics.shipments.repository import ShipmentRepository
from services.logistics.subscriptions import service as subscriptions
from services.logistics.tracking import service as tracking
from services.logistics.tracking.views import eta_range
from shared.events.logistics import Punctuality, SubStatus, TrackingStale, TrackingStatus
from shared.leadership import Leadership, run_while_leading, sleep_unless_stopped
from shared.messaging.outbox import EventPublisher
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.logistics.alerts")
MODES = ("post", "express", "air", "sea", "rail", "road")
BATCH = 200


async def report_stale(
    session: AsyncSession, publisher: EventPublisher, ctx: LogisticsContext, now: dt.datetime
) -> int:
    """Publish a stale alert (and notify subscribers) for every leg silent too long; how many."""
    repo = ShipmentRepository(session)
    reported = 0
    for mode in MODES:
        hours = ctx.stale_hours(mode)
        legs = await repo.stale_legs(mode, now - dt.timedelta(hours=hours), BATCH)
        if not legs:
            continue
        shipments = await repo.many(leg.shipment_id for leg in legs)
        all_legs = await repo.legs_of(shipments)
        for leg in legs:
            shipment = shipments[leg.shipment_id]
            silent_from = leg.last_event_at or leg.created_at
            await publisher.stage(
                session,
                TrackingStale(
                    shipment_id=shipment.id,
                    leg_id=leg.id,
                    mode=mode,  # type: ignore[arg-type]
                    last_event_at=leg.last_event_at,
                    hours_without_event=int((now - silent_from).total_seconds() // 3600),
                    threshold_hours=hours,
                    occurred_at=now,
                ),
                subject=shipment.id,
            )
            await subscriptions.notify(
                session,
                publisher,
                shipment,
                all_legs[shipment.id],
                [leg.tracking_number],
                kind="stale",
                status=TrackingStatus(shipment.status),
                sub_status=SubStatus(shipment.sub_status) if shipment.sub_status else None,
                first_in_status=False,
                eta=eta_range(shipment.eta_earliest, shipment.eta_latest, shipment.eta_source),
                punctuality=cast(Punctuality, shipment.punctuality),
                latest_event=None,
                now=now,  # type: ignore[arg-type]
            )
            metrics.STALE_ALERTS.labels(mode).inc()
        await repo.mark_stale_alerted([leg.id for leg in legs], now)
        reported += len(legs)
    return reported


async def run_alerts(runtime: Runtime, stop: asyncio.Event) -> None:
    """Background task: stale legs and the orphan sweep, on one replica at a time."""
    ctx = runtime.components.get(LogisticsContext)
    leadership = Leadership(runtime.db, "ddt-logistics-alerts")

    async def step() -> None:
        now = utcnow()
        async with runtime.db.transaction() as session:
            await report_stale(session, runtime.publisher, ctx, now)
        async with runtime.db.transaction() as session:
            await tracking.sweep_orphans(session, runtime.publisher, ctx, now)
        await sleep_unless_stopped(stop, ctx.settings.stale_check_seconds)

    async def on_failure() -> None:
        return None

    await run_while_leading(stop, leadership, step, on_failure, log, "stale alert pass")
