"""API views of claims."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.claims.models import Claim, ClaimEvidence
from services.logistics.claims.repository import ClaimRepository
from services.logistics.claims.schemas import ClaimOut, ClaimPage, EvidenceOut

PREFIX = "/v1/logistics/claims"


def evidence_out(row: ClaimEvidence) -> EvidenceOut:
    """One evidence file's metadata and where its content is served."""
    return EvidenceOut(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_by_party_id=row.uploaded_by_party_id,
        uploaded_at=row.uploaded_at,
        href=f"{PREFIX}/{row.claim_id}/evidence/{row.id}",
    )


def _out(claim: Claim, evidence: list[ClaimEvidence]) -> ClaimOut:
    return ClaimOut(
        id=claim.id,
        reference=claim.reference,
        claimant_party_id=claim.claimant_party_id,
        shipment_id=claim.shipment_id,
        leg_id=claim.leg_id,
        carrier_code=claim.carrier_code,
        mode=claim.mode,
        kind=claim.kind,  # type: ignore[arg-type]  # the column holds Kind values
        product=claim.product,
        status=claim.status,  # type: ignore[arg-type]
        description=claim.description,
        weight_kg=claim.weight_kg.normalize(),
        packages=claim.packages,
        claimed_amount=claim.claimed_amount.quantize(Decimal("0.01")),
        claimed_currency=claim.claimed_currency,
        claimed_cny=claim.claimed_cny.quantize(Decimal("0.01")),
        freight_cny=claim.freight_cny.quantize(Decimal("0.01")) if claim.freight_cny is not None else None,
        declared_cny=claim.declared_cny.quantize(Decimal("0.01")) if claim.declared_cny is not None else None,
        insured_cny=claim.insured_cny.quantize(Decimal("0.01")) if claim.insured_cny is not None else None,
        offer_cny=claim.offer_cny.quantize(Decimal("0.01")),
        cap_cny=claim.cap_cny.quantize(Decimal("0.01")),
        explanation=list(claim.explanation),
        window_opens_on=claim.window_opens_on,
        window_closes_on=claim.window_closes_on,
        approved_cny=claim.approved_cny.quantize(Decimal("0.01")) if claim.approved_cny is not None else None,
        decision_reason=claim.decision_reason,
        documents_requested=claim.documents_requested,
        paid_cny=Decimal(claim.paid_fen).scaleb(-2) if claim.paid_fen is not None else None,
        payment_reference=claim.payment_reference,
        revision=claim.revision,
        submitted_at=claim.submitted_at,
        decided_at=claim.decided_at,
        paid_at=claim.paid_at,
        closed_at=claim.closed_at,
        evidence=[evidence_out(row) for row in evidence],
    )


async def describe(session: AsyncSession, claim: Claim) -> ClaimOut:
    """One claim with its evidence list."""
    found = await ClaimRepository.from_session(session).evidence_of([claim.id])
    return _out(claim, found[claim.id])


async def page_of(session: AsyncSession, items: list[Claim], cursor: str | None) -> ClaimPage:
    """A list page, evidence lists included."""
    found = await ClaimRepository.from_session(session).evidence_of([c.id for c in items])
    return ClaimPage(items=[_out(c, found[c.id]) for c in items], next_cursor=cursor)
