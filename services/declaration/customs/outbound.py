"""Documents ready for customs → signed, enveloped CEB messages in the customs outbox.

**What is ready.** Every document the pre-check accepted: inventories once the
three-document match passed (``matched``); orders, payments, waybills and every other
declaration once accepted (``accepted``, or ``matched`` when an inventory matched them).
Cancellations, returns and summaries are checked again against the inventories they
name (:mod:`.references`): one that customs would refuse is refused here with the
customs code and never sent.

**One message per filing.** The ready records of one filing go together (≤ 100 per
message, as customs allows), in record order, so a 100-record filing costs one
signature, one envelope and one receipt batch.

**Content.** By default the platform regenerates the message from the stored records
(personal fields opened from the vault), with the filer's BaseTransfer, BaseSubscribe
and ExtendMessage, ``appType`` 1 (customs has not seen the document; an amendment made
before sending is still a first declaration to customs), signs it with the configured
signer (:mod:`.signers`) and checks it against the XSD. *Forwarding*: when the filer sent
XML carrying its own signature that verifies, every record of that filing was accepted
unchanged and all of them go together now, the original bytes are forwarded as they
are — customs then sees the declaring enterprise's own signature (``-625013`` checks
that the certificate is the declarant's). Anything else is signed by the platform.
Either way :func:`~.core.signing.ensure_signed` refuses to stage a message customs
requires signed (621/623/625/711/607 with appStatus 2) without a valid signature.

**Envelope.** ``DxpMsgSv`` (transport node, the default for a third-party platform) or
``DxpMsg``: CopMsgId is the outbox row's message id.

**Exactly once, in content.** Building and signing happen outside any transaction;
then one transaction moves the documents to ``sent`` *on condition that they are still
ready at the revision that was built* (an amendment that slipped in aborts the pass,
which is rebuilt next time), inserts their ``customs_documents`` rows and stores each
message's exact bytes in ``customs_outbox`` with history and events. The dispatcher only
ever sends those stored bytes; nothing rebuilds a message once it is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.catalogue import spec_for
from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.json_codec import message_from_json
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.schemas import validate
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.context import DeclarationContext
from services.declaration.customs import references
from services.declaration.customs.core.envelope import AddInfo, SvNo, TransInfo, msg_id, wrap_dxp, wrap_dxp_sv
from services.declaration.customs.core.lifecycle import DECLARATION_KIND, SENT
from services.declaration.customs.core.signing import (
    RemoteSignerError,
    UnsignedMessageError,
    XmlSigner,
    ensure_signed,
    verify_document,
)
from services.declaration.customs.repository import READY, OutboxRepository
from services.declaration.documents import lifecycle
from services.declaration.documents.models import Filing
from services.declaration.documents.records import record_json, typed_record
from services.declaration.personal_data.vault import Sealed
from services.declaration.settings import DeclarationSettings
from shared.messaging.outbox import EventPublisher

log = logging.getLogger("ddt.declaration.customs")

NOT_BUILT = "DDT-E09"  # the platform could not build a valid, signed message from the document
MAX_RECORDS = 100
REFUSED = "refused"


class StaleBatch(RuntimeError):
    """A document changed after its message was built; the pass is rebuilt."""


def customs_key(message_type: str, head: dict[str, Any]) -> str:
    """How customs' receipts name a document: the type and its catalogue key fields.

    Receipts carry the same key fields as the declaration they answer (CEB622 and
    CEB621 both: copNo, agentCode), so ``CEB621|<copNo>|<agentCode>`` finds the inventory;
    parts of a split message add ``#<msgSeqNo>``.
    """
    spec = spec_for(message_type)
    assert spec is not None
    key = "|".join([message_type, *(str(head.get(name, "") or "") for name in spec.key_fields)])
    if "msgCount" in head and head.get("msgSeqNo") not in (None, ""):
        # Split messages (CEB701/507/509/607) share copNo; their receipts carry msgSeqNo.
        key += f"#{head['msgSeqNo']}"
    return key[:255]


@dataclass
class OutboundPlan:
    """One message to build: the documents it carries (same filing and type, ≤ 100)."""

    filing: Filing
    message_type: str
    documents: list[Any]
    targets: dict[str, str] = field(default_factory=dict)
    """document id → the inventory it refers to (cancellations, returns)."""
    summarised: dict[str, str] = field(default_factory=dict)
    """inventory id → the summary document naming it (summaries)."""


@dataclass(frozen=True)
class BuiltMessage:
    """A message ready for the outbox."""

    plan: OutboundPlan
    message_id: str
    payload: bytes
    business_sha256: str
    envelope: str
    signed_by: str
    signature_method: str | None


@dataclass
class Refusal:
    """A document the exchange will not send: customs would refuse it."""

    document: Any
    issues: list[Issue]


@dataclass
class StagePass:
    """What one staging pass found."""

    plans: list[OutboundPlan] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


async def ready_documents(session: AsyncSession, limit: int) -> list[Any]:
    """Documents ready for customs, oldest first (status index)."""
    return await OutboxRepository.from_session(session).ready_documents(limit)


async def plan_pass(
    session: AsyncSession, ctx: DeclarationContext, documents: Sequence[Any], now: dt.datetime
) -> StagePass:
    """Group ready documents into messages; refuse references customs would refuse."""
    result = StagePass()
    referring = [doc for doc in documents if doc.message_type in references.REFERRING]
    targets: dict[str, str] = {}
    summarised: dict[str, str] = {}
    refused: set[str] = set()
    if referring:
        records = {doc.id: typed_record(spec_for(doc.message_type), doc.body) for doc in referring}  # type: ignore[arg-type]
        numbers = [n for doc in referring for n in references.invt_nos_of(doc.message_type, records[doc.id])]
        known = await references.known_inventories(session, numbers)
        ids = [k.customs.document_id for k in known.values()]
        returned = await references.returned_quantities(session, ids)
        elsewhere = await references.summarised_elsewhere(session, ids)
        for doc in referring:
            record = records[doc.id]
            found = references.invt_nos_of(doc.message_type, record)
            target = known.get(found[0]) if found else None
            before = returned.setdefault(target.customs.document_id, defaultdict(Decimal)) if target else None
            issues = references.check_reference(
                doc.message_type,
                0,
                record,
                known,
                now,
                ctx.settings.customs_return_window_days,
                returned_before=before,
                summarised_elsewhere=elsewhere,
            )
            if issues:
                result.refusals.append(Refusal(doc, issues))
                refused.add(doc.id)
                continue
            if doc.message_type == "CEB701":
                for number in found:
                    if number in known:
                        inventory_id = known[number].customs.document_id
                        summarised[inventory_id] = doc.id
                        elsewhere[inventory_id] = doc.id  # a second summary in this pass sees it
            elif target is not None:
                targets[doc.id] = target.customs.document_id
                if before is not None:
                    references.add_returned(before, doc.body.get("lines", []))
    filings = await OutboxRepository.from_session(session).filings(
        doc.filing_id for doc in documents if doc.id not in refused
    )
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for doc in documents:
        if doc.id not in refused:
            groups[(doc.filing_id, doc.message_type)].append(doc)
    for (filing_id, message_type), members in groups.items():
        members.sort(key=lambda d: d.record_index)
        for start in range(0, len(members), MAX_RECORDS):
            chunk = members[start : start + MAX_RECORDS]
            plan = OutboundPlan(filings[filing_id], message_type, chunk)
            plan.targets = {d.id: targets[d.id] for d in chunk if d.id in targets}
            plan.summarised = {inv: s for inv, s in summarised.items() if s in {d.id for d in chunk}}
            result.plans.append(plan)
    return result


class MessageBuilder:
    """Builds the exact bytes of outbound messages: content, signature, XSD check, envelope."""

    def __init__(self, ctx: DeclarationContext, signer: XmlSigner) -> None:
        self.ctx = ctx
        self.signer = signer
        self.settings: DeclarationSettings = ctx.settings

    async def build(self, plan: OutboundPlan, now: dt.datetime) -> BuiltMessage:
        """The message for ``plan``, ready to be stored in the outbox."""
        business = self._forwardable(plan)
        signed_by = "enterprise"
        if business is None:
            business = await self._signed(self._regenerated(plan))
            signed_by = "platform"
        ensure_signed(business)  # before the XSD: the import XSD would refuse it too, less precisely
        self._check_schema(plan.message_type, business)
        signature_method = _signature_method(business)
        if signature_method is None:
            signed_by = "none"
        message_id = str(uuid.uuid4()).upper()
        payload = self._wrap(plan, business, message_id, now)
        return BuiltMessage(
            plan,
            message_id,
            payload,
            hashlib.sha256(business).hexdigest(),
            self.settings.customs_envelope,
            signed_by,
            signature_method,
        )

    def _forwardable(self, plan: OutboundPlan) -> bytes | None:
        """The filer's original bytes, when they can go to customs as they are."""
        filing = plan.filing
        if (
            not self.settings.customs_forward_enterprise_signatures
            or filing.content_format != "xml"
            or not (filing.envelope or {}).get("signature")
            or filing.accepted_count != filing.record_count
            or len(plan.documents) != filing.record_count
            or any(doc.revision != 1 or doc.app_type != "1" for doc in plan.documents)
        ):
            return None
        raw = self.ctx.vault.open(Sealed(filing.raw_key_id, filing.raw_cipher), filing.id)
        if not verify_document(raw).valid:
            return None
        return raw

    def _regenerated(self, plan: OutboundPlan) -> bytes:
        """The documents as one CEB message, unsigned, in XSD order."""
        spec = spec_for(plan.message_type)
        assert spec is not None
        envelope = dict(plan.filing.envelope or {})
        for name in ("records", "signature", "guid", "messageType", "version"):
            envelope.pop(name, None)
        records = []
        for doc in plan.documents:
            personal = {}
            if doc.pii_cipher is not None and doc.pii_key_id is not None:
                personal = self.ctx.vault.open_json(Sealed(doc.pii_key_id, doc.pii_cipher), doc.id)
            data = record_json(spec, doc.body, personal)
            # Customs has not seen the document: whatever its history with us, it is new there.
            data["head"]["appType"] = "1"
            records.append(data)
        # The transport blocks through the JSON codec; the records as stored: their values are
        # already the exact XML texts (json_value), so typing them only to print them again is
        # skipped. Unknown fields are still refused by the encoder, and the XSD checks the result.
        decoded = message_from_json(
            {
                **envelope,
                "messageType": plan.message_type,
                "guid": str(uuid.uuid4()).upper(),
                "version": "1.0",
                "records": [],
            }
        )
        if decoded.message is None:
            raise ValueError(f"stored envelope no longer maps onto {plan.message_type}: {decoded.issues[:3]}")
        message: CebMessage = decoded.message
        message.records = [Record(data["head"], data.get("lines", [])) for data in records]
        return encode_xml(message, pretty=False)

    async def _signed(self, business: bytes) -> bytes:
        return await self.signer.sign(business)

    def _check_schema(self, message_type: str, business: bytes) -> None:
        spec = spec_for(message_type)
        assert spec is not None
        root = etree.fromstring(
            business, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
        issues = validate(root, spec.edition)
        if issues:
            raise ValueError(f"{message_type} to customs is not XSD-valid: {issues[0].message}")

    def _wrap(self, plan: OutboundPlan, business: bytes, message_id: str, now: dt.datetime) -> bytes:
        settings = self.settings
        direction = plan.filing.direction or "import"
        receiver = (
            settings.customs_dxp_receiver_export
            if direction == "export"
            else settings.customs_dxp_receiver_import
        )
        trans = TransInfo(
            message_id, settings.customs_dxp_sender_id, (receiver,), now, f"{plan.message_type}Message"
        )
        add = AddInfo(file_name=f"{plan.message_type}Message_{message_id}.xml")
        if settings.customs_envelope == "DxpMsg":
            return wrap_dxp(business, trans, add)
        sequence = uuid.UUID(message_id).int % 10**10
        sv_no = SvNo(
            msg_id(settings.customs_dxp_node_id, now, sequence),
            now,
            end_node=settings.customs_dxp_end_node,
            sta_node=settings.customs_dxp_node_id,
        )
        return wrap_dxp_sv(business, trans, sv_no, add)


def _signature_method(business: bytes) -> str | None:
    root = etree.fromstring(
        business, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    )
    method = root.find(
        "{http://www.w3.org/2000/09/xmldsig#}Signature/"
        "{http://www.w3.org/2000/09/xmldsig#}SignedInfo/"
        "{http://www.w3.org/2000/09/xmldsig#}SignatureMethod"
    )
    return method.get("Algorithm") if method is not None else None


async def commit_pass(
    session: AsyncSession,
    ctx: DeclarationContext,
    publisher: EventPublisher,
    built: Sequence[BuiltMessage],
    refusals: Sequence[Refusal],
    now: dt.datetime,
) -> None:
    """Store the built messages and move their documents to ``sent`` (one transaction).

    Raises :class:`StaleBatch` when a document is no longer ready at the revision built.
    """
    outbox = OutboxRepository.from_session(session)
    documents = [doc for message in built for doc in message.plan.documents]
    if documents:
        got = await outbox.claim([doc.id for doc in documents], SENT, now)
        expected = {doc.id: doc.revision for doc in documents}
        if got != expected:
            raise StaleBatch(f"{len(set(expected.items()) ^ set(got.items()))} documents changed while built")
    transitions: list[lifecycle.Transition] = []
    for message in built:
        sealed = ctx.vault.seal(message.payload, message.message_id)
        outbound_id = await outbox.add_message(
            {
                "message_id": message.message_id,
                "message_type": message.plan.message_type,
                "direction": message.plan.filing.direction or "import",
                "party_id": message.plan.filing.party_id,
                "document_ids": [doc.id for doc in message.plan.documents],
                "envelope": message.envelope,
                "signed_by": message.signed_by,
                "signature_method": message.signature_method,
                "payload_key_id": sealed.key_id,
                "payload_cipher": sealed.blob,
                "payload_sha256": hashlib.sha256(message.payload).hexdigest(),
                "payload_size": len(message.payload),
                "business_sha256": message.business_sha256,
                "status": "pending",
                "created_at": now,
                "attempts": 0,
            }
        )
        await outbox.add_customs_documents(
            [_customs_row(doc, message, outbound_id, now) for doc in message.plan.documents]
        )
        for inventory_id, summary_id in message.plan.summarised.items():
            await outbox.set_summary(inventory_id, summary_id, now)
        transitions += [
            lifecycle.Transition(
                lifecycle.columns_of(doc),
                doc.status,
                SENT,
                f"in the customs outbox ({message.plan.message_type}, {len(message.plan.documents)} records, "
                f"signed by {message.signed_by})",
            )
            for doc in message.plan.documents
        ]
    if refusals:
        await outbox.claim([refusal.document.id for refusal in refusals], REFUSED, now)
        transitions += [
            lifecycle.Transition(
                lifecycle.columns_of(refusal.document),
                refusal.document.status,
                "refused",
                "not sent, customs would refuse it: "
                + "; ".join(f"{issue.code} {issue.message}" for issue in refusal.issues)[:900],
                customs_status=refusal.issues[0].code[:10],
            )
            for refusal in refusals
        ]
    await lifecycle.record(session, publisher, transitions, now)


def _customs_row(doc: Any, message: BuiltMessage, outbound_id: int, now: dt.datetime) -> dict[str, Any]:
    head = doc.body.get("head", {})
    return {
        "document_id": doc.id,
        "customs_key": customs_key(doc.message_type, head),
        "message_type": doc.message_type,
        "kind": DECLARATION_KIND[doc.message_type].value,
        "direction": doc.direction,
        "party_id": doc.party_id,
        "state_code": SENT,
        "state_since": now,
        "attempt": 1,
        "attempt_started": now,
        "outbound_id": outbound_id,
        "target_id": message.plan.targets.get(doc.id),
        "legal": True,
        "sent_at": now,
        "updated_at": now,
    }


async def stage_ready(
    db_transaction: Any,
    ctx: DeclarationContext,
    publisher: EventPublisher,
    builder: MessageBuilder,
    limit: int,
    now: dt.datetime,
) -> tuple[int, int]:
    """One staging pass: read, build outside a transaction, commit. Returns (messages, documents)."""
    async with db_transaction() as session:
        documents = await ready_documents(session, limit)
        if not documents:
            return 0, 0
        found = await plan_pass(session, ctx, documents, now)
    built = []
    for plan in found.plans:
        try:
            built.append(await builder.build(plan, now))
        except (RemoteSignerError, OSError):
            raise  # the signer is away: nothing is wrong with the documents, try the pass again later
        except (ValueError, UnsignedMessageError) as exc:
            # What the documents themselves cause (a stored record that no longer maps, XML the
            # XSD refuses, a signature that does not verify) must not hold back the others nor be
            # retried forever: they are refused with the reason (ids only in the log, no content).
            # Any other error is ours: it fails the pass and the documents wait for the fix.
            log.exception(
                "customs message could not be built",
                extra={"message_type": plan.message_type, "documents": [d.id for d in plan.documents]},
            )
            issue = Issue(
                NOT_BUILT, f"the platform could not build the customs message: {type(exc).__name__}"
            )
            found.refusals += [Refusal(doc, [issue]) for doc in plan.documents]
    if not built and not found.refusals:
        return 0, 0
    async with db_transaction() as session:
        await commit_pass(session, ctx, publisher, built, found.refusals, now)
    return len(built), sum(len(m.plan.documents) for m in built)


def local_date(moment: dt.datetime) -> dt.date:
    """The Beijing calendar date of a moment."""
    return moment.astimezone(CUSTOMS_TZ).date()


__all__ = [
    "READY",
    "BuiltMessage",
    "MessageBuilder",
    "OutboundPlan",
    "StaleBatch",
    "commit_pass",
    "customs_key",
    "plan_pass",
    "ready_documents",
    "stage_ready",
]
