"""The overseas-warehouse contract: events the logistics service publishes about warehouses,
their stock and orders, returns and claims (topic ``ddt.logistics.events``).

Beside the tracking contract (:mod:`shared.events.logistics`), these carry what statistics
and the regulator need: warehouse profiles, monthly warehouse reports, return and claim
figures. Like every internal logistics event they name parties as ``operator_party_id``,
``owner_party_id``, ``claimant_party_id`` … — never a top-level ``party_id``, which would
make the gateway deliver them as webhooks. Only the notifications addressed to one party
(:class:`ReturnFilingDue`, :class:`ClaimWindowClosing`) name it as ``party_id``.

Payloads never carry personal data: no consignee names, phones or addresses, and no free
text a person wrote (claim descriptions, count notes stay in the logistics service).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.envelope import EventData, register_event

CertificationLevel = Literal["municipal", "provincial"]
WarehouseUsage = Literal["public", "own"]


class WarehouseFacts(BaseModel):
    """A warehouse as the other services see it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    warehouse_id: str
    operator_party_id: str
    code: str
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    city: str
    area_m2: Decimal = Field(ge=0)
    opened_on: dt.date
    usage: WarehouseUsage
    has_api: bool
    certification_level: CertificationLevel | None = Field(
        default=None, description="the certification the operator declares (the regulator assesses it)"
    )
    certification_year: int | None = None
    status: Literal["active", "closed"] = "active"


@register_event
class WarehouseProfiled(EventData):
    """A warehouse was registered or its profile changed; ``revision`` grows with each change."""

    event_type = "ddt.logistics.warehouse.profiled"
    version = 1

    warehouse: WarehouseFacts
    revision: int = Field(ge=1)
    occurred_at: AwareDatetime


class UnitCounts(BaseModel):
    """Units by discrepancy kind (receiving)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    expected: int = Field(ge=0)
    received: int = Field(ge=0)
    damaged: int = Field(ge=0)
    short: int = Field(ge=0)
    over: int = Field(ge=0)


@register_event
class InboundChanged(EventData):
    """An ASN moved (arrived, counted, received, put away, cancelled); sent to the goods' owner.

    ``party_id`` is the owner: the gateway delivers this to its webhook subscriptions.
    """

    event_type = "ddt.logistics.inbound.changed"
    version = 1

    party_id: str = Field(description="the goods' owner")
    asn_id: str
    reference: str
    warehouse_id: str
    status: Literal["awaiting", "arrived", "receiving", "received", "completed", "cancelled"]
    units: UnitCounts
    revision: int = Field(ge=1)
    occurred_at: AwareDatetime


@register_event
class OutboundChanged(EventData):
    """An outbound order moved (reserved, out of stock, held, picked, packed, shipped, cancelled);
    sent to the goods' owner (``party_id``: the gateway delivers it to its webhooks).

    Never the buyer's name or address: only the destination country.
    """

    event_type = "ddt.logistics.outbound.changed"
    version = 1

    party_id: str = Field(description="the goods' owner")
    order_id: str
    reference: str
    warehouse_id: str
    kind: Literal["b2c", "b2b"]
    status: Literal["exception", "on_hold", "reserved", "picked", "packed", "shipped", "cancelled"]
    exception: Literal["out_of_stock"] | None = None
    hold_reason: str | None = None
    destination_country: str = Field(pattern=r"^[A-Z]{2}$")
    units: int = Field(ge=0, description="units on the order")
    carrier_code: str | None = None
    tracking_number: str | None = None
    shipment_id: str | None = None
    revision: int = Field(ge=1)
    occurred_at: AwareDatetime


__all__ = [
    "OutboundChanged",
    "CertificationLevel",
    "InboundChanged",
    "UnitCounts",
    "WarehouseFacts",
    "WarehouseProfiled",
    "WarehouseUsage",
]
