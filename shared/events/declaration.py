"""Events the declaration service publishes (topic ``ddt.declaration.events``).

They carry what statistics and the other services need — party, mode, direction,
currency, value (and its CNY equivalent), partner country, HS chapters, district,
park — and never personal data: no buyer or payer names, ID numbers, phones or
addresses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.envelope import EventData, register_event
from shared.events.statuses import DocumentStatus

Mode = Literal["1210", "1239", "9610", "9710", "9810"]
Direction = Literal["import", "export"]
DocumentKind = Literal[
    "order",
    "payment",
    "waybill",
    "waybill_status",
    "inventory",
    "cancellation",
    "return",
    "warehouse_entry",
    "arrival",
    "departure",
    "manifest",
    "summary",
    "return_tally",
]


class ChapterValue(BaseModel):
    """Value of a document's lines in one HS chapter (first two digits of the code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chapter: str = Field(pattern=r"^[0-9]{2}$")
    value: Decimal
    value_cny: Decimal
    quantity_lines: int = Field(default=1, ge=0)


class DocumentFacts(BaseModel):
    """The non-personal facts of a customs document, as statistics see them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document_id: str
    document_kind: DocumentKind
    message_type: str = Field(pattern=r"^CEB[0-9]{3}$")
    party_id: str
    mode: Mode | None = None
    direction: Direction
    business_no: str = Field(description="orderNo, logisticsNo, payTransactionId, copNo or invtNo")
    ebc_code: str | None = None
    ebp_code: str | None = None
    currency: str = Field(pattern=r"^[0-9]{3}$", description="customs currency code, 142 = CNY")
    value: Decimal
    value_cny: Decimal
    cny_rate: Decimal = Field(description="CNY per unit of currency used for value_cny")
    country: str | None = Field(
        default=None, description="partner country (customs code): origin on import, destination on export"
    )
    chapters: list[ChapterValue] = Field(default_factory=list)
    district: str | None = None
    park: str | None = None
    order_count: int = Field(default=1, ge=0)
    # The business references other services link by (logistics: shipments to their order,
    # waybill and inventory). Optional and additive: a producer fills what the document states.
    order_no: str | None = Field(default=None, description="orderNo the document states or links to")
    logistics_code: str | None = Field(default=None, description="the carrier's code (logisticsCode)")
    logistics_name: str | None = Field(default=None, description="the carrier's registered name")
    logistics_no: str | None = Field(default=None, description="the waybill number (logisticsNo)")
    invt_no: str | None = Field(default=None, description="the inventory number customs assigned (invtNo)")
    customs_code: str | None = Field(default=None, description="the customs office declared at")
    port_code: str | None = Field(default=None, description="the port of entry or exit (portCode)")
    loct_no: str | None = Field(default=None, description="the supervised site (loctNo)")
    traf_mode: str | None = Field(default=None, description="customs transport mode code (trafMode)")
    traf_name: str | None = Field(default=None, description="vessel, train or flight name (trafName)")
    voyage_no: str | None = Field(default=None, description="voyage, train or flight number (voyageNo)")
    bill_no: str | None = Field(default=None, description="bill of lading or master air waybill (billNo)")
    # The overseas *business* buyer (consignee company) of a B2B export (9710/9810), which an
    # export credit insurer sets a limit for: business data, never a person (retail buyers
    # of 9610 are never named here).
    buyer_code: str | None = Field(
        default=None,
        max_length=64,
        description="the overseas business buyer's code (e.g. the insurer's buyer no.)",
    )
    buyer_name: str | None = Field(
        default=None, max_length=200, description="the overseas business buyer's registered name (a company)"
    )


@register_event
class DocumentAccepted(EventData):
    """The platform accepted a document (it passed the schema and business pre-checks)."""

    event_type = "ddt.declaration.document.accepted"
    version = 1

    document: DocumentFacts
    accepted_at: AwareDatetime
    status: DocumentStatus | None = Field(
        default=None,
        description="status the document starts in (accepted; an inventory: waiting, matched or mismatched)",
    )


@register_event
class DocumentStatusChanged(EventData):
    """A document moved in its lifecycle (three-document match, a customs receipt, …).

    ``status`` is the platform's status name from the shared vocabulary
    (:class:`shared.events.statuses.DocumentStatus`: ``matched``, ``released``,
    ``closed``, ``rejected`` …); an event naming any other status fails validation and is
    parked by its consumers. ``customs_status`` is the customs ``returnStatus`` code when
    a receipt caused the change.
    """

    event_type = "ddt.declaration.document.status_changed"
    version = 1

    document: DocumentFacts
    previous_status: DocumentStatus | None
    status: DocumentStatus
    customs_status: str | None = None
    reason: str | None = None
    occurred_at: AwareDatetime


@register_event
class InventoryReturned(EventData):
    """Customs accepted a return of (part of) a released inventory; its value goes back."""

    event_type = "ddt.declaration.inventory.returned"
    version = 1

    document: DocumentFacts = Field(description="the original inventory")
    return_id: str
    returned_chapters: list[ChapterValue]
    returned_value: Decimal
    returned_value_cny: Decimal
    occurred_at: AwareDatetime


@register_event
class SummaryApplicationDue(EventData):
    """An enterprise has not applied for its 9610 export monthly summary (CEB701) yet.

    Sent once from the 10th of the following month (``status`` ``remind``) and once after
    the 15th, the due day (``overdue``), per declaring party, customs, agent and e-commerce
    enterprise; ``inventories`` counts the released/closed export inventories of ``month``
    that no live summary application names. Added by the customs exchange (issue 5).
    """

    event_type = "ddt.declaration.summary.application_due"
    version = 1

    party_id: str = Field(description="the party that declared the inventories (webhooks go to it)")
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="the month summarised, Beijing time")
    status: Literal["remind", "overdue"]
    due_on: date
    customs_code: str
    agent_code: str
    ebc_code: str
    inventories: int = Field(ge=1)
    occurred_at: AwareDatetime


class GoodsLine(BaseModel):
    """One goods line of an order or inventory as filed (no personal data is ever on a line)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gnum: int = Field(ge=1)
    item_no: str | None = Field(default=None, description="the enterprise's item number (itemNo)")
    name: str = Field(description="itemName (or gname)")
    gcode: str | None = Field(default=None, description="HS code, when the document states one")
    quantity: Decimal
    unit: str | None = Field(default=None, description="JGS-20 unit code")
    unit_price: Decimal | None = None
    total_price: Decimal
    currency: str = Field(pattern=r"^[0-9]{3}$")
    country: str | None = Field(default=None, description="origin country of the line, when stated")


@register_event
class DocumentGoods(EventData):
    """The goods lines of an order or inventory, when it is filed or amended.

    Published once per filing of the document (``revision`` 1, then one more per
    amendment), beside ``document.accepted`` / ``status_changed``: the lines do not change
    with the document's status, so status events stay small. Payments assembles its
    evidence packages (goods, quantities, amounts) from these. Added by issue 12.
    """

    event_type = "ddt.declaration.document.goods"
    version = 1

    document: DocumentFacts
    lines: list[GoodsLine]
    revision: int = Field(ge=1, description="1 when filed, +1 per amendment; keep the highest")
    filed_at: AwareDatetime
