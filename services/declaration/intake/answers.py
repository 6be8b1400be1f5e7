"""The answer to a filing, as JSON (default) or as the customs receipt XML (``Accept: application/xml``).

* Filed (some or all records accepted) → 200; JSON: per record ``accepted`` with the
  document id, status and the platform's pre-entry number, or its ``errors`` (code,
  message, pointer); XML: the receipt customs would send (CEB312 for CEB311 …), one
  receipt record per declaration record, ``returnStatus`` 2 or the negative code.
* Every record rejected → 422 ``declaration.rejected`` (problem+json carrying the same
  per-record answer), or the receipt XML with the same status.
* Not well-formed, hostile or undecodable → 400; schema-invalid (XSD, or JSON that does
  not map onto the message) → 422; both as problem+json listing each issue, or as a
  CEB900 format receipt naming the element.

**Dry run** (``?dryRun=true``): the same status and the same per-record verdicts, marked
so that no one can take it for a filing — JSON answers carry ``"dryRun": true`` and a
``filingId`` of null, and leave out ``documentId`` and ``preNo`` (nothing was created, no
number was given); every answer carries the ``DDT-Dry-Run: true`` header and no
``Location``; receipt XML keeps customs' format (an ERP parses it as it parses a real
one) but starts with an XML comment saying it was not filed, every record's
``returnInfo`` starts with :data:`DRY_RUN_INFO`, and accepted records carry the all-zero
preNo a rejected record gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.receipts import (
    Answer,
    RecordVerdict,
    rejection_status,
    render_format_receipt,
    render_receipt,
)
from services.declaration.intake.filed import Filed
from shared.problems import PROBLEM_MEDIA_TYPE, ProblemType, problem_body, problem_type

XML_MEDIA_TYPE = "application/xml"
DRY_RUN_HEADER = "DDT-Dry-Run"
#: Starts every receipt record's returnInfo of a dry run.
DRY_RUN_INFO = "[DRY RUN 试运行，未申报 not filed] "
_DRY_RUN_COMMENT = (
    b"<!-- DRY RUN (dryRun=true): every check ran, nothing was filed or stored; "
    b"file again without dryRun to declare. -->"
)

XML_REJECTED = problem_type(
    "declaration.xml_rejected",
    400,
    "Message is not acceptable XML",
    "Not well-formed, in a refused encoding, nested too deep, too large, carrying a DOCTYPE, "
    "or not a CEB message of the 202205 edition.",
)
JSON_REJECTED = problem_type("declaration.json_rejected", 400, "Body is not acceptable JSON")
SCHEMA_INVALID = problem_type(
    "declaration.schema_invalid",
    422,
    "Message does not conform to the CEB schema",
    "The message failed the official 202205 XSD (or, as JSON, does not map onto it); nothing was accepted.",
)
NOT_A_DECLARATION = problem_type(
    "declaration.not_a_declaration",
    422,
    "Not an enterprise declaration",
    "Receipts, tax bills and summary results come from customs; enterprises cannot file them.",
)
WRONG_MESSAGE_TYPE = problem_type(
    "declaration.wrong_message_type", 422, "Message type does not match the resource"
)
REJECTED = problem_type(
    "declaration.rejected",
    422,
    "Every record was rejected",
    "The message was valid but no record passed the business pre-checks; see each record's errors.",
)


def wants_xml(request: Request) -> bool:
    """True when the client prefers XML (``Accept: application/xml`` or ``text/xml``) to JSON."""
    best_xml = best_json = -1.0
    for part in request.headers.get("accept", "").split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media in {"application/xml", "text/xml"} or media.endswith("+xml"):
            best_xml = max(best_xml, quality)
        elif media in {"application/json", "application/problem+json", "*/*", "application/*"}:
            best_json = max(best_json, quality)
    return best_xml > 0 and best_xml > best_json


def verdict_json(verdict: RecordVerdict, filed: Filed) -> dict[str, Any]:
    """One record's answer."""
    data = verdict.to_dict()
    if not verdict.accepted:
        # The same refusal reads the same in both schemes: DDT codes name the rule, the
        # receipt's customs code is what customs (and an ERP that reads receipts) branches on.
        data["returnStatus"] = rejection_status(filed.answer.message_type, verdict.errors)
    result = filed.results.get(verdict.index)
    if result is not None:
        data.update(status=result.status, action=result.action)
        if not filed.dry_run:  # a dry run created no document and gave no number
            data["documentId"] = result.document_id
            if result.pre_no:
                data["preNo"] = result.pre_no
    return data


def answer_json(filed: Filed) -> dict[str, Any]:
    """The JSON answer (also what the filing keeps, sealed)."""
    answer = filed.answer
    marker = {"dryRun": True} if filed.dry_run else {}
    return {
        **marker,
        "filingId": None if filed.dry_run else filed.filing_id,
        "messageType": answer.message_type,
        "receiptType": answer.receipt_type,
        "guid": answer.guid,
        "accepted": answer.all_accepted,
        "acceptedCount": filed.accepted_count,
        "rejectedCount": len(answer.verdicts) - filed.accepted_count,
        "receivedAt": filed.received_at.isoformat(),
        "records": [verdict_json(verdict, filed) for verdict in answer.verdicts],
    }


def filed_response(filed: Filed, xml: bool) -> Response:
    """200 with the answer, or 422 when no record was accepted."""
    status = 200 if filed.accepted_count else 422
    headers = (
        {DRY_RUN_HEADER: "true"} if filed.dry_run else {"Location": f"/v1/customs/filings/{filed.filing_id}"}
    )
    if xml:
        return Response(receipt_xml(filed), status_code=status, media_type=XML_MEDIA_TYPE, headers=headers)
    body = answer_json(filed)
    if status == 200:
        return JSONResponse(body, status_code=200, headers=headers)
    errors = [
        {**issue.to_dict(), "detail": issue.message}
        for verdict in filed.answer.verdicts
        for issue in verdict.errors
    ]
    marker = {"dryRun": True} if filed.dry_run else {}
    problem = problem_body(
        REJECTED,
        f"All {len(filed.answer.verdicts)} record(s) were rejected.",
        errors=errors,
        answer=body,
        **marker,
    )
    return JSONResponse(problem, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def receipt_xml(filed: Filed) -> bytes:
    """The customs-style receipt message for the whole answer."""
    date = filed.received_at.astimezone(CUSTOMS_TZ)
    assigned = {
        verdict.index: {
            # Rejected records get no number; the all-zero serial keeps the receipt XSD-valid.
            "preNo": (
                result.pre_no
                if (result := filed.results.get(verdict.index)) and result.pre_no and not filed.dry_run
                else f"D{date:%Y%m%d}000000000"
            ),
        }
        for verdict in filed.answer.verdicts
    }
    if not filed.dry_run:
        return render_receipt(filed.answer, filed.message, filed.received_at, assigned).xml
    receipt = render_receipt(
        filed.answer, filed.message, filed.received_at, assigned, info_prefix=DRY_RUN_INFO
    ).xml
    return mark_dry_run_xml(receipt)


def mark_dry_run_xml(xml: bytes) -> bytes:
    """The receipt with a comment after its XML declaration saying it answers a dry run."""
    head, sep, rest = xml.partition(b"?>")
    if not sep or not head.lstrip().startswith(b"<?xml"):
        return _DRY_RUN_COMMENT + b"\n" + xml
    return head + sep + b"\n" + _DRY_RUN_COMMENT + rest


def format_failure_response(
    kind: ProblemType,
    issues: Sequence[Issue],
    *,
    xml: bool,
    original: bytes,
    now: dt.datetime,
    ori_cop_msg_id: str,
    message_type: str | None,
    filing_id: str | None,
    dry_run: bool = False,
) -> Response:
    """A whole-message refusal: problem+json listing each issue, or a CEB900 receipt."""
    headers = {"Location": f"/v1/customs/filings/{filing_id}"} if filing_id else {}
    marker: dict[str, Any] = {}
    if dry_run:
        headers, marker = {DRY_RUN_HEADER: "true"}, {"dryRun": True}
    if xml:
        receipt = render_format_receipt(original, issues, now, ori_cop_msg_id, message_type)
        if dry_run:
            receipt = mark_dry_run_xml(receipt)
        return Response(receipt, status_code=kind.status, media_type=XML_MEDIA_TYPE, headers=headers)
    errors = [{**issue.to_dict(), "detail": issue.message} for issue in issues]
    detail = (
        issues[0].message if len(issues) == 1 else f"{len(issues)} problems; the first: {issues[0].message}"
    )
    body = problem_body(kind, detail, errors=errors, messageType=message_type, filingId=filing_id, **marker)
    return JSONResponse(body, status_code=kind.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def answer_of(message_type: str, receipt_type: str, guid: str, verdicts: Sequence[RecordVerdict]) -> Answer:
    """An :class:`Answer` from verdicts (the service builds them per record)."""
    return Answer(message_type, receipt_type, guid, tuple(verdicts))
