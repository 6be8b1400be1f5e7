"""The enterprise-sent messages the platform takes in, and what each record is.

One row per declaration type of the 202205 edition: its document kind (the name
events and statistics use), direction, the REST resource it is filed under
(``/v1/customs/{direction}/{resource}``), and the field that is its business number.
The structure of every message comes from the XSD-derived catalogue; this table only
adds the platform's names.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.declaration.ceb.catalogue import MessageSpec, spec_for
from shared.events.declaration import Direction, DocumentKind


@dataclass(frozen=True, slots=True)
class DocumentType:
    """How the platform names and files one declaration message type."""

    message_type: str
    kind: DocumentKind
    direction: Direction
    resource: str
    business_no_field: str

    @property
    def spec(self) -> MessageSpec:
        """The XSD-derived catalogue entry."""
        spec = spec_for(self.message_type)
        assert spec is not None, self.message_type
        return spec

    @property
    def path(self) -> str:
        """Public path of the resource."""
        return f"/v1/customs/{self.direction}/{self.resource}"


_TYPES = (
    DocumentType("CEB311", "order", "import", "orders", "orderNo"),
    DocumentType("CEB411", "payment", "import", "payments", "payTransactionId"),
    DocumentType("CEB511", "waybill", "import", "waybills", "logisticsNo"),
    DocumentType("CEB513", "waybill_status", "import", "waybill-statuses", "logisticsNo"),
    DocumentType("CEB621", "inventory", "import", "inventories", "copNo"),
    DocumentType("CEB623", "cancellation", "import", "cancellations", "copNo"),
    DocumentType("CEB625", "return", "import", "returns", "copNo"),
    DocumentType("CEB711", "warehouse_entry", "import", "warehouse-entries", "copNo"),
    DocumentType("CEB303", "order", "export", "orders", "orderNo"),
    DocumentType("CEB403", "payment", "export", "payments", "orderNo"),
    DocumentType("CEB505", "waybill", "export", "waybills", "logisticsNo"),
    DocumentType("CEB507", "arrival", "export", "arrivals", "copNo"),
    DocumentType("CEB509", "departure", "export", "departures", "copNo"),
    DocumentType("CEB603", "inventory", "export", "inventories", "copNo"),
    DocumentType("CEB605", "cancellation", "export", "cancellations", "copNo"),
    DocumentType("CEB607", "manifest", "export", "manifests", "copNo"),
    DocumentType("CEB213", "return", "export", "returns", "coElNo"),
    DocumentType("CEB215", "return_tally", "export", "return-tallies", "coElNo"),
    DocumentType("CEB701", "summary", "export", "summary-applications", "copNo"),
)

_BY_MESSAGE_TYPE: dict[str, DocumentType] = {t.message_type: t for t in _TYPES}

#: Message types whose number a carrier may reuse after a while (logisticsNo
#: "同一物流企业的运单编号在6个月内不重复"): duplicates are looked for in that window only.
REUSABLE_AFTER_WINDOW = frozenset({"CEB511", "CEB505", "CEB513"})


def document_type(message_type: str) -> DocumentType | None:
    """The platform's entry for an enterprise-sent message type, or None (receipts, unknown)."""
    return _BY_MESSAGE_TYPE.get(message_type)


def all_types() -> tuple[DocumentType, ...]:
    """Every declaration type, import first."""
    return _TYPES
