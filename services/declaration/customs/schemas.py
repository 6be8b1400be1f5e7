"""Request and response models of the customs exchange routes (the change feed, receipts, summaries)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.declaration.documents.schemas import CustomsOut, ReceiptEntryOut, SummaryLineOut
from shared.kit.pagination import Page


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class StatusChangeOut(_Out):
    """One status change of one of the caller's documents."""

    cursor: str = Field(description="Opaque: the feed continues after this change when passed as `cursor`")
    documentId: str
    kind: str = Field(examples=["inventory"])
    messageType: str = Field(examples=["CEB621"])
    direction: str = Field(examples=["import"])
    businessNo: str
    from_: str | None = Field(alias="from", examples=["sent_to_customs"])
    to: str = Field(examples=["released"])
    customsStatus: str | None = Field(description="The customs returnStatus that caused it", examples=["800"])
    reason: str | None
    at: str = Field(description="When it happened (customs' returnTime for receipts)")


class ChangesPage(Page[StatusChangeOut]):
    """The caller's status changes, oldest first. A feed: ``next_cursor`` is always given — pass it
    back to get the changes after this page (an empty page means none yet; poll again later)."""

    next_cursor: str | None = Field(
        default=None,
        description="Opaque; pass it back as `cursor` for the changes after this page (null only "
        "when the caller has no changes at all).",
    )


class DocumentCustoms(_Out):
    """The customs side of a document (null before it went to customs)."""

    documentId: str
    customs: CustomsOut | None


class DocumentReceipts(_Out):
    """Every customs receipt record a document received and what it did."""

    documentId: str
    receipts: list[ReceiptEntryOut]


class SummarySubmission(BaseModel):
    """A request for the month's 9610 summary applications (CEB701)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "month": "2026-10",
                    "summaryFlag": "1",
                    "itemNameFlag": "",
                    "declAgentCode": "3207960005",
                    "declAgentName": "连云港报关行",
                }
            ]
        },
    )

    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM, Beijing calendar")
    summary_flag: str = Field(default="1", alias="summaryFlag", pattern="^[12]$")
    item_name_flag: str = Field(default="", alias="itemNameFlag", pattern="^1?$")
    decl_agent_code: str = Field(alias="declAgentCode", min_length=1, max_length=18)
    decl_agent_name: str = Field(alias="declAgentName", min_length=1, max_length=100)


class _Deadline(_Out):
    month: str = Field(examples=["2026-10"])
    reminderFrom: str = Field(examples=["2026-11-10"])
    dueOn: str = Field(examples=["2026-11-15"])
    status: str = Field(description="not_yet, remind, overdue or done", examples=["remind"])


class MonthInventoryOut(_Out):
    """An export inventory of the month, the summary holding it and its CEB792 declaration lines."""

    documentId: str
    invtNo: str
    summaryId: str | None
    declarations: list[SummaryLineOut]


class SummaryStatus(_Deadline):
    """The caller's summarisable inventories of a month (a page of them), and the deadline."""

    items: list[MonthInventoryOut]
    next_cursor: str | None = Field(
        default=None,
        description="Opaque; pass it back as `cursor` for the next page. `null` on the last page.",
    )
    pending: int = Field(description="Inventories of the month not yet in a live summary (all pages)")


class ApplicationOut(_Out):
    """One summary application (a group) and its CEB701 message parts (≤ 100 inventories each)."""

    copNo: str
    customsCode: str
    agentCode: str
    ebcCode: str
    ownerCode: str | None
    summaryFlag: str
    itemNameFlag: str | None
    msgCount: int
    inventories: list[str]
    messages: list[dict[str, Any]] = Field(description="The CEB701 messages in the JSON message form")


class SummaryPreview(_Deadline):
    """The applications a submission would file; nothing is stored."""

    applications: list[ApplicationOut]


class FiledPartOut(_Out):
    """What filing one CEB701 message part did."""

    copNo: str | None
    msgSeqNo: int | None
    msgCount: int | None
    filingId: str | None = Field(description="null on a dry run (nothing was filed)")
    accepted: bool
    documentId: str | None = Field(description="The summary document; null when rejected or on a dry run")
    errors: list[dict[str, Any]]


class SummarySubmitted(SummaryPreview):
    """The applications and what filing each part did (422 when a part was rejected)."""

    filed: list[FiledPartOut]
    dryRun: bool | None = Field(
        default=None, description="true when it answers `?dryRun=true` (nothing was filed); absent otherwise"
    )


__all__ = [
    "ChangesPage",
    "DocumentCustoms",
    "DocumentReceipts",
    "StatusChangeOut",
    "SummaryPreview",
    "SummaryStatus",
    "SummarySubmission",
    "SummarySubmitted",
]
