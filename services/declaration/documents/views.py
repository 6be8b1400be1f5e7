"""Reading documents back: who may see what, masking, and regeneration as CEB XML.

* The filer sees its document in full; another party that a document names by one of
  its enterprise codes (the merchant of a platform's order, the carrier of a waybill
  named by an inventory …), regulators and administrators see it with every personal
  value masked. Anyone else gets 404 — not 403, which would confirm the document exists.
* The JSON record is the JSON codec's form with the message's BaseTransfer,
  BaseSubscribe and ExtendMessage, so a document taken in as XML reads back as the same
  JSON a JSON filer would have sent to its resource (and can be filed as it stands), and
  regenerates (filer only) as
  XSD-valid CEB XML: the record with the original message's guid, version,
  BaseTransfer, BaseSubscribe, ExtendMessage and ds:Signature. (A signature only
  verifies over the bytes it signed: the original message is kept verbatim, see
  ``/v1/customs/filings/{id}/original``.)
"""

from __future__ import annotations

from typing import Any

from services.declaration.ceb.catalogue import spec_for
from services.declaration.ceb.json_codec import message_from_json
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.context import DeclarationContext
from services.declaration.documents.lifecycle import canonical
from services.declaration.documents.models import Document, Filing
from services.declaration.documents.numbers import pre_no
from services.declaration.documents.records import record_json
from services.declaration.matching.models import InventoryMatch
from services.declaration.personal_data.fields import mask_record
from services.declaration.personal_data.vault import Sealed
from services.declaration.prechecks.ownership import CODE_FIELDS
from services.declaration.tax.models import TaxAssessmentRow
from services.declaration.tax.service import tax_bill
from shared.identity import Identity

FILER = "filer"
NAMED_PARTY = "named"


def access(identity: Identity, document: Document) -> str | None:
    """``filer``, ``named`` (masked view) or None (not visible)."""
    if document.party_id == identity.party_id:
        return FILER
    if identity.is_regulator or identity.is_admin:
        return NAMED_PARTY
    head = document.body.get("head", {})
    for name in CODE_FIELDS:
        code = head.get(name)
        if isinstance(code, str) and code and identity.owns_code(code, name):
            return NAMED_PARTY
    return None


def personal_fields(ctx: DeclarationContext, document: Document) -> dict[str, str]:
    """The document's personal fields, decrypted."""
    if document.pii_cipher is None or document.pii_key_id is None:
        return {}
    opened: dict[str, str] = ctx.vault.open_json(
        Sealed(document.pii_key_id, document.pii_cipher), document.id
    )
    return opened


def record_view(ctx: DeclarationContext, document: Document, full: bool) -> dict[str, Any]:
    """The record as JSON: complete for the filer, personal values masked otherwise."""
    spec = spec_for(document.message_type)
    assert spec is not None
    personal = personal_fields(ctx, document)
    order = [f.name for f in spec.head_fields]
    if full:
        return record_json(spec, document.body, personal)
    return record_json(spec, mask_record(document.body, personal, order), {})


#: The filing's blocks a JSON filer sends beside the record (guid and version are the message's own).
READ_BACK_BLOCKS = ("baseTransfer", "baseSubscribe", "extendMessage")


def read_back(record: dict[str, Any], filing: Filing | None) -> dict[str, Any]:
    """The record as a JSON filer sends it to a resource: head, lines and the message's blocks.

    ``baseTransfer`` is required by the XSD in every declaration, so a read-back without it
    could not be filed again. The signature is left out: it signed other bytes (the original
    is ``/filings/{id}/original``), and a JSON filing needs none when the platform signs.
    """
    envelope = (filing.envelope if filing is not None else None) or {}
    return {**record, **{key: envelope[key] for key in READ_BACK_BLOCKS if key in envelope}}


def document_view(
    ctx: DeclarationContext,
    document: Document,
    visibility: str,
    match: InventoryMatch | None = None,
    tax: TaxAssessmentRow | None = None,
    filing: Filing | None = None,
) -> dict[str, Any]:
    """The JSON view of a document; ``record`` is fileable as it stands (with ``filing``'s blocks)."""
    full = visibility == FILER
    view: dict[str, Any] = {
        "id": document.id,
        "kind": document.kind,
        "messageType": document.message_type,
        "direction": document.direction,
        "mode": document.mode,
        "status": document.status,
        "needsReview": document.needs_review,
        "businessNo": document.business_no,
        "preNo": pre_no(document.seq, document.accepted_at),
        "partyId": document.party_id,
        "filingId": document.filing_id if full else None,
        "recordIndex": document.record_index,
        "revision": document.revision,
        "acceptedAt": document.accepted_at.isoformat(),
        "updatedAt": document.updated_at.isoformat(),
        "currency": document.currency,
        "value": format(canonical(document.value), "f"),
        "valueCny": format(canonical(document.value_cny), "f"),
        "cnyRate": format(canonical(document.cny_rate, places=0), "f"),
        "country": document.country,
        "chapters": document.chapters,
        "masked": not full,
        "record": read_back(record_view(ctx, document, full), filing),
    }
    if match is not None:
        view["match"] = {
            **match.report,
            "orderId": match.order_id,
            "paymentId": match.payment_id,
            "waybillId": match.waybill_id,
            "matchedAt": match.matched_at.isoformat() if match.matched_at else None,
            "updatedAt": match.updated_at.isoformat(),
        }
    if tax is not None:
        bill = tax_bill(tax)
        head = document.body.get("head", {})
        # The identifying fields of CEB816 TaxHeadRd the inventory already names (customs adds taxNo, invtNo).
        bill["taxHeadRd"].update(
            {
                name: head[name]
                for name in ("orderNo", "assureCode", "ebcCode", "logisticsCode", "agentCode", "customsCode")
                if name in head
            }
        )
        view["tax"] = bill
    return view


def regenerate_xml(ctx: DeclarationContext, document: Document, filing: Filing) -> bytes:
    """The document as a one-record CEB message (XSD order), with the original message's blocks."""
    spec = spec_for(document.message_type)
    assert spec is not None
    envelope = dict(filing.envelope or {})
    envelope.pop("records", None)
    data = {
        **envelope,
        "messageType": document.message_type,
        "records": [record_json(spec, document.body, personal_fields(ctx, document))],
    }
    decoded = message_from_json(data)
    if decoded.message is None:
        raise ValueError(
            f"stored document {document.id} no longer maps onto {document.message_type}: {decoded.issues}"
        )
    return encode_xml(decoded.message)


def summary_view(document: Document) -> dict[str, Any]:
    """A list entry (no record content)."""
    return {
        "id": document.id,
        "kind": document.kind,
        "messageType": document.message_type,
        "direction": document.direction,
        "mode": document.mode,
        "status": document.status,
        "needsReview": document.needs_review,
        "businessNo": document.business_no,
        "preNo": pre_no(document.seq, document.accepted_at),
        "acceptedAt": document.accepted_at.isoformat(),
        "updatedAt": document.updated_at.isoformat(),
    }
