"""Every table of the logistics service, imported so Alembic sees one MetaData.

The tables live with their domain modules: ``parties`` (the registry mirror),
``shipments`` (shipments, legs, numbers, waiting inventory links), ``tracking`` (events,
statuses seen, customs milestones), ``subscriptions`` and ``costs``.
"""

from __future__ import annotations

from services.logistics.base import Base, metadata
from services.logistics.costs.models import LogisticsCost
from services.logistics.parties.models import Party
from services.logistics.shipments.models import Leg, LegNumber, Shipment, ShipmentLink, ShipmentNumber
from services.logistics.subscriptions.models import Subscription
from services.logistics.tracking.models import CustomsMilestoneRow, StatusSeen, TrackingEvent

__all__ = [
    "Base",
    "CustomsMilestoneRow",
    "Leg",
    "LegNumber",
    "LogisticsCost",
    "Party",
    "Shipment",
    "ShipmentLink",
    "ShipmentNumber",
    "StatusSeen",
    "Subscription",
    "TrackingEvent",
    "metadata",
]
