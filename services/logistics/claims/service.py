"""Claim use cases: submit (within the window, with the offer the rules file gives), the
carrier's answers (review, ask for documents, decide, pay), the claimant's withdrawal and
closing, evidence files, claim-window reminders and the regulator's figures.

**Parties.** The claimant is the shipment's enterprise (or a platform acting for it); the
carrier is the reporting carrier of the claimed leg (its code on the leg), which answers
through the API. Regulators read every claim; nobody else sees one (404). A claim for a
shipment that is not the caller's is a 403 (shipment ids are unguessable UUIDs, so this
tells nothing a caller could probe for).

**Windows.** Per mode and kind from the rules file, from the claimed leg's delivery (or the
shipment's) or its dispatch (the leg's start, else the shipment's creation), in Beijing
calendar days. Outside the window a claim is refused with the window's dates and basis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.calendar import BUSINESS_TZ, business_day
from services.logistics.claims import rules
from services.logistics.claims.models import Claim, ClaimEvidence, ClaimReminder
from services.logistics.claims.problems import (
    CLAIM_NOT_YET_OPEN,
    CLAIM_REFERENCE_TAKEN,
    CLAIM_STATE,
    CLAIM_TERMS,
    CLAIM_WINDOW_CLOSED,
    EVIDENCE_MISMATCH,
    NOT_THE_CLAIMANT,
    NOT_THE_CLAIMS_CARRIER,
)
from services.logistics.claims.repository import ClaimRepository
from services.logistics.claims.rules import Actor, SdrRates, Status, Terms, TermsError
from services.logistics.claims.schemas import ClaimIn, DecisionIn, DocumentsIn, PaymentIn
from services.logistics.context import LogisticsContext
from services.logistics.identifiers import fingerprint, new_id
from services.logistics.products.rules import may_act_for
from services.logistics.shipments.models import Leg, Shipment
from services.logistics.shipments.repository import ShipmentRepository
from services.logistics.shipments.rules import Viewer, owns
from shared.currencies import UnknownCurrency, display, to_customs, to_iso
from shared.events.warehousing import ClaimAnswered, ClaimChanged, ClaimWindowClosing
from shared.fx import UnknownRate
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import (
    BODY_TOO_LARGE,
    NOT_FOUND,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_FAILED,
    ProblemError,
)

_FEN = Decimal("0.01")
MERCHANT_ROLES = frozenset({"ecommerce_enterprise", "ecommerce_platform"})
#: The evidence types taken, and the first bytes each must start with.
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}
#: Exceptions on the track that may call for a claim (reminders).
REMINDED_KINDS = ("lost", "damaged")


@dataclass(frozen=True)
class ClaimTerms:
    """The rules file, the SDR rates and the reminder lead the service runs with."""

    terms: Terms
    sdr: SdrRates
    reminder_days: int


def _not_found(claim_id: str) -> ProblemError:
    return ProblemError(NOT_FOUND, f"No claim {claim_id}.")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(_FEN, rounding=ROUND_HALF_UP)


async def _stage(session: AsyncSession, publisher: EventPublisher, claim: Claim, *, answered: bool) -> None:
    paid = Decimal(claim.paid_fen).scaleb(-2) if claim.paid_fen is not None else None
    await publisher.stage(
        session,
        ClaimChanged(
            claimant_party_id=claim.claimant_party_id,
            claim_id=claim.id,
            reference=claim.reference,
            shipment_id=claim.shipment_id,
            leg_id=claim.leg_id,
            carrier_code=claim.carrier_code,
            mode=claim.mode,
            kind=claim.kind,  # type: ignore[arg-type]  # the column holds Kind values
            status=claim.status,  # type: ignore[arg-type]
            claimed_cny=claim.claimed_cny,
            offer_cny=claim.offer_cny,
            approved_cny=claim.approved_cny,
            paid_cny=paid,
            payout_seconds=claim.payout_seconds,
            submitted_at=claim.submitted_at,
            decided_at=claim.decided_at,
            paid_at=claim.paid_at,
            revision=claim.revision,
            occurred_at=claim.updated_at,
        ),
        subject=claim.id,
    )
    if answered:
        await publisher.stage(
            session,
            ClaimAnswered(
                party_id=claim.claimant_party_id,
                claim_id=claim.id,
                reference=claim.reference,
                shipment_id=claim.shipment_id,
                status=claim.status,  # type: ignore[arg-type]
                offer_cny=claim.offer_cny,
                approved_cny=claim.approved_cny,
                documents_requested=claim.status == Status.WAITING_ON_DOCUMENTS,
                occurred_at=claim.updated_at,
            ),
            subject=claim.id,
        )


def claim_leg(legs: Sequence[Leg], leg_id: str | None) -> Leg | None:
    """The leg named, or by default the linehaul leg (else the last leg)."""
    if leg_id is not None:
        return next((leg for leg in legs if leg.id == leg_id), None)
    linehaul = [leg for leg in legs if leg.role == "linehaul"]
    if linehaul:
        return linehaul[0]
    return legs[-1] if legs else None


def window_start(rule: rules.WindowRule, shipment: Shipment, leg: Leg) -> dt.date | None:
    """The Beijing day a window starts from, or None if that event has not happened."""
    if rule.start == "delivery":
        at = leg.delivered_at or shipment.delivered_at
    else:
        at = leg.started_at or shipment.started_at or shipment.created_at
    return business_day(at) if at is not None else None


def _to_cny(ctx: LogisticsContext, amount: Decimal | None, currency: str, on: dt.date) -> Decimal | None:
    if amount is None:
        return None
    rate, _month = ctx.rates.rate(to_customs(currency), on)
    return _fen(amount * rate)


async def submit(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    terms: ClaimTerms,
    identity: Identity,
    data: ClaimIn,
    now: dt.datetime,
) -> tuple[Claim, bool]:
    """Submit a claim for the caller's shipment; (claim, created).

    The same reference with the same content is the stored claim; with other content a 409.
    """
    if not identity.has_role(*MERCHANT_ROLES):
        raise ProblemError(NOT_THE_CLAIMANT, "Only the shipment's enterprise or its platform may claim.")
    claimant = data.claimant_party_id or identity.party_id
    if not may_act_for(identity, claimant):
        raise ProblemError(
            NOT_THE_CLAIMANT,
            f"{identity.party_id} may not claim for {claimant}.",
            errors=[
                {"pointer": "/body/claimant_party_id", "detail": "not the caller nor a party it acts for"}
            ],
        )
    repo = ClaimRepository.from_session(session)
    digest = fingerprint(data.model_dump(mode="json", exclude={"claimant_party_id"}))
    existing = await repo.by_reference(claimant, data.reference)
    if existing is not None:
        if existing.fingerprint != digest:
            raise ProblemError(
                CLAIM_REFERENCE_TAKEN,
                f"Reference {data.reference!r} already names claim {existing.id} with other content.",
                errors=[{"pointer": "/body/reference", "detail": "taken"}],
                claim_id=existing.id,
            )
        return existing, False
    found = await ShipmentRepository(session).get(data.shipment_id)
    if found is None:
        raise ProblemError(
            NOT_FOUND,
            f"No shipment {data.shipment_id}.",
            errors=[{"pointer": "/body/shipment_id", "detail": "unknown shipment"}],
        )
    shipment = found
    legs = (await ShipmentRepository(session).legs_of([shipment.id]))[shipment.id]
    if not owns(Viewer.of(identity), shipment) or identity.is_regulator:
        raise ProblemError(
            NOT_THE_CLAIMANT,
            f"Shipment {shipment.id} is not {claimant}'s.",
            errors=[{"pointer": "/body/shipment_id", "detail": "not your shipment"}],
        )
    leg = claim_leg(legs, data.leg_id)
    if leg is None:
        raise ProblemError(
            VALIDATION_FAILED,
            f"Shipment {shipment.id} has no leg {data.leg_id or '(any)'}.",
            errors=[{"pointer": "/body/leg_id", "detail": "not a leg of the shipment"}],
        )
    try:
        mode_terms = terms.terms.mode(leg.mode)
    except TermsError as exc:
        raise ProblemError(
            CLAIM_TERMS, str(exc), errors=[{"pointer": "/body/leg_id", "detail": str(exc)}]
        ) from None
    rule = mode_terms.windows[data.kind]
    start = window_start(rule, shipment, leg)
    if start is None:
        raise ProblemError(
            CLAIM_NOT_YET_OPEN,
            f"The {data.kind} claim window of a {leg.mode} leg runs from its {rule.start}, "
            f"which has not happened on shipment {shipment.id}.",
            errors=[{"pointer": "/body/kind", "detail": f"no {rule.start} yet"}],
        )
    window = rules.window(rule, start)
    today = business_day(now)
    if not window.admits(today):
        raise ProblemError(
            CLAIM_WINDOW_CLOSED,
            f"The {data.kind} claim window of shipment {shipment.id} ({leg.mode}: {window.basis}) ran from "
            f"{window.opens_on.isoformat()} to {window.closes_on.isoformat()} (Beijing); "
            f"today is {today.isoformat()}.",
            errors=[{"pointer": "/body/kind", "detail": "outside the claim window"}],
            window_opens_on=window.opens_on.isoformat(),
            window_closes_on=window.closes_on.isoformat(),
            window_basis=window.basis,
            today=today.isoformat(),
        )
    try:
        iso = to_iso(data.currency)
        claimed_cny = _to_cny(ctx, data.claimed_amount, iso, today)
        freight_cny = _to_cny(ctx, data.freight, iso, today)
        declared_cny = _to_cny(ctx, data.declared_value, iso, today)
        insured_cny = _to_cny(ctx, data.insured_amount, iso, today)
    except (UnknownCurrency, UnknownRate) as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/body/currency", "detail": str(exc)}]
        ) from None
    assert claimed_cny is not None
    facts = rules.ClaimFacts(
        mode=leg.mode,
        product=data.product,
        claimed_cny=claimed_cny,
        weight_kg=data.weight_kg,
        packages=data.packages,
        freight_cny=freight_cny,
        declared_cny=declared_cny,
        insured_cny=insured_cny,
    )
    try:
        offer = rules.offer(terms.terms, facts, terms.sdr.on(today))
    except TermsError as exc:
        raise ProblemError(CLAIM_TERMS, str(exc), errors=[{"pointer": "/body", "detail": str(exc)}]) from None
    lines = offer.lines
    if iso != "CNY":
        lines = [f"Amounts in {iso} converted at the customs monthly rate of {today:%Y-%m}", *lines]
    claim = Claim(
        id=new_id("clm"),
        claimant_party_id=claimant,
        created_by_party_id=identity.party_id,
        reference=data.reference,
        fingerprint=digest,
        shipment_id=shipment.id,
        leg_id=leg.id,
        carrier_code=leg.carrier_code,
        mode=leg.mode,
        kind=data.kind,
        product=data.product,
        status=Status.SUBMITTED.value,
        description=data.description,
        weight_kg=data.weight_kg,
        packages=data.packages,
        claimed_amount=data.claimed_amount,
        claimed_currency=iso,
        claimed_cny=claimed_cny,
        freight_cny=freight_cny,
        declared_cny=declared_cny,
        insured_cny=insured_cny,
        offer_cny=offer.amount_cny,
        cap_cny=offer.cap_cny,
        explanation=lines,
        window_opens_on=window.opens_on,
        window_closes_on=window.closes_on,
        revision=1,
        submitted_at=now,
        updated_at=now,
    )
    repo.add(claim)
    await repo.flush()
    await _stage(session, publisher, claim, answered=False)
    return claim, True


def _is_carrier(identity: Identity, claim: Claim) -> bool:
    return identity.has_role("logistics_firm") and identity.owns_code(claim.carrier_code)


async def get(session: AsyncSession, identity: Identity, claim_id: str) -> Claim:
    """The claim, for its claimant (or a platform acting for it), the carrier of its leg and
    regulators; 404 for everyone else."""
    claim = await ClaimRepository.from_session(session).get(claim_id)
    if claim is None:
        raise _not_found(claim_id)
    if (
        may_act_for(identity, claim.claimant_party_id)
        or _is_carrier(identity, claim)
        or identity.is_regulator
    ):
        return claim
    raise _not_found(claim_id)


async def _move(
    session: AsyncSession,
    identity: Identity,
    claim_id: str,
    target: Status,
    actor: Actor,
) -> tuple[Claim, bool]:
    """The locked claim and whether it must move (False: it is in ``target`` already, a repeat)."""
    claim = await get(session, identity, claim_id)
    allowed = (
        _is_carrier(identity, claim) if actor == "carrier" else may_act_for(identity, claim.claimant_party_id)
    )
    if not allowed:
        problem = NOT_THE_CLAIMS_CARRIER if actor == "carrier" else NOT_THE_CLAIMANT
        raise ProblemError(problem, f"{identity.party_id} cannot take this step on claim {claim.id}.")
    locked = await ClaimRepository.from_session(session).lock(claim.id)
    assert locked is not None
    if locked.status == target:
        return locked, False
    if not rules.may_move(locked.status, target, actor):
        raise ProblemError(
            CLAIM_STATE,
            f"Claim {locked.id} is {locked.status}; the {actor} cannot move it to {target.value}.",
            status_now=locked.status,
            allowed=sorted(s.value for s in rules.NEXT[Status(locked.status)]),
        )
    return locked, True


def _touch(claim: Claim, target: Status, now: dt.datetime) -> None:
    claim.status = target.value
    claim.revision += 1
    claim.updated_at = now


async def review(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, claim_id: str, now: dt.datetime
) -> Claim:
    """The carrier takes the claim under review (also after the documents it asked for came)."""
    claim, moves = await _move(session, identity, claim_id, Status.UNDER_REVIEW, "carrier")
    if moves:
        _touch(claim, Status.UNDER_REVIEW, now)
        await _stage(session, publisher, claim, answered=True)
    return claim


async def request_documents(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    claim_id: str,
    data: DocumentsIn,
    now: dt.datetime,
) -> Claim:
    """The carrier asks for documents; the claimant's next evidence file puts it back under review."""
    claim, moves = await _move(session, identity, claim_id, Status.WAITING_ON_DOCUMENTS, "carrier")
    if moves:
        claim.documents_requested = data.documents
        _touch(claim, Status.WAITING_ON_DOCUMENTS, now)
        await _stage(session, publisher, claim, answered=True)
    return claim


async def decide(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    claim_id: str,
    data: DecisionIn,
    now: dt.datetime,
) -> Claim:
    """The carrier decides: approve the offer, approve another amount (``approved_partial``,
    with a reason, at most the claimed loss), or reject with a reason."""
    if data.decision == "reject":
        target = Status.REJECTED
    else:
        current = await get(session, identity, claim_id)
        amount = data.amount_cny if data.amount_cny is not None else current.offer_cny
        target = Status.APPROVED if amount == current.offer_cny else Status.APPROVED_PARTIAL
    claim, moves = await _move(session, identity, claim_id, target, "carrier")
    if not moves:
        if target != Status.REJECTED and claim.approved_cny is not None and claim.approved_cny != amount:
            raise ProblemError(
                CLAIM_STATE, f"Claim {claim.id} was approved at {display(claim.approved_cny)} CNY already."
            )
        return claim
    if target != Status.REJECTED:
        if amount > claim.claimed_cny:
            raise ProblemError(
                VALIDATION_FAILED,
                f"{display(amount)} CNY is more than the claimed loss of {display(claim.claimed_cny)} CNY.",
                errors=[{"pointer": "/body/amount_cny", "detail": f"at most {display(claim.claimed_cny)}"}],
            )
        if target == Status.APPROVED_PARTIAL and data.reason is None:
            raise ProblemError(
                VALIDATION_FAILED,
                f"Approving {display(amount)} CNY instead of the offer of {display(claim.offer_cny)} CNY "
                "needs a reason.",
                errors=[{"pointer": "/body/reason", "detail": "required for another amount than the offer"}],
            )
        claim.approved_cny = _fen(amount)
    claim.decision_reason = data.reason
    claim.decided_at = now
    _touch(claim, target, now)
    await _stage(session, publisher, claim, answered=True)
    return claim


async def pay(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    claim_id: str,
    data: PaymentIn,
    now: dt.datetime,
) -> Claim:
    """The carrier paid the approved amount: the payout time is kept for the regulator."""
    claim, moves = await _move(session, identity, claim_id, Status.PAID, "carrier")
    if not moves:
        return claim
    assert claim.approved_cny is not None  # only approved claims may be paid
    claim.paid_fen = int(claim.approved_cny * 100)
    claim.payment_reference = data.payment_reference
    claim.paid_at = now
    claim.payout_seconds = max(0, int((now - claim.submitted_at).total_seconds()))
    _touch(claim, Status.PAID, now)
    await _stage(session, publisher, claim, answered=True)
    return claim


async def close(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, claim_id: str, now: dt.datetime
) -> Claim:
    """Close a claim: the claimant withdraws an undecided one, or either party closes a rejected
    or paid one."""
    claim = await get(session, identity, claim_id)
    actor: Actor = "carrier" if _is_carrier(identity, claim) else "claimant"
    claim, moves = await _move(session, identity, claim_id, Status.CLOSED, actor)
    if moves:
        claim.closed_at = now
        _touch(claim, Status.CLOSED, now)
        await _stage(session, publisher, claim, answered=actor == "carrier")
    return claim


def _sniff(content: bytes, content_type: str) -> bool:
    if not content.startswith(EVIDENCE_TYPES[content_type]):
        return False
    return content_type != "image/webp" or content[8:12] == b"WEBP"


async def add_evidence(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    claim_id: str,
    *,
    content: bytes,
    content_type: str | None,
    filename: str,
    max_bytes: int,
    now: dt.datetime,
) -> tuple[ClaimEvidence, bool]:
    """Attach a file to the claim (its parties only); (evidence, created). The same content
    twice is one file. While the carrier waits for documents, the claimant's file puts the
    claim back under review."""
    claim = await get(session, identity, claim_id)
    is_claimant = may_act_for(identity, claim.claimant_party_id)
    if not is_claimant and not _is_carrier(identity, claim):
        raise ProblemError(NOT_THE_CLAIMANT, "Only the claim's parties attach evidence.")
    if len(content) > max_bytes:
        raise ProblemError(
            BODY_TOO_LARGE, f"The file is {len(content)} bytes; the limit is {max_bytes}.", limit=max_bytes
        )
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in EVIDENCE_TYPES:
        raise ProblemError(
            UNSUPPORTED_MEDIA_TYPE,
            f"Evidence of type {media or '(none)'} is not taken; use one of {sorted(EVIDENCE_TYPES)}.",
            accepted=sorted(EVIDENCE_TYPES),
        )
    if not _sniff(content, media):
        raise ProblemError(
            EVIDENCE_MISMATCH, f"The file does not start as a {media} file does.", declared=media
        )
    if claim.status == Status.CLOSED:
        raise ProblemError(CLAIM_STATE, f"Claim {claim.id} is closed.", status_now=claim.status)
    repo = ClaimRepository.from_session(session)
    digest = hashlib.sha256(content).hexdigest()
    existing = await repo.evidence_by_hash(claim.id, digest)
    if existing is not None:
        return existing, False
    row = ClaimEvidence(
        claim_id=claim.id,
        filename=filename,
        content_type=media,
        size=len(content),
        sha256=digest,
        content=content,
        uploaded_by_party_id=identity.party_id,
        uploaded_at=now,
    )
    repo.add_evidence(row)
    await repo.flush()
    if is_claimant and claim.status == Status.WAITING_ON_DOCUMENTS:
        locked, moves = await _move(session, identity, claim.id, Status.UNDER_REVIEW, "claimant")
        if moves:
            _touch(locked, Status.UNDER_REVIEW, now)
            await _stage(session, publisher, locked, answered=False)
    return row, True


async def evidence_file(
    session: AsyncSession, identity: Identity, claim_id: str, evidence_id: int
) -> ClaimEvidence:
    """One evidence file with its content, for the claim's parties and regulators."""
    claim = await get(session, identity, claim_id)
    row = await ClaimRepository.from_session(session).evidence(claim.id, evidence_id)
    if row is None:
        raise ProblemError(NOT_FOUND, f"Claim {claim.id} has no evidence {evidence_id}.")
    return row


async def send_window_reminders(
    session: AsyncSession, publisher: EventPublisher, terms: ClaimTerms, now: dt.datetime
) -> int:
    """Remind the enterprise of a shipment with a loss or damage exception and no claim that
    the claim window closes within ``reminder_days``; once per shipment, kind and window."""
    repo = ClaimRepository.from_session(session)
    today = business_day(now)
    sent = 0
    # A window still open today started at most the longest window ago, and a shipment's
    # delivery or dispatch is never after its last change: older shipments need no look.
    longest = max(
        rule.days + 31 * rule.months for mode in terms.terms.modes.values() for rule in mode.windows.values()
    )
    since = now - dt.timedelta(days=longest + 1)
    for shipment in await repo.exception_shipments(REMINDED_KINDS, since):
        party = shipment.enterprise_party_id or shipment.created_by_party_id
        legs = (await ShipmentRepository(session).legs_of([shipment.id]))[shipment.id]
        leg = claim_leg(legs, None)
        if leg is None or leg.mode not in terms.terms.modes:
            continue
        done = await repo.reminded(shipment.id)
        for kind in REMINDED_KINDS:
            if kind not in shipment.exceptions:
                continue
            rule = terms.terms.mode(leg.mode).windows[kind]
            start = window_start(rule, shipment, leg)
            if start is None:
                continue
            window = rules.window(rule, start)
            if not today <= window.closes_on <= today + dt.timedelta(days=terms.reminder_days):
                continue
            if (kind, window.closes_on) in done:
                continue
            inserted = await repo.insert_ignore(
                ClaimReminder.__table__,  # type: ignore[arg-type]
                [
                    {
                        "shipment_id": shipment.id,
                        "leg_id": leg.id,
                        "kind": kind,
                        "window_closes_on": window.closes_on,
                        "party_id": party,
                        "sent_at": now,
                        "details": {"mode": leg.mode, "opens_on": window.opens_on.isoformat()},
                    }
                ],
                conflict=["shipment_id", "kind", "window_closes_on"],
            )
            if not inserted:
                continue  # another replica sent it
            await publisher.stage(
                session,
                ClaimWindowClosing(
                    party_id=party,
                    shipment_id=shipment.id,
                    leg_id=leg.id,
                    carrier_code=leg.carrier_code,
                    mode=leg.mode,
                    kind=kind,  # type: ignore[arg-type]
                    window_opens_on=window.opens_on,
                    window_closes_on=window.closes_on,
                    basis=window.basis,
                    occurred_at=now,
                ),
                subject=shipment.id,
            )
            sent += 1
    return sent


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The Beijing calendar year as an instant range [start, end)."""
    return (
        dt.datetime(year, 1, 1, tzinfo=BUSINESS_TZ),
        dt.datetime(year + 1, 1, 1, tzinfo=BUSINESS_TZ),
    )


async def figures(session: AsyncSession, year: int) -> list[dict[str, Any]]:
    """Claim rates and payout times per carrier for claims submitted in ``year``."""
    start, end = year_bounds(year)
    rows = await ClaimRepository.from_session(session).carrier_figures(start, end)
    out: list[dict[str, Any]] = []
    for row in rows:
        claims = row.get("claims", 0)
        shipments_n = row["shipments"]
        paid = row.get("paid", 0)
        out.append(
            {
                "carrier_code": row["carrier_code"],
                "shipments": shipments_n,
                "claims": claims,
                "claim_rate": (Decimal(claims) / shipments_n).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                if shipments_n
                else None,
                "approved": row.get("approved", 0),
                "rejected": row.get("rejected", 0),
                "paid": paid,
                "paid_cny": Decimal(row.get("paid_fen", 0)).scaleb(-2),
                "average_payout_days": _fen(Decimal(row.get("payout_seconds", 0)) / 86400 / paid)
                if paid
                else None,
            }
        )
    return out
