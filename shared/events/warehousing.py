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


class WarehouseMonthFigures(BaseModel):
    """One warehouse's month (Beijing calendar), as its report states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inbound_asns: int = Field(ge=0, description="ASNs with units counted in the month")
    inbound_units: int = Field(ge=0, description="units counted on receiving (sound and damaged)")
    inbound_damaged_units: int = Field(ge=0)
    inbound_short_units: int = Field(ge=0, description="announced, not arrived (ASNs closed in the month)")
    inbound_over_units: int = Field(ge=0)
    outbound_orders: int = Field(ge=0, description="orders shipped in the month")
    outbound_b2c_orders: int = Field(ge=0)
    outbound_b2b_orders: int = Field(ge=0)
    outbound_units: int = Field(ge=0)
    cancelled_orders: int = Field(ge=0)
    order_to_ship_hours_avg: Decimal | None = Field(default=None, description="order placed → shipped")
    order_to_ship_hours_p90: Decimal | None = None
    returns_received: int = Field(default=0, ge=0)
    returned_units: int = Field(default=0, ge=0)
    customers_served: int = Field(ge=0, description="goods owners with receipts, shipments or stock")
    skus_in_stock: int = Field(ge=0, description="at the end of the month")
    units_on_hand: int = Field(ge=0, description="at the end of the month")
    stock_volume_m3: Decimal = Field(ge=0, description="units on hand × their SKUs' size")
    average_age_days: Decimal | None = Field(default=None, description="on-hand-weighted, at the month's end")
    ageing: dict[str, int] = Field(default_factory=dict, description="units on hand by age bucket (days)")
    area_m2: Decimal = Field(ge=0, description="the warehouse's floor area (profile)")
    area_used_m2: Decimal | None = Field(default=None, ge=0, description="declared by the operator")


@register_event
class WarehouseMonthReported(EventData):
    """A warehouse's monthly report was filed (by the platform at the month's end, or by its
    operator); ``revision`` grows with each filing, readers keep the highest. ``complete`` is
    false for a month still running (a provisional filing: figures so far)."""

    event_type = "ddt.logistics.warehouse.month_reported"
    version = 1

    warehouse_id: str
    operator_party_id: str
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    revision: int = Field(ge=1)
    filed_by: Literal["platform", "operator"]
    complete: bool = True
    figures: WarehouseMonthFigures
    occurred_at: AwareDatetime


ReturnStatus = Literal["requested", "in_transit", "received", "arrived_in_china", "filed", "cancelled"]


@register_event
class ReturnChanged(EventData):
    """A return moved (requested, on its way, received and graded, back in China, filed with
    customs, cancelled). Counts only: no buyer, no free text."""

    event_type = "ddt.logistics.return.changed"
    version = 1

    owner_party_id: str
    return_id: str
    reference: str
    shipment_id: str
    direction: Literal["export", "import"]
    customs_mode: str | None = None
    disposition: Literal["warehouse", "china"]
    warehouse_id: str | None = None
    status: ReturnStatus
    units: int = Field(ge=0, description="units announced")
    sellable_units: int = Field(default=0, ge=0)
    unsellable_units: int = Field(default=0, ge=0)
    exchange_order_id: str | None = None
    revision: int = Field(ge=1)
    occurred_at: AwareDatetime


@register_event
class ReturnFilingDue(EventData):
    """A return came back to China: its owner must file the customs return (CEB213 for an
    export, CEB625 for an import) with the declaration service, which checks and sends it.

    ``party_id`` is the owner, so the gateway delivers this as a webhook. The logistics
    service files nothing itself: the filing is the owner's signed declaration. Customs'
    acceptance comes back as the declaration's ``InventoryReturned`` for ``invt_no``.
    """

    event_type = "ddt.logistics.return.filing_due"
    version = 1

    party_id: str = Field(description="the goods' owner")
    return_id: str
    shipment_id: str
    direction: Literal["export", "import"]
    message_type: Literal["CEB213", "CEB625"]
    filing_path: str = Field(description="where the declaration service takes the filing")
    invt_no: str | None = Field(default=None, description="the original inventory customs released")
    logistics_code: str | None = None
    logistics_no: str | None = None
    window_closes_on: dt.date
    occurred_at: AwareDatetime


ClaimStatus = Literal[
    "submitted",
    "under_review",
    "waiting_on_documents",
    "approved",
    "approved_partial",
    "rejected",
    "paid",
    "closed",
]
ClaimKind = Literal["lost", "damaged", "delayed", "delivered_not_received"]


@register_event
class ClaimChangedV1(EventData):
    """Version 1 of :class:`ClaimChanged`, without the claim's dates: still read (the topic may
    hold some), no longer published."""

    event_type = "ddt.logistics.claim.changed"
    version = 1

    claimant_party_id: str
    claim_id: str
    reference: str
    shipment_id: str
    leg_id: str
    carrier_code: str
    mode: str
    kind: ClaimKind
    status: ClaimStatus
    claimed_cny: Decimal
    offer_cny: Decimal = Field(description="what the rules file gives: min(claimed, liability cap)")
    approved_cny: Decimal | None = None
    paid_cny: Decimal | None = None
    payout_seconds: int | None = Field(default=None, ge=0, description="submitted → paid")
    revision: int = Field(ge=1)
    occurred_at: AwareDatetime


@register_event
class ClaimChanged(ClaimChangedV1):
    """A loss and damage claim moved (submitted, reviewed, documents asked for, decided, paid,
    closed). Amounts and dates only: the claimant's description and the carrier's reasons stay
    in the logistics service.

    Version 2 adds the claim's dates: statistics count a claim in the Beijing year it was
    submitted in and time its payout, whichever of its revisions they read first.
    """

    version = 2

    submitted_at: AwareDatetime
    decided_at: AwareDatetime | None = Field(default=None, description="approved, in part or not")
    paid_at: AwareDatetime | None = None


@register_event
class ClaimAnswered(EventData):
    """The carrier answered a claim (under review, documents asked for, decided, paid).

    ``party_id`` is the claimant, so the gateway delivers this as a webhook."""

    event_type = "ddt.logistics.claim.answered"
    version = 1

    party_id: str = Field(description="the claimant")
    claim_id: str
    reference: str
    shipment_id: str
    status: ClaimStatus
    offer_cny: Decimal
    approved_cny: Decimal | None = None
    documents_requested: bool = False
    occurred_at: AwareDatetime


@register_event
class ClaimWindowClosing(EventData):
    """A shipment with a loss or damage exception has no claim yet and its claim window closes
    soon (``claim_window_reminder_days`` before). Sent once per shipment, kind and window.

    ``party_id`` is the shipment's enterprise, so the gateway delivers this as a webhook."""

    event_type = "ddt.logistics.claim.window_closing"
    version = 1

    party_id: str = Field(description="the shipment's enterprise, who may claim")
    shipment_id: str
    leg_id: str
    carrier_code: str
    mode: str
    kind: ClaimKind
    window_opens_on: dt.date
    window_closes_on: dt.date
    basis: str = Field(description="the legal or contractual basis of the window")
    occurred_at: AwareDatetime


__all__ = [
    "ClaimAnswered",
    "ClaimChanged",
    "ClaimChangedV1",
    "ClaimKind",
    "ClaimStatus",
    "ClaimWindowClosing",
    "ReturnChanged",
    "ReturnFilingDue",
    "ReturnStatus",
    "WarehouseMonthFigures",
    "WarehouseMonthReported",
    "OutboundChanged",
    "CertificationLevel",
    "InboundChanged",
    "UnitCounts",
    "WarehouseFacts",
    "WarehouseProfiled",
    "WarehouseUsage",
]
