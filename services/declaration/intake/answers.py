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
        data.update(documentId=result.document_id, status=result.status, action=result.action)
        if result.pre_no:
            data["preNo"] = result.pre_no
    return data


def answer_json(filed: Filed) -> dict[str, Any]:
    """The JSON answer (also what the filing keeps, sealed)."""
    answer = filed.answer
    return {
        "filingId": filed.filing_id,
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
    headers = {"Location": f"/v1/customs/filings/{filed.filing_id}"}
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
    problem = problem_body(
        REJECTED, f"All {len(filed.answer.verdicts)} record(s) were rejected.", errors=errors, answer=body
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
                if (result := filed.results.get(verdict.index)) and result.pre_no
                else f"D{date:%Y%m%d}000000000"
            ),
        }
        for verdict in filed.answer.verdicts
    }
    return render_receipt(filed.answer, filed.message, filed.received_at, assigned).xml


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
) -> Response:
    """A whole-message refusal: problem+json listing each issue, or a CEB900 receipt."""
    headers = {"Location": f"/v1/customs/filings/{filing_id}"} if filing_id else {}
    if xml:
        receipt = render_format_receipt(original, issues, now, ori_cop_msg_id, message_type)
        return Response(receipt, status_code=kind.status, media_type=XML_MEDIA_TYPE, headers=headers)
    errors = [{**issue.to_dict(), "detail": issue.message} for issue in issues]
    detail = (
        issues[0].message if len(issues) == 1 else f"{len(issues)} problems; the first: {issues[0].message}"
    )
    body = problem_body(kind, detail, errors=errors, messageType=message_type, filingId=filing_id)
    return JSONResponse(body, status_code=kind.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def answer_of(message_type: str, receipt_type: str, guid: str, verdicts: Sequence[RecordVerdict]) -> Answer:
    """An :class:`Answer` from verdicts (the service builds them per record)."""
    return Answer(message_type, receipt_type, guid, tuple(verdicts))
