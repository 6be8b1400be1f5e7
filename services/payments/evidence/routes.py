"""``/v1/payments/transactions/{id}/evidence`` and ``/v1/payments/evidence/keys``."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Path

from services.payments.context import PaymentsContextDep
from services.payments.evidence import service, signing
from services.payments.evidence.models import EvidencePackage
from services.payments.evidence.repository import EvidenceRepository
from services.payments.evidence.schemas import EvidenceOut, EvidenceVersionOut, Jwk, JwkSet
from services.payments.transactions import service as transactions
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.problems import NOT_FOUND, ProblemError
from shared.service import DbSession
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: evidence"])
TransactionId = Annotated[str, Path(min_length=1, max_length=40)]


def _out(row: EvidencePackage) -> EvidenceOut:
    payload = row.jws.split(".")[1]
    package = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return EvidenceOut(
        package_id=row.id,
        transaction_id=row.transaction_id,
        version=row.version,
        sha256=row.sha256,
        kid=row.kid,
        jws=row.jws,
        assembled_at=row.assembled_at,
        package=package,
    )


@router.get(
    "/transactions/{transaction_id}/evidence",
    response_model=EvidenceOut,
    summary="The transaction's evidence package, signed by the platform (enterprise or granted institution)",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def evidence(
    transaction_id: TransactionId, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> EvidenceOut:
    txn = await transactions.readable(session, identity, transaction_id)
    return _out(await service.current(session, ctx, txn, utcnow()))


@router.get(
    "/transactions/{transaction_id}/evidence/versions",
    response_model=list[EvidenceVersionOut],
    summary="Every kept version of the package, oldest first",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def versions(
    transaction_id: TransactionId, identity: CurrentIdentity, session: DbSession
) -> list[EvidenceVersionOut]:
    await transactions.readable(session, identity, transaction_id)
    return [
        EvidenceVersionOut(package_id=r.id, version=r.version, sha256=r.sha256, assembled_at=r.assembled_at)
        for r in await EvidenceRepository(session).versions(transaction_id)
    ]


@router.get(
    "/transactions/{transaction_id}/evidence/{package_id}",
    response_model=EvidenceOut,
    summary="One kept version of the package",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def version(
    transaction_id: TransactionId,
    package_id: Annotated[str, Path(max_length=40)],
    identity: CurrentIdentity,
    session: DbSession,
) -> EvidenceOut:
    await transactions.readable(session, identity, transaction_id)
    row = await EvidenceRepository(session).get(package_id)
    if row is None or row.transaction_id != transaction_id:
        raise ProblemError(NOT_FOUND, "No such package of this transaction.")
    return _out(row)


@router.get(
    "/evidence/keys",
    response_model=JwkSet,
    summary="The platform's public keys that verify evidence packages (JWK Set; public, no credentials)",
)
async def keys(ctx: PaymentsContextDep) -> JwkSet:
    return JwkSet(keys=[Jwk(**signing.jwk(ctx.signing_key, ctx.settings.evidence_key_id))])
