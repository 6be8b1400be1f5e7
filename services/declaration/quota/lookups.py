"""How much of a buyer's annual quota is left, asked by a filer that has filed for the buyer.

The buyer is named by the keyed hash of their ID number (the hash the quota and the
documents already carry); the filer must hold a document of its own carrying that hash —
an import inventory it filed for the buyer, whatever became of it — or the answer is 404,
the same 404 as for a buyer nobody ever filed for, so the answer leaks nothing about
other filers' buyers. ``used`` is the buyer's total over every filer (that is the quota
customs applies). Every lookup, answered or refused, is audited in ``quota_lookups``
(caller, buyer hash, year, outcome, request id, time), committed before the answer goes
out; the raw ID number and name are kept nowhere, and come back masked.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from services.declaration.context import DeclarationContext
from services.declaration.documents.repository import DocumentRepository
from services.declaration.personal_data.masking import mask_id_number, mask_name
from services.declaration.quota.repository import QuotaRepository
from services.declaration.quota.rules import BUYER_HASH_PURPOSE, QuotaPosition, from_e5, quota_year
from services.declaration.quota.schemas import QuotaLeftOut, QuotaLookupIn
from shared.context import current_request_id
from shared.currencies import display
from shared.db import Database
from shared.identity import Identity
from shared.problems import ProblemError, problem_type
from shared.sqltypes import utcnow

BUYER_NOT_FOUND = problem_type(
    "declaration.quota_buyer_not_found",
    404,
    "No buyer you filed for has this ID number",
    "A filer sees the quota only of buyers it has filed an import inventory for; check the "
    "buyerIdNumber (as in your inventory). A buyer another filer filed for answers the same.",
)


async def quota_left(
    db: Database, ctx: DeclarationContext, identity: Identity, wanted: QuotaLookupIn
) -> QuotaLeftOut:
    """The buyer's quota for ``wanted.year`` (default: this year), audited; 404 unless filed for."""
    now = utcnow()
    year = wanted.year if wanted.year is not None else quota_year(now)
    buyer_hash = ctx.vault.lookup_hash(BUYER_HASH_PURPOSE, wanted.buyerIdNumber)
    # One unit of work: the audit row commits with the read, also when the answer is 404
    # (raised only after the commit, so a refusal is audited too).
    async with db.transaction() as session:
        filed = await DocumentRepository.from_session(session).filed_for_buyer(identity.party_id, buyer_hash)
        quotas = QuotaRepository.from_session(session)
        used = from_e5(await quotas.used_e5((buyer_hash, year))) if filed else None
        await quotas.add_lookup(
            {
                "id": str(uuid.uuid4()),
                "party_id": identity.party_id,
                "buyer_hash": buyer_hash,
                "year": year,
                "answered": filed,
                "request_id": (current_request_id() or "")[:64] or None,
                "looked_up_at": now,
            }
        )
    if used is None:
        raise ProblemError(
            BUYER_NOT_FOUND,
            f"No import inventory of yours names the buyer {mask_id_number(wanted.buyerIdNumber)}.",
        )
    position = QuotaPosition(ctx.limits.annual, used, Decimal(0))
    return QuotaLeftOut(
        year=year,
        currency="CNY",
        limit=display(ctx.limits.annual),
        used=display(used),
        left=display(position.remaining_before),
        buyerIdType=wanted.buyerIdType,
        buyerIdNumber=mask_id_number(wanted.buyerIdNumber),
        buyerName=mask_name(wanted.buyerName),
    )


__all__ = ["BUYER_NOT_FOUND", "quota_left"]
