"""The stats consumer: which events it reads and what each one does.

One consumer group (``stats``) reads the declaration, gateway, payments and logistics
topics. Every handler runs inside the inbox transaction (shared.messaging.consumer), first
appending the event to the stats event log (``stats_event_log``) — the history a
rebuild replays — then updating the derived tables.
"""

from __future__ import annotations

from services.stats.facts import handlers as facts
from services.stats.goods_funds.handlers import on_funds_month
from services.stats.institutions.handlers import on_volume_year
from services.stats.logistics import handlers as logistics
from services.stats.parties import handlers as parties
from services.stats.settlement.handlers import on_rmb_settlement_year
from services.stats.warehouses import handlers as warehouses
from shared.events.declaration import DocumentAccepted, DocumentStatusChanged, InventoryReturned
from shared.events.gateway import ApiTrafficCounted, PartyRegistered, PartyStatusChanged
from shared.events.logistics import JourneyFigures, LogisticsCostRecorded
from shared.events.payments import FundsMonth, InstitutionVolumeYear, RmbSettlementYear
from shared.events.warehousing import (
    ClaimChanged,
    ClaimChangedV1,
    WarehouseMonthReported,
    WarehouseProfiled,
)
from shared.messaging.consumer import EventHandlers
from shared.messaging.topics import events_topic

CONSUMER = "stats"
TOPICS = [
    events_topic("declaration"),
    events_topic("gateway"),
    events_topic("payments"),
    events_topic("logistics"),
]

handlers = EventHandlers()
handlers.on(DocumentStatusChanged)(facts.on_status_changed)
handlers.on(InventoryReturned)(facts.on_inventory_returned)
handlers.on(DocumentAccepted)(facts.on_accepted)
handlers.on(PartyRegistered)(parties.on_registered)
handlers.on(PartyStatusChanged)(parties.on_status_changed)
handlers.on(ApiTrafficCounted)(parties.on_traffic)
handlers.on(RmbSettlementYear)(on_rmb_settlement_year)
handlers.on(InstitutionVolumeYear)(on_volume_year)
handlers.on(FundsMonth)(on_funds_month)
handlers.on(WarehouseProfiled)(warehouses.on_profiled)
handlers.on(WarehouseMonthReported)(warehouses.on_month_reported)
handlers.on(JourneyFigures)(logistics.on_figures)
handlers.on(LogisticsCostRecorded)(logistics.on_cost)
handlers.on(ClaimChanged)(logistics.on_claim)
handlers.on(ClaimChangedV1)(logistics.on_claim_v1)
