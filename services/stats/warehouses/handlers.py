"""Logistics warehouse events → the statistics' warehouse tables (in the inbox transaction).

Each event is kept in the stats event log (stream ``warehouse``) like every consumed event;
the tables keep the highest revision of each profile and month, so a late or repeated event
changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.history.store import log_event
from services.stats.warehouses import service
from shared.events import CloudEvent
from shared.events.warehousing import WarehouseMonthReported, WarehouseProfiled


async def on_profiled(session: AsyncSession, event: CloudEvent, data: WarehouseProfiled) -> None:
    """A warehouse registered or changed: keep its highest revision."""
    subject = data.warehouse.warehouse_id
    if await log_event(
        session, event, data, stream="warehouse", subject=subject, occurred_at=data.occurred_at
    ):
        await service.apply_profile(session, data)


async def on_month_reported(session: AsyncSession, event: CloudEvent, data: WarehouseMonthReported) -> None:
    """A monthly report was filed: keep its highest revision."""
    subject = f"{data.warehouse_id}:{data.month}"
    if await log_event(
        session, event, data, stream="warehouse", subject=subject, occurred_at=data.occurred_at
    ):
        await service.apply_month(session, data)
