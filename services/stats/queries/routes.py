"""``/v1/stats/…`` query endpoints. Each answers JSON, or CSV/XLSX with ``?format=``.

Access: regulators see every party; anyone else sees only its own figures (the
party filter is forced, and naming another party is a 403). Activity counts about
other enterprises and the platform's figures are for regulators only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from services.stats.access import require_regulator, scope_for
from services.stats.exports.responses import TABLE_ANSWERS, AnswerParam
from services.stats.periods import Granularity
from services.stats.platform.service import operating_figures, traffic_series
from services.stats.queries import service
from services.stats.queries.filters import Filters, common_filters
from services.stats.queries.schemas import SummaryOut
from services.stats.queries.service import GROUPABLE, Measure, RankingName
from shared.identity import CurrentIdentity, Identity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats", tags=["statistics"])

#: Every table route: the table as JSON, CSV or XLSX, and the problems any query can answer.
_TABLE: dict[str, Any] = {"response_class": Response, "responses": TABLE_ANSWERS | problems(*COMMON_PROBLEMS)}

FiltersDep = Annotated[Filters, Depends(common_filters)]
GranularityParam = Annotated[Granularity, Query(description="day, month, quarter or year")]

_GROUP_NAMES = ("party", *GROUPABLE)
_GROUP_NAME = "(" + "|".join(_GROUP_NAMES) + ")"
#: The dimensions a table can be grouped by, comma-separated (stated in the OpenAPI so generated
#: clients and validators know them; the service checks the same list).
GROUP_BY_PATTERN = rf"^\s*{_GROUP_NAME}\s*(,\s*{_GROUP_NAME}\s*)*$"
#: One of them (a series splits by one dimension).
SPLIT_PATTERN = rf"^\s*{_GROUP_NAME}\s*$"


def scoped(identity: Identity, filters: Filters) -> Filters:
    """The filters limited to what the caller may see."""
    scope = scope_for(identity, filters.values.get("party_id", ()))
    return filters.with_party(scope.party_id)


def _dims(raw: str | None) -> list[str]:
    names = [d.strip() for d in (raw or "").split(",") if d.strip()]
    return ["party_id" if d == "party" else d for d in names]


@router.get(
    "/summary",
    response_model=SummaryOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="All-time totals by mode and direction (own; regulators: platform-wide)",
)
async def summary(identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    """The figures at a glance; kept from the foundation's slice, now computed from the facts."""
    return await service.summary(session, None if identity.is_regulator else identity.party_id)


@router.get("/totals", summary="Totals over a period, grouped by any dimensions", **_TABLE)
async def totals(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    group_by: Annotated[
        str | None,
        Query(
            description="comma-separated: party, mode, direction, country, district, park, currency",
            pattern=GROUP_BY_PATTERN,
        ),
    ] = None,
) -> Response:
    return answer(await service.totals(session, scoped(identity, filters), _dims(group_by)))


@router.get("/series", summary="Time series with month-on-month and year-on-year growth", **_TABLE)
async def series(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    granularity: GranularityParam = "month",
    split: Annotated[
        str | None, Query(description="one dimension to split the series by", pattern=SPLIT_PATTERN)
    ] = None,
) -> Response:
    dims = _dims(split)
    table = await service.series(session, scoped(identity, filters), granularity, dims[0] if dims else None)
    return answer(table)


@router.get(
    "/rankings/{what}", summary="Top enterprises, countries, HS chapters, districts, parks, modes", **_TABLE
)
async def ranking(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    what: Annotated[RankingName, Path(description="what is ranked")],
    answer: AnswerParam,
    by: Annotated[Measure, Query(description="value, orders or documents (chapters: not orders)")] = "value",
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
) -> Response:
    table = await service.ranking(session, scoped(identity, filters), what, by, limit)
    return answer(table)


@router.get("/growth", summary="One period beside the previous one and the same one last year", **_TABLE)
async def growth(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    granularity: GranularityParam = "month",
    at: Annotated[dt.date | None, Query(description="a day in the period (default: 'to')")] = None,
) -> Response:
    table = await service.growth_table(session, scoped(identity, filters), granularity, at)
    return answer(table)


@router.get(
    "/enterprises/active", summary="Enterprises with real transactions per period (regulators)", **_TABLE
)
async def active(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    granularity: GranularityParam = "month",
    group_by: Annotated[
        Literal["district", "park", "mode", "direction"] | None, Query(description="one dimension")
    ] = None,
) -> Response:
    require_regulator(identity)
    table = await service.active_enterprises(session, filters, granularity, group_by)
    return answer(table)


@router.get(
    "/enterprises/new",
    summary="Newly active enterprises per period, district and park (regulators)",
    **_TABLE,
)
async def new(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    granularity: GranularityParam = "month",
    group_by: Annotated[Literal["district", "park"] | None, Query(description="one dimension")] = None,
) -> Response:
    require_regulator(identity)
    table = await service.new_enterprises(session, filters, granularity, group_by)
    return answer(table)


@router.get(
    "/enterprises/new/list", summary="The newly active enterprises of a period (regulators)", **_TABLE
)
async def new_list(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
) -> Response:
    require_regulator(identity)
    return answer(await service.new_enterprise_list(session, filters, limit))


@router.get("/platform", summary="The platform's operating figures (regulators)", **_TABLE)
async def platform(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
) -> Response:
    require_regulator(identity)
    return answer(await operating_figures(session, filters))


@router.get("/platform/traffic", summary="API calls and accepted documents over time (regulators)", **_TABLE)
async def platform_traffic(
    identity: CurrentIdentity,
    session: DbSession,
    filters: FiltersDep,
    answer: AnswerParam,
    granularity: GranularityParam = "day",
) -> Response:
    require_regulator(identity)
    return answer(await traffic_series(session, filters, granularity))
