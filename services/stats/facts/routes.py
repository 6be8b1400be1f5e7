"""``/v1/stats/facts/{document_id}`` — one document as the statistics see it (why it counts or not)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.stats.facts import service
from services.stats.facts.schemas import FactOut
from services.stats.queries.results import money
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats/facts", tags=["statistics"])


@router.get(
    "/{document_id}",
    response_model=FactOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="One inventory's fact: status, period, value and the rate used",
)
async def fact(document_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    view = await service.fact_view(session, document_id, None if identity.is_regulator else identity.party_id)
    row = view.fact
    return {
        "documentId": row.document_id,
        "party": row.party_id,
        "messageType": row.message_type,
        "status": row.status,
        "counted": row.counted,
        "countedSince": row.counted_since.isoformat() if row.counted_since else None,
        "businessDay": row.business_day.isoformat() if row.business_day else None,
        "mode": row.mode or None,
        "direction": row.direction,
        "country": row.country or None,
        "district": row.district or None,
        "park": row.park or None,
        "currency": row.currency,
        "documents": row.documents,
        "orders": row.orders,
        "valueCny": str(money(row.value_fen)),
        "returnedCny": str(money(row.returned_fen)),
        "valueInCurrency": str(money(row.value_orig_cents)),
        "cnyRate": None if row.cny_rate is None else str(row.cny_rate),
        "rateMonth": row.rate_month,
        "rateSource": row.rate_source,
        "chapters": [
            {"chapter": c.chapter, "valueCny": str(money(c.value_fen)), "lines": c.lines}
            for c in view.chapters
        ],
    }
