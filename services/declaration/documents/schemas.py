"""Response models of the document routes (what ``/v1/customs/documents…`` and the typed getters answer).

The routes build these answers as plain JSON (amounts as decimal strings, times as ISO
8601 with offset) and declare these models, so the OpenAPI documents every field;
tests/declaration/service/test_answer_schemas.py validates real answers against them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.kit.pagination import Page

_DOC = "8d3f6b21-7c4e-4a90-b5d2-61e9f0a3c7d4"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ChapterOut(_Out):
    """A document's value in one HS chapter (first two digits of the code)."""

    chapter: str = Field(examples=["19"])
    value: str = Field(description="In the document's currency", examples=["376.00"])
    value_cny: str = Field(examples=["376.00"])
    quantity_lines: int = Field(examples=[1])


class DocumentSummary(_Out):
    """A document in a list (no record content)."""

    id: str = Field(examples=[_DOC])
    kind: str = Field(description="order, payment, waybill, inventory, …", examples=["inventory"])
    messageType: str = Field(examples=["CEB621"])
    direction: str = Field(examples=["import"])
    mode: str | None = Field(description="Supervision mode (1210, 9610 …) once known", examples=["1210"])
    status: str = Field(examples=["matched"])
    needsReview: bool
    businessNo: str = Field(description="The document's business number (orderNo, copNo …)")
    preNo: str = Field(description="The platform's pre-entry number", examples=["D20261120000000001"])
    acceptedAt: str = Field(examples=["2026-11-20T02:30:05.123456+00:00"])
    updatedAt: str = Field(examples=["2026-11-20T02:30:07.001000+00:00"])


class FieldSideOut(_Out):
    """One side of a disagreement: the document, the field's pointer, its (masked) value."""

    document: str = Field(examples=["inventory"])
    pointer: str = Field(examples=["/lines/0/qty"])
    value: str | None


class MismatchOut(_Out):
    """A field two documents of the three-document match disagree on."""

    field: str = Field(examples=["qty"])
    left: FieldSideOut
    right: FieldSideOut
    severity: str = Field(description="error (mismatch) or review", examples=["error"])


class MatchOut(_Out):
    """The three-document match report of an inventory."""

    status: str = Field(description="waiting, matched or mismatched", examples=["matched"])
    waitingFor: list[str] = Field(examples=[[]])
    mismatches: list[MismatchOut]
    review: list[MismatchOut]
    orderId: str | None
    paymentId: str | None
    waybillId: str | None
    matchedAt: str | None
    updatedAt: str


class TaxHeadOut(_Out):
    """CEB816 ``TaxHeadRd``: the amounts, and the identifying fields the inventory already names."""

    model_config = ConfigDict(extra="allow")

    customsTax: str = Field(examples=["0.00"])
    valueAddedTax: str = Field(examples=["45.20"])
    consumptionTax: str = Field(examples=["0.00"])
    totalTax: str = Field(examples=["45.20"])


class TaxOut(_Out):
    """The platform's tax assessment of an import inventory, shaped like the CEB816 bill."""

    treatment: str = Field(description="retail or single_item_general", examples=["retail"])
    dutiableValue: str = Field(examples=["506.50"])
    taxHeadRd: TaxHeadOut
    taxListRd: list[dict[str, Any]] = Field(description="CEB816 TaxListRd per line (XSD names)")
    assessedAt: str


class OutboundOut(_Out):
    """A message sent to customs (metadata; the bytes are ``/v1/customs/outbound/{messageId}``)."""

    messageId: str
    messageType: str
    documents: int
    envelope: str = Field(examples=["DxpMsgSv"])
    signedBy: str = Field(description="platform, enterprise or none")
    signatureMethod: str | None
    sha256: str
    businessSha256: str
    size: int
    status: str = Field(description="pending, sent or failed")
    createdAt: str | None
    sentAt: str | None


class TaxBillOut(_Out):
    """A CEB816 tax bill as customs sent it, with its CEB818 status."""

    taxNo: str
    invtNo: str
    status: str
    statusName: str
    since: str | None
    customsTax: str | None
    valueAddedTax: str | None
    consumptionTax: str | None
    lines: list[dict[str, Any]]
    receiptId: int


class SummaryLineOut(_Out):
    """Where a CEB792 summary declaration put an inventory line."""

    sumNo: str
    entryId: str | None
    gnum: int
    gseqno: int


class CustomsOut(_Out):
    """The customs side of a document: state, numbers customs assigned, the message that carried it."""

    state: str = Field(examples=["released"])
    stateCode: str = Field(examples=["800"])
    since: str | None
    attempt: int
    legal: bool = Field(description="False once a receipt arrived that the lifecycle does not allow")
    preNo: str | None
    invtNo: str | None
    sumNo: str | None
    entryId: str | None
    summaryId: str | None
    targetId: str | None
    releasedAt: str | None
    closedAt: str | None
    sentAt: str | None
    outbound: OutboundOut | None
    taxBills: list[TaxBillOut] | None = None
    summaryResult: list[SummaryLineOut] | None = None


class InventoryWaitOut(_Out):
    """An order, payment or waybill and the inventory naming it: awaited, or filed after how long."""

    status: str = Field(description="awaiting_inventory or inventory_filed", examples=["awaiting_inventory"])
    waitingSince: str = Field(description="when the document was accepted")
    waitedSeconds: int = Field(
        description="until now while awaiting; until the first inventory naming it once filed",
        examples=[3600],
    )
    inventoryFiledAt: str | None = Field(description="when the first inventory naming it was accepted")


class DocumentView(_Out):
    """A filed document: status, facts, record (masked unless the caller filed it), match, tax, customs."""

    id: str = Field(examples=[_DOC])
    kind: str
    messageType: str
    direction: str
    mode: str | None
    status: str
    needsReview: bool
    businessNo: str
    preNo: str
    partyId: str
    filingId: str | None = Field(description="The filer only")
    recordIndex: int
    revision: int
    acceptedAt: str
    updatedAt: str
    currency: str
    value: str
    valueCny: str
    cnyRate: str
    country: str | None
    chapters: list[ChapterOut]
    masked: bool = Field(description="True when personal values are masked (everyone but the filer)")
    record: dict[str, Any] = Field(
        description=(
            "The record as a JSON filer sends it to the document's resource: head, lines and the "
            "message's baseTransfer (baseSubscribe, extendMessage when given); fileable as it stands"
        )
    )
    match: MatchOut | None = None
    tax: TaxOut | None = None
    customs: CustomsOut | None
    inventory: InventoryWaitOut | None = Field(
        default=None,
        description="Orders, payments and waybills: whether an inventory naming it has been filed",
    )


class HistoryEntryOut(_Out):
    """One status a document went through."""

    from_: str | None = Field(alias="from")
    to: str
    customsStatus: str | None
    reason: str | None
    at: str


class ReceiptEntryOut(_Out):
    """One customs receipt record a document received, and what it did."""

    receiptId: int
    track: str = Field(description="document, or tax_bill for CEB816/818")
    messageType: str
    returnStatus: str
    returnTime: str | None
    returnInfo: str | None
    outcome: str = Field(description="applied, unchanged, stale, duplicate or unknown")
    stateAfter: str
    legal: bool
    recordedAt: str


class DocumentHistory(_Out):
    """Every status of a document, oldest first, and every customs receipt it received."""

    documentId: str
    history: list[HistoryEntryOut]
    receipts: list[ReceiptEntryOut]


class FilingOut(_Out):
    """A received message: its outcome, counts and the answer it was given."""

    id: str
    messageType: str | None
    direction: str | None
    guid: str | None
    contentFormat: str = Field(description="xml or json")
    size: int
    sha256: str
    recordCount: int
    acceptedCount: int
    outcome: str = Field(description="accepted, partial, rejected or format_error")
    receivedAt: str
    answer: dict[str, Any] = Field(description="The answer as given (JSON form)")


DocumentsPage = Page[DocumentSummary]

__all__ = [
    "CustomsOut",
    "DocumentHistory",
    "DocumentSummary",
    "DocumentView",
    "DocumentsPage",
    "FilingOut",
    "ReceiptEntryOut",
]
