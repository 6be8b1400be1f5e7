"""Every table of the gateway, imported in one place so Alembic sees them all."""

from __future__ import annotations

from services.gateway.audit.models import AuditEntry, TrafficHour
from services.gateway.auth.models import UsedNonce
from services.gateway.base import Base, metadata
from services.gateway.credentials.models import ApiCredential
from services.gateway.idempotency.models import IdempotencyRecord
from services.gateway.parties.models import Party, PartyCode, PartyDelegation, PartyMilestoneFiling
from services.gateway.webhooks.models import (
    WebhookAllowEntry,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

__all__ = [
    "ApiCredential",
    "AuditEntry",
    "Base",
    "IdempotencyRecord",
    "Party",
    "PartyCode",
    "PartyDelegation",
    "PartyMilestoneFiling",
    "TrafficHour",
    "UsedNonce",
    "WebhookAllowEntry",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "metadata",
]
