"""``/v1/stats/exchange-rates`` — the customs monthly rates the statistics convert with."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request

from services.stats.access import actor_of, require_rates_admin
from services.stats.exchange_rates.schemas import RatesLoadedOut, RatesOut
from services.stats.exchange_rates.service import list_rates, parse_rates, store_rates
from services.stats.facts.service import revalue
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.problems import VALIDATION_FAILED, ProblemError
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats/exchange-rates", tags=["exchange rates"])


@router.get(
    "",
    response_model=RatesOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="The rates in use (regulators and administrators)",
)
async def rates(identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_rates_admin(identity)
    return {
        "rates": [
            {
                "currency": r.currency,
                "month": r.month,
                "rate": str(r.rate),
                "source": r.source,
                "loadedBy": r.loaded_by,
                "loadedAt": r.loaded_at.isoformat(),
            }
            for r in await list_rates(session)
        ]
    }


@router.post(
    "",
    response_model=RatesLoadedOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Load a monthly rate table; the facts it affects are re-valued",
)
async def load(identity: CurrentIdentity, session: DbSession, request: Request) -> dict[str, Any]:
    """Body: ``text/csv`` (``currency,month,cny_per_unit`` lines) or JSON ``{"csv": "…", "source": "…"}``."""
    require_rates_admin(identity)
    raw = await request.body()
    source = "admin API"
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(raw)
            text, source = str(body["csv"]), str(body.get("source") or source)
        except (ValueError, KeyError, TypeError):
            raise ProblemError(
                VALIDATION_FAILED,
                'Send {"csv": "currency,month,rate lines", "source": "…"}.',
                errors=[{"pointer": "/body/csv", "detail": "required"}],
            ) from None
    else:
        text = raw.decode("utf-8", "replace")
    try:
        rows = parse_rates(text)
    except ValueError as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/body", "detail": str(exc)}]
        ) from None
    await store_rates(session, rows, source=source, actor=actor_of(identity))
    earliest = min(dt.date.fromisoformat(f"{r.month}-01") for r in rows)
    changed = await revalue(session, {r.currency for r in rows}, earliest)
    return {"loaded": len(rows), "currencies": sorted({r.currency for r in rows}), "factsRevalued": changed}
