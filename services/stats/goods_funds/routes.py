"""``/v1/stats/goods-funds``: the regulator view of goods–funds consistency (enterprises: their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.stats.goods_funds import rules, service
from services.stats.goods_funds.schemas import GoodsFundsOut
from services.stats.settings import StatsSettings
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/stats", tags=["statistics: goods–funds consistency"])


def _band(runtime: RuntimeDep) -> rules.Band:
    settings = runtime.settings
    assert isinstance(settings, StatsSettings)
    return rules.Band(settings.goods_funds_band_low, settings.goods_funds_band_high)


@router.get(
    "/goods-funds",
    response_model=GoodsFundsOut,
    summary="Declared exports against matched receipts (imports against payments) per enterprise and month",
    description="Regulators see every enterprise with goods or funds in the month; an enterprise itself. "
    "A ratio outside the band is flagged, with an explanation in English and Chinese.",
    responses=problems(*COMMON_PROBLEMS),
)
async def goods_funds(
    identity: CurrentIdentity,
    session: DbSession,
    band: Annotated[rules.Band, Depends(_band)],
    # Year 0000 is no calendar year (datetime.date refuses it): the pattern starts at 1000.
    month: Annotated[str, Query(pattern=r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", examples=["2026-11"])],
    flagged: bool = False,
) -> GoodsFundsOut:
    parties = None if identity.is_regulator or identity.is_admin else [identity.party_id]
    return await service.view(session, month, band, utcnow(), parties=parties, flagged_only=flagged)
