"""Reading the activity figures: a party sees its own, regulators see all."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select

from services.stats.models import DailyActivity
from shared.identity import CurrentIdentity
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats", tags=["statistics"])


class ActivityRow(BaseModel):
    """Totals for one mode and direction."""

    mode: str
    direction: str
    documents: int
    valueCny: Decimal


class ActivitySummary(BaseModel):
    """Accepted documents and their CNY value, by mode and direction."""

    scope: str
    documents: int
    valueCny: Decimal
    byMode: list[ActivityRow]


@router.get("/summary", response_model=ActivitySummary)
async def summary(identity: CurrentIdentity, session: DbSession) -> ActivitySummary:
    """The caller's own figures, or the whole platform's for a regulator."""
    query = select(
        DailyActivity.mode, DailyActivity.direction, func.sum(DailyActivity.documents), func.sum(DailyActivity.value_cny_fen)
    ).group_by(DailyActivity.mode, DailyActivity.direction).order_by(DailyActivity.mode, DailyActivity.direction)
    if not identity.is_regulator:
        query = query.where(DailyActivity.party_id == identity.party_id)
    rows = [
        ActivityRow(mode=m, direction=d, documents=int(n), valueCny=Decimal(int(fen)) / 100)
        for m, d, n, fen in (await session.execute(query)).all()
    ]
    return ActivitySummary(
        scope="platform" if identity.is_regulator else identity.party_id,
        documents=sum(r.documents for r in rows),
        valueCny=sum((r.valueCny for r in rows), Decimal(0)),
        byMode=rows,
    )
