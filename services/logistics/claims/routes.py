"""``/v1/logistics/claims`` — loss and damage claims: submit (the shipment's enterprise), the
carrier's answers (review, documents, decision, payment), evidence files, and the regulator's
figures per carrier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from services.logistics.claims import service, views
from services.logistics.claims.repository import ClaimRepository
from services.logistics.claims.rules import Status
from services.logistics.claims.schemas import (
    CarrierFigures,
    ClaimFigures,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    DecisionIn,
    DocumentsIn,
    EvidenceOut,
    PaymentIn,
)
from services.logistics.claims.service import EVIDENCE_TYPES, ClaimTerms
from services.logistics.claims.terms import load_sdr_rates, load_terms
from services.logistics.context import LogisticsContextDep
from services.logistics.products import service as products
from services.logistics.settings import LogisticsSettings
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.params import RowId
from shared.kit.responses import COMMON_PROBLEMS, problems, raw_response
from shared.problems import FORBIDDEN, ProblemError
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix=views.PREFIX, tags=["claims"])


def claim_terms(runtime: RuntimeDep) -> ClaimTerms:
    """The rules file, SDR rates and reminder lead of the running service (read once)."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    return ClaimTerms(
        terms=load_terms(settings.compensation_rules_file),
        sdr=load_sdr_rates(settings.sdr_rates_file),
        reminder_days=settings.claim_window_reminder_days,
    )


TermsDep = Annotated[ClaimTerms, Depends(claim_terms)]
#: A claim id as the service issues them (anything else is a 422, never a database error).
ClaimId = Annotated[str, Path(max_length=32, pattern=r"^clm_[a-z2-7]+$")]
EvidenceId = RowId


@router.post(
    "",
    status_code=201,
    response_model=ClaimOut,
    responses={
        200: {"model": ClaimOut, "description": "The claim this reference already names (a repeat)"},
        **problems(*COMMON_PROBLEMS, 403, 404, 409, 422),
    },
    summary="Submit a loss, damage, delay or non-delivery claim (within its window)",
)
async def submit(
    data: ClaimIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
    terms: TermsDep,
    response: Response,
) -> ClaimOut:
    """The offer (min(claimed loss, liability cap)) comes with its explanation lines; outside the
    window a 422 gives the window's dates and basis."""
    claim, created = await service.submit(session, runtime.publisher, ctx, terms, identity, data, utcnow())
    if not created:
        response.status_code = 200
    return await views.describe(session, claim)


@router.get("", response_model=ClaimPage, responses=problems(*COMMON_PROBLEMS), summary="Claims")
async def list_claims(
    identity: CurrentIdentity, session: DbSession, page: PageParams, status: Status | None = None
) -> ClaimPage:
    """A claimant's claims, the claims against a carrier's legs (regulators: all), newest first."""
    if identity.is_regulator:
        claimants, codes = None, None
    else:
        claimants = products.owners_of(identity) if identity.has_role(*service.MERCHANT_ROLES) else []
        codes = [c.code for c in identity.codes] if identity.has_role("logistics_firm") else []
    items, cursor = await ClaimRepository(session).list_page(
        page, claimant_party_ids=claimants, carrier_codes=codes, status=status.value if status else None
    )
    return await views.page_of(session, items, cursor)


@router.get(
    "/figures",
    response_model=ClaimFigures,
    responses=problems(*COMMON_PROBLEMS, 403),
    summary="Claim rates and payout times per carrier (regulators)",
)
async def figures(
    identity: CurrentIdentity,
    session: DbSession,
    year: Annotated[int, Query(ge=2000, le=2100, description="Beijing calendar year of submission")],
) -> ClaimFigures:
    """Per carrier code: shipments carried, claims, claims per shipment, decisions, payments and
    the average days from submission to payment."""
    if not identity.is_regulator:
        raise ProblemError(FORBIDDEN, "Claim figures across carriers are for regulators.")
    rows = await service.figures(session, year)
    return ClaimFigures(year=year, carriers=[CarrierFigures(**row) for row in rows])


@router.get(
    "/{claim_id}", response_model=ClaimOut, responses=problems(*COMMON_PROBLEMS, 404), summary="One claim"
)
async def read(claim_id: ClaimId, identity: CurrentIdentity, session: DbSession) -> ClaimOut:
    """The claim with its window, offer explanation, answer and evidence list."""
    return await views.describe(session, await service.get(session, identity, claim_id))


@router.post(
    "/{claim_id}/review",
    response_model=ClaimOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409),
    summary="The carrier takes the claim under review",
)
async def review(
    claim_id: ClaimId, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ClaimOut:
    """Also after the documents it asked for came."""
    claim = await service.review(session, runtime.publisher, identity, claim_id, utcnow())
    return await views.describe(session, claim)


@router.post(
    "/{claim_id}/request-documents",
    response_model=ClaimOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409),
    summary="The carrier asks the claimant for documents",
)
async def request_documents(
    claim_id: ClaimId, data: DocumentsIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ClaimOut:
    """The claimant's next evidence file puts the claim back under review."""
    claim = await service.request_documents(session, runtime.publisher, identity, claim_id, data, utcnow())
    return await views.describe(session, claim)


@router.post(
    "/{claim_id}/decision",
    response_model=ClaimOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409, 422),
    summary="The carrier approves (the offer or another amount, with a reason) or rejects",
)
async def decide(
    claim_id: ClaimId, data: DecisionIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ClaimOut:
    """Another amount than the offer is ``approved_partial``; never more than the claimed loss."""
    claim = await service.decide(session, runtime.publisher, identity, claim_id, data, utcnow())
    return await views.describe(session, claim)


@router.post(
    "/{claim_id}/payment",
    response_model=ClaimOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409),
    summary="The carrier paid the approved amount",
)
async def pay(
    claim_id: ClaimId, data: PaymentIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ClaimOut:
    """The time from submission to payment goes into the regulator's figures."""
    claim = await service.pay(session, runtime.publisher, identity, claim_id, data, utcnow())
    return await views.describe(session, claim)


@router.post(
    "/{claim_id}/close",
    response_model=ClaimOut,
    responses=problems(*COMMON_PROBLEMS, 403, 404, 409),
    summary="Withdraw an undecided claim (claimant), or close a rejected or paid one",
)
async def close(
    claim_id: ClaimId, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ClaimOut:
    """Closed is final."""
    claim = await service.close(session, runtime.publisher, identity, claim_id, utcnow())
    return await views.describe(session, claim)


@router.post(
    "/{claim_id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
    responses={
        200: {"model": EvidenceOut, "description": "The same file was attached already"},
        **problems(*COMMON_PROBLEMS, 403, 404, 409, 413, 415),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in EVIDENCE_TYPES
            },
        }
    },
    summary="Attach an evidence file (the raw body, with its Content-Type)",
)
async def add_evidence(
    claim_id: ClaimId,
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    response: Response,
    filename: Annotated[
        str,
        Query(
            min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_\-. ()]+$", description="shown on download"
        ),
    ] = "evidence",
) -> EvidenceOut:
    """JPEG, PNG, WebP or PDF, whose first bytes must agree with the Content-Type (415 otherwise),
    up to ``evidence_max_bytes`` (413). The same content twice is one file."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    row, created = await service.add_evidence(
        session,
        runtime.publisher,
        identity,
        claim_id,
        content=await request.body(),
        content_type=request.headers.get("content-type"),
        filename=filename,
        max_bytes=settings.evidence_max_bytes,
        now=utcnow(),
    )
    if not created:
        response.status_code = 200
    return views.evidence_out(row)


@router.get(
    "/{claim_id}/evidence/{evidence_id}",
    response_class=Response,
    responses={
        **raw_response(dict.fromkeys(EVIDENCE_TYPES), "The file, as an attachment"),
        **problems(*COMMON_PROBLEMS, 404),
    },
    summary="Download an evidence file (always as an attachment, never rendered)",
)
async def evidence_file(
    claim_id: ClaimId, evidence_id: EvidenceId, identity: CurrentIdentity, session: DbSession
) -> Response:
    """Served with ``Content-Disposition: attachment`` and ``nosniff`` in its stored type (one of
    the allowed types, so never HTML), and a sandboxing CSP should a browser open it anyway."""
    row = await service.evidence_file(session, identity, claim_id, evidence_id)
    return Response(
        content=row.content,
        media_type=row.content_type,
        headers={
            # The filename is ASCII without quotes (the upload's pattern), so it is safe here.
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
