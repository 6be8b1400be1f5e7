"""Filing the track's customs milestones for carriers: CEB507 arrival, CEB509 departure, CEB513 signed-for.

The logistics service publishes ``CustomsMilestoneReached``; this module turns each into a
record (:mod:`.rules`) and, by the firm's choice in the gateway's registry
(``MilestoneFilingSet``, mirrored here):

* ``off`` — kept for the record, nothing filed (the firm files these itself);
* ``auto`` — filed at once **for the firm**, as a JSON filing with no enterprise
  signature, so the customs exchange signs it with the platform's signer. The firm is
  the filer: its code must be registered to it in the directory, or nothing is filed
  (``refused``);
* ``review`` — ``prepared``: the firm fetches the prepared message
  (:func:`prepared_message`, up to 100 records of one type), signs it with its own key
  and releases it (:func:`release`); the exchange forwards the firm's signed bytes, the
  platform's signer never touches it.

A milestone nobody can complete (customs requires a field the track does not know, e.g.
the site's domestic vehicle of a CEB507) is ``incomplete``, even under ``auto``: the firm
completes it in the prepared message and releases it. A retracted milestone not yet filed
is ``withdrawn``. Everything runs in the caller's unit of work (the consumer's inbox
transaction or the request's), so a milestone delivered twice is stored and filed once.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.json_codec import message_from_json
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.context import DeclarationContext
from services.declaration.customs.core.signing import verify_document
from services.declaration.directory.service import parties_of
from services.declaration.documents.kinds import document_type
from services.declaration.intake.filed import Filed, RawBody
from services.declaration.intake.parsing import parse_json, parse_xml
from services.declaration.intake.plans import Submission
from services.declaration.intake.service import file_in
from services.declaration.milestones import rules
from services.declaration.milestones.models import TrackMilestone
from services.declaration.milestones.repository import MilestoneRepository
from services.declaration.prechecks.rules import check_message
from shared.events.gateway import MilestoneFilingSet
from shared.events.logistics import CustomsMilestoneReached, CustomsMilestoneWithdrawn
from shared.identity import Identity, PartyCode
from shared.kit.pagination import PageRequest
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, ProblemError, problem_type

#: Statuses a firm may still release (and a retraction may still withdraw).
OPEN = ("prepared", "incomplete")

NOT_RELEASABLE = problem_type(
    "milestones.not_releasable",
    409,
    "Milestones not open for release",
    "Every record must be one of the caller's prepared (or incomplete) milestones, of one message type.",
)
SIGNATURE_REQUIRED = problem_type(
    "milestones.signature_required",
    422,
    "The firm's own signature is required",
    "Prepared milestone messages are released signed by the firm; the platform signs only what the "
    "firm set to auto.",
)
MESSAGE_INVALID = problem_type(
    "milestones.message_invalid",
    422,
    "Not a valid milestone message",
    "The released body must be a CEB507, CEB509 or CEB513 message valid against its XSD.",
)


async def remember_choice(session: AsyncSession, data: MilestoneFilingSet) -> None:
    """Mirror the firm's choice; an older event delivered late changes nothing."""
    repo = MilestoneRepository.from_session(session)
    current = await repo.choice_of(data.party_id)
    if current is not None and current.updated_at >= data.occurred_at:
        return
    await repo.store_choice(
        data.party_id, {str(k): str(v) for k, v in data.settings.items()}, data.occurred_at
    )


async def on_reached(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: DeclarationContext,
    data: CustomsMilestoneReached,
    now: dt.datetime,
) -> TrackMilestone | None:
    """Store the milestone and, by the firm's choice, prepare or file it (once per milestone id)."""
    repo = MilestoneRepository.from_session(session)
    existing = await repo.get(data.milestone_id)
    if existing is not None and existing.status != "withdrawn":
        return None  # the same milestone again: filed (or not) the first time
    if existing is not None:
        await repo.forget(data.milestone_id)  # reached again after a retraction: prepared afresh
    owners = await parties_of(session, [data.logistics_code])
    owner = owners.get(data.logistics_code)
    party_id = data.carrier_party_id or owner
    choice_row = await repo.choice_of(party_id) if party_id else None
    choice = rules.choice_for(choice_row.settings if choice_row else None, data.message_type)
    heads = await repo.waybill_heads(data.logistics_code, data.logistics_no)
    prepared = rules.prepare(_known(data, heads), rules.cop_no_for(data.milestone_id), _guid(), now)
    reasons: list[dict[str, Any]] = []
    if choice == "off":
        status = "off"
    elif owner is None or owner != party_id:
        status = "refused"
        reasons.append(
            {
                "code": "milestones.code_not_registered",
                "detail": f"logisticsCode {data.logistics_code} is not registered to party {party_id}",
            }
        )
    elif prepared.missing:
        status = "incomplete"
    else:
        status = "prepared"
    record = {"head": prepared.head, "lines": prepared.lines}
    values = {
        "milestone_id": data.milestone_id,
        "message_type": data.message_type,
        "party_id": party_id,
        "logistics_code": data.logistics_code,
        "logistics_no": data.logistics_no,
        "record_key": rules.record_key(data.message_type, prepared.head),
        "shipment_id": data.shipment_id,
        "occurred_at": data.occurred_at,
        "record": record,
        "missing": list(prepared.missing),
        "status": status,
        "reasons": reasons,
        "filing_id": None,
        "document_id": None,
        "signed_by": None,
        "created_at": now,
        "updated_at": now,
    }
    if not await repo.add(values):
        return None
    row = await repo.get(data.milestone_id)
    assert row is not None
    if choice == "auto" and status == "prepared" and party_id is not None:
        identity = _firm_identity(party_id, data.logistics_code)
        form = rules.message_form(
            data.message_type,
            [record],
            data.logistics_code,
            str(prepared.head.get("logisticsName", "")),
            ctx.settings.customs_dxp_sender_id,
        )
        raw = RawBody(json.dumps(form, ensure_ascii=False).encode(), "json", "application/json")
        # The intake's own JSON path: the same XSD as every filing (no signature: the platform signs).
        checked = parse_json(raw.data, data.message_type, ctx.xml_limits, platform_signs=True)
        if checked.message is None:
            row.status = "rejected"
            row.reasons = [
                {"code": issue.code, "detail": issue.message, "pointer": issue.pointer or ""}
                for issue in checked.issues[:20]
            ]
            return row
        await _file(session, publisher, ctx, identity, checked.message, raw, [row], "platform", now)
    return row


async def on_withdrawn(session: AsyncSession, data: CustomsMilestoneWithdrawn, now: dt.datetime) -> None:
    """A retracted milestone not yet filed is withdrawn; one already filed keeps its document and says so."""
    row = await MilestoneRepository.from_session(session).get(data.milestone_id)
    if row is None:
        return
    if row.status in (*OPEN, "off"):
        row.status = "withdrawn"
    row.reasons = [*row.reasons, {"code": "milestones.withdrawn", "detail": data.reason}]
    row.updated_at = now


async def page(
    session: AsyncSession,
    identity: Identity,
    request: PageRequest,
    *,
    status: str | None = None,
    message_type: str | None = None,
) -> tuple[list[TrackMilestone], str | None]:
    """The caller's milestones, newest first."""
    return await MilestoneRepository.from_session(session).page_of_party(
        identity.party_id, request, status=status, message_type=message_type
    )


async def one(session: AsyncSession, identity: Identity, milestone_id: str) -> TrackMilestone:
    """One of the caller's milestones (404 for anybody else's)."""
    row = await MilestoneRepository.from_session(session).get(milestone_id)
    if row is None or row.party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, "No such milestone.")
    return row


async def prepared_message(
    session: AsyncSession, ctx: DeclarationContext, identity: Identity, milestone_ids: Sequence[str]
) -> bytes:
    """The unsigned CEB XML of the caller's open milestones ``milestone_ids`` (one type, ≤ 100 records)."""
    rows = await MilestoneRepository.from_session(session).locked(milestone_ids)
    _check_open(rows, identity, milestone_ids)
    first = rows[0]
    head = first.record["head"]
    form = rules.message_form(
        first.message_type,
        [row.record for row in rows],
        first.logistics_code,
        str(head.get("logisticsName", "")),
        ctx.settings.customs_dxp_sender_id,
    )
    return encode_xml(_message_of(form), pretty=True)


async def release(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: DeclarationContext,
    identity: Identity,
    body: bytes,
    content_type: str,
    now: dt.datetime,
) -> tuple[Filed, list[TrackMilestone]]:
    """File the firm's signed message of its prepared milestones, as the firm (its signature to customs)."""
    parsed = parse_xml(body, ctx.xml_limits)
    if not parsed.ok or parsed.message is None:
        raise ProblemError(
            MESSAGE_INVALID,
            "The body is not a valid CEB message.",
            errors=[
                {"pointer": issue.pointer or "", "detail": issue.message} for issue in parsed.issues[:20]
            ],
        )
    message = parsed.message
    if message.message_type not in rules.MESSAGE_TYPES:
        raise ProblemError(MESSAGE_INVALID, f"{message.message_type} is not a milestone message.")
    if not 1 <= len(message.records) <= rules.MAX_RECORDS:
        raise ProblemError(MESSAGE_INVALID, f"A message carries 1 to {rules.MAX_RECORDS} records.")
    if message.signature is None or not verify_document(body).valid:
        raise ProblemError(
            SIGNATURE_REQUIRED, "Sign the prepared message with the firm's key before releasing it."
        )
    repo = MilestoneRepository.from_session(session)
    keys = [rules.record_key(message.message_type, record.head) for record in message.records]
    found = await repo.by_record_keys(message.message_type, keys)
    rows: list[TrackMilestone] = []
    errors: list[dict[str, str]] = []
    for index, (key, record) in enumerate(zip(keys, message.records, strict=True)):
        candidates = [
            row for row in found.get(key, []) if row.party_id == identity.party_id and row.status in OPEN
        ]
        if not candidates:
            errors.append(
                {"pointer": f"/records/{index}", "detail": f"{key} is none of your open milestones"}
            )
            continue
        row = candidates[0]
        if rules.waybills_of(record.head, record.lines) != [row.logistics_no]:
            errors.append(
                {"pointer": f"/records/{index}", "detail": f"the record must name waybill {row.logistics_no}"}
            )
            continue
        rows.append(row)
    if errors:
        raise ProblemError(NOT_RELEASABLE, f"{len(errors)} record(s) cannot be released.", errors=errors)
    raw = RawBody(body, "xml", content_type)
    filed = await _file(session, publisher, ctx, identity, message, raw, rows, "enterprise", now)
    return filed, rows


async def _file(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: DeclarationContext,
    identity: Identity,
    message: CebMessage,
    raw: RawBody,
    rows: Sequence[TrackMilestone],
    signed_by: str,
    now: dt.datetime,
) -> Filed:
    """File ``message`` (record i ↔ ``rows[i]``) through the intake's checks, and note each verdict."""
    doc_type = document_type(message.message_type)
    assert doc_type is not None
    rule_issues = check_message(
        message, ctx.rules_for(message, now.astimezone(CUSTOMS_TZ).date()), ctx.limits
    )
    filed = await file_in(
        session, publisher, Submission(ctx, identity, doc_type, message, raw, rule_issues, now)
    )
    for verdict in filed.answer.verdicts:
        row = rows[verdict.index]
        row.filing_id = filed.filing_id
        row.updated_at = now
        result = filed.results.get(verdict.index)
        if verdict.accepted and result is not None:
            row.status = "filed"
            row.document_id = result.document_id
            row.signed_by = signed_by
        else:
            row.status = "rejected"
            row.reasons = [
                *row.reasons,
                *(
                    {"code": issue.code, "detail": issue.message, "pointer": issue.pointer or ""}
                    for issue in verdict.errors
                ),
            ]
    return filed


def _check_open(rows: Sequence[TrackMilestone], identity: Identity, wanted: Sequence[str]) -> None:
    mine = {row.milestone_id: row for row in rows if row.party_id == identity.party_id}
    errors = [
        {"pointer": f"/ids/{index}", "detail": f"{milestone_id} is not one of your open milestones"}
        for index, milestone_id in enumerate(wanted)
        if milestone_id not in mine or mine[milestone_id].status not in OPEN
    ]
    types = {row.message_type for row in mine.values()}
    if not errors and len(types) > 1:
        errors.append({"pointer": "/ids", "detail": "one message carries one message type"})
    if not wanted or len(set(wanted)) > rules.MAX_RECORDS:
        errors.append({"pointer": "/ids", "detail": f"name 1 to {rules.MAX_RECORDS} milestones"})
    if errors:
        raise ProblemError(
            NOT_RELEASABLE, f"{len(errors)} milestone(s) cannot be prepared as one message.", errors=errors
        )


def _known(data: CustomsMilestoneReached, heads: dict[str, dict[str, Any]]) -> rules.Known:
    """The event's facts, completed from the waybill (its name) and the inventory (office, conveyance)."""
    waybill = heads.get("CEB505") or heads.get("CEB511") or {}
    inventory = heads.get("CEB603") or heads.get("CEB621") or {}
    site = data.site
    conveyance = data.conveyance

    def pick(*values: object) -> str | None:
        return next((str(value) for value in values if value not in (None, "")), None)

    return rules.Known(
        message_type=data.message_type,
        logistics_code=data.logistics_code,
        logistics_no=data.logistics_no,
        occurred_at=data.occurred_at,
        logistics_name=pick(waybill.get("logisticsName"), inventory.get("logisticsName")),
        customs_code=pick(site.customs_code if site else None, inventory.get("customsCode")),
        operator_code=pick(site.operator_code if site else None),
        operator_name=pick(site.operator_name if site else None),
        loct_no=pick(site.loct_no if site else None),
        traf_mode=pick(conveyance.traf_mode if conveyance else None, inventory.get("trafMode")),
        traf_name=pick(conveyance.traf_name if conveyance else None, inventory.get("trafName")),
        voyage_no=pick(conveyance.voyage_no if conveyance else None, inventory.get("voyageNo")),
        bill_no=pick(
            conveyance.bill_no if conveyance else None, inventory.get("billNo"), waybill.get("billNo")
        ),
        domestic_traf_no=pick(conveyance.domestic_traf_no if conveyance else None),
        total_package_no=pick(conveyance.total_package_no if conveyance else None),
    )


def _firm_identity(party_id: str, logistics_code: str) -> Identity:
    """The firm as filer: the directory holds its code, so the platform may file in its name."""
    return Identity(
        party_id=party_id,
        party_name=party_id,
        roles=["logistics_firm"],
        codes=[PartyCode(code=logistics_code, kinds=["logisticsCode", "copCode"])],
    )


def _message_of(form: dict[str, Any]) -> CebMessage:
    decoded = message_from_json({**form, "guid": _guid(), "version": "1.0"})
    if decoded.message is None:
        raise ValueError(
            f"a prepared milestone record does not map onto {form['messageType']}: {decoded.issues[:3]}"
        )
    return decoded.message


def _guid() -> str:
    return str(uuid.uuid4()).upper()


__all__ = ["on_reached", "on_withdrawn", "page", "prepared_message", "release", "remember_choice"]
