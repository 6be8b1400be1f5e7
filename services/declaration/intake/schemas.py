"""The answer to a filing, as the OpenAPI documents it — and the request bodies it takes.

A filing is CEB XML (``application/xml``) or its JSON message form (``application/json``);
the 200 answer is JSON (:class:`FilingAnswer`) or, with ``Accept: application/xml``, the
receipt customs would send (CEB312 for CEB311 …). Examples: :mod:`.examples`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from services.declaration.documents.kinds import DocumentType
from services.declaration.intake.examples import (
    CEB311_ANSWER,
    CEB312_RECEIPT,
    answer_example,
    example_types,
    json_example,
    xml_example,
)
from shared.kit.responses import problems

#: ``?dryRun=true`` on every filing route (camelCase, as the API's other parameters).
DryRun = Annotated[
    bool,
    Query(
        alias="dryRun",
        description=(
            "Validate without filing: every check a filing runs (XSD or JSON mapping, business rules, "
            "code ownership and delegation, duplicates, references, the three-document match, tax and "
            "the buyer's annual quota against what real filings used), then nothing is kept — no "
            "filing, document, history, event, quota or customs exchange. The answer is the one the "
            'filing would get now, marked: `"dryRun": true` and `filingId` null in JSON (no '
            "`documentId`, no `preNo`), the header `DDT-Dry-Run: true`, and as receipt XML a leading "
            "comment and `returnInfo` starting `[DRY RUN 试运行，未申报 not filed]`. Use a fresh "
            "Idempotency-Key for it (the gateway fingerprints the query, so reusing the real "
            "filing's key is refused as another payload)."
        ),
    ),
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueOut(_Out):
    """One problem of a record, located by JSON pointer (and line/element for XML problems)."""

    code: str = Field(description="The customs code where customs has one, else DDT-…", examples=["-301010"])
    message: str
    pointer: str | None = Field(default=None, examples=["/records/0/head/orderNo"])
    line: int | None = None
    element: str | None = None
    severity: str = Field(description="error (rejects the record) or review", examples=["error"])


class RecordAnswer(_Out):
    """The verdict on one record: accepted (with its document) or its errors."""

    index: int
    accepted: bool
    keys: dict[str, str] = Field(description="The record's key fields, as customs' receipt names them")
    errors: list[IssueOut]
    review: list[IssueOut] = Field(description="Accepted, but flagged for a person to look at")
    documentId: str | None = Field(default=None, description="The accepted document (absent on a dry run)")
    status: str | None = Field(default=None, description="The document's status after the filing")
    action: str | None = Field(default=None, description="created, amended or deleted")
    preNo: str | None = Field(default=None, description="The platform's pre-entry number (new documents)")
    returnStatus: str | None = Field(
        default=None,
        description="A rejected record's customs code, as the XML receipt's returnStatus carries it: its "
        "first error's code where customs has one, else the message's rejection code (CEB312: -301008)",
        examples=["-301008"],
    )


class FilingAnswer(_Out):
    """The answer to a filing: a verdict per record, like customs' receipt."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CEB311_ANSWER]})

    dryRun: bool | None = Field(
        default=None, description="true when it answers `?dryRun=true` (nothing was filed); absent otherwise"
    )
    filingId: str | None = Field(
        description="`/v1/customs/filings/{filingId}` keeps the message and this answer (null on a dry run)"
    )
    messageType: str
    receiptType: str = Field(description="The receipt customs answers this type with", examples=["CEB312"])
    guid: str
    accepted: bool = Field(description="True when every record was accepted")
    acceptedCount: int
    rejectedCount: int
    receivedAt: str
    records: list[RecordAnswer]


class CodeOut(_Out):
    """One code of docs/declaration-codes.md (:mod:`services.declaration.ceb.code_catalogue`)."""

    code: str = Field(examples=["-621005"])
    scheme: str = Field(description="customs (interface spec §7) or platform (DDT-…)", examples=["customs"])
    family: str = Field(description="The kind of check that produces it", examples=["limits and tax"])
    messageTypes: list[str] = Field(
        description="The declaration types it applies to; empty: every type carrying the fields it names",
        examples=[["CEB621"]],
    )
    officialText: str | None = Field(
        description="Customs codes: the spec's Chinese text, verbatim ([*] is its placeholder)",
        examples=["清单[*]的购买金额超过单笔限额[[*]]"],
    )
    meaning: str
    action: str = Field(description="What the filer should do about it")
    reserved: bool = Field(description="Defined but not emitted by any check yet")


class CodeCatalogueOut(_Out):
    """Every code an answer, a receipt or a document's history can carry, by family."""

    codes: list[CodeOut]


#: Request body of the intake routes: CEB XML or the JSON message form.
_XML_BODY = {"type": "string", "description": "a CEBnnnMessage of the 202205 edition"}
_JSON_BODY = {
    "type": "object",
    "description": (
        "The JSON codec form of the message: element names unchanged, decimals as strings, ints as "
        "numbers. The message form (`records`), or on a resource a bare record (`head`, `lines` and "
        "the blocks beside them). Field-by-field: the XSD (docs/declaration.md, Formats)."
    ),
    "properties": {
        "messageType": {"type": "string", "description": "CEBnnn; defaults to the resource's"},
        "guid": {
            "type": "string",
            "description": "the message guid (36, upper-case); defaults to a fresh one",
        },
        "version": {"type": "string", "description": "defaults to 1.0"},
        "records": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "object",
                "properties": {
                    "head": {"type": "object"},
                    "lines": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["head"],
            },
        },
        "head": {"type": "object", "description": "a bare record's head (instead of records)"},
        "lines": {"type": "array", "items": {"type": "object"}, "description": "a bare record's lines"},
        "baseTransfer": {
            "type": "object",
            "description": "required: copCode, copName, dxpMode, dxpId of the sender",
        },
        "baseSubscribe": {"type": "array", "items": {"type": "object"}},
        "extendMessage": {"type": "object"},
        "signature": {"type": "string", "description": "ds:Signature as XML text (optional in JSON)"},
    },
    "required": ["baseTransfer"],
}


def request_body(doc_type: DocumentType | None) -> dict[str, Any]:
    """``openapi_extra`` of an intake route: both formats, worked examples (all types on ``/messages``)."""
    xml: dict[str, Any] = {"schema": _XML_BODY}
    json: dict[str, Any] = {"schema": _JSON_BODY}
    if doc_type is not None:
        xml["example"] = xml_example(doc_type.message_type)
        json["example"] = json_example(doc_type.message_type)
    else:
        xml["examples"] = {t: {"summary": t, "value": xml_example(t)} for t in example_types()}
        json["examples"] = {t: {"summary": t, "value": json_example(t)} for t in example_types()}
    return {"requestBody": {"content": {"application/xml": xml, "application/json": json}, "required": True}}


def responses(doc_type: DocumentType | None) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of an intake route: the JSON answer, the receipt XML, and every refusal."""
    receipt: dict[str, Any] = {
        "schema": {"type": "string", "description": "the customs receipt (CEB312 for CEB311 …)"}
    }
    content: dict[str, Any] = {"application/xml": receipt}
    if doc_type is not None:
        if doc_type.message_type == "CEB311":
            receipt["example"] = CEB312_RECEIPT
        content["application/json"] = {"example": answer_example(doc_type.message_type)}
    refusals = problems(400, 401, 403, 413, 415, 422, 503)
    refusals[400]["description"] = "Not well-formed, hostile or undecodable (problem+json, or CEB900 as XML)"
    refusals[403]["description"] = "An enterprise code in the message is not registered to the caller"
    refusals[422]["description"] = (
        "Schema-invalid (CEB900 as XML), not a declaration, of another type than the resource's, "
        "or every record rejected (`declaration.rejected`, carrying the per-record `answer`)"
    )
    refusals[503]["description"] = "More filings than the service takes at once; retry after `Retry-After`"
    return {
        200: {
            "description": "Filed: an answer per record (some may be rejected, each with its reasons)",
            "content": content,
        },
        **refusals,
    }


__all__ = ["DryRun", "FilingAnswer", "IssueOut", "RecordAnswer", "request_body", "responses"]
