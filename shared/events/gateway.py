"""Events the gateway publishes (topic ``ddt.gateway.events``): the party registry
and the platform's own traffic figures, which statistics and the regulators read."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from shared.events.envelope import EventData, register_event
from shared.events.logistics import MilestoneFiling

PartyStatus = Literal["active", "suspended"]


@register_event
class PartyRegistered(EventData):
    """A party was onboarded, or its registry entry changed."""

    event_type = "ddt.gateway.party.registered"
    version = 1

    party_id: str
    name: str
    uscc: str
    customs_code: str | None = None
    roles: list[str]
    district: str | None = None
    park: str | None = None
    status: PartyStatus = "active"
    registered_at: AwareDatetime


@register_event
class PartyStatusChanged(EventData):
    """A party was suspended or reactivated."""

    event_type = "ddt.gateway.party.status_changed"
    version = 1

    party_id: str
    status: PartyStatus
    occurred_at: AwareDatetime


@register_event
class ApiTrafficCounted(EventData):
    """Calls answered for one party in one hour (the platform operator's traffic figure)."""

    event_type = "ddt.gateway.traffic.counted"
    version = 1

    party_id: str
    hour_start: AwareDatetime
    calls: int = Field(ge=0)
    errors: int = Field(ge=0)


@register_event
class MilestoneFilingSet(EventData):
    """A logistics firm chose, per milestone message, whether the track files it for the firm.

    ``settings`` maps CEB507 / CEB509 / CEB513 to ``off``, ``review`` (prepared, released by
    the firm with its own signature) or ``auto`` (filed at once, signed by the platform's
    signer for the firm); a message type not named is ``off``.
    """

    event_type = "ddt.gateway.party.milestone_filing"
    version = 1

    party_id: str
    settings: dict[Literal["CEB507", "CEB509", "CEB513"], MilestoneFiling]
    occurred_at: AwareDatetime
