"""The statistics queries state in their OpenAPI the constraints they enforce (issue 16, item 4):
granularities, ranking names and measures, the dimensions a table groups by, the forms of a
period — so a generated client or a validator knows them, and a request the schema allows is
never refused for them."""

from __future__ import annotations

import re
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.stats.periods import GRANULARITIES
from services.stats.queries.filters import PERIOD_PATTERN
from services.stats.queries.routes import GROUP_BY_PATTERN, SPLIT_PATTERN
from services.stats.queries.service import GROUPABLE, RANKINGS, Measure, RankingName
from tests.stats.conftest import StatsApi


def _parameter(app: Any, path: str, name: str) -> dict[str, Any]:
    operation = app.openapi()["paths"][path]["get"]
    schema: dict[str, Any] = next(p for p in operation["parameters"] if p["name"] == name)["schema"]
    # An optional parameter is anyOf [the schema, null].
    return next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)


async def test_the_openapi_states_the_granularities(stats: StatsApi) -> None:
    assert _parameter(stats.app, "/v1/stats/series", "granularity")["enum"] == list(GRANULARITIES)


async def test_the_openapi_states_the_ranking_names(stats: StatsApi) -> None:
    assert _parameter(stats.app, "/v1/stats/rankings/{what}", "what")["enum"] == list(RANKINGS)


async def test_the_ranking_names_of_the_schema_are_the_ones_the_service_ranks() -> None:
    assert set(get_args(RankingName)) == set(RANKINGS)


async def test_the_openapi_states_the_measures_a_ranking_orders_by(stats: StatsApi) -> None:
    assert _parameter(stats.app, "/v1/stats/rankings/{what}", "by")["enum"] == list(get_args(Measure))


async def test_the_openapi_states_the_forms_of_a_period(stats: StatsApi) -> None:
    patterns = {_parameter(stats.app, "/v1/stats/totals", n)["pattern"] for n in ("from", "to")}
    assert patterns == {PERIOD_PATTERN}


async def test_the_openapi_states_the_dimensions_a_table_groups_by(stats: StatsApi) -> None:
    assert _parameter(stats.app, "/v1/stats/totals", "group_by")["pattern"] == GROUP_BY_PATTERN


async def test_the_openapi_states_the_one_dimension_a_series_splits_by(stats: StatsApi) -> None:
    assert _parameter(stats.app, "/v1/stats/series", "split")["pattern"] == SPLIT_PATTERN


_dimension = st.sampled_from(["party", *GROUPABLE])
_spaces = st.sampled_from(["", " "])


@st.composite
def _group_by(draw: st.DrawFn) -> str:
    names = draw(st.lists(_dimension, min_size=1, max_size=3, unique=True))
    return ",".join(draw(_spaces) + n + draw(_spaces) for n in names)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(group_by=_group_by())
async def test_every_grouping_the_schema_allows_is_served(stats: StatsApi, group_by: str) -> None:
    assert re.fullmatch(GROUP_BY_PATTERN, group_by)
    response = await stats.get("/v1/stats/totals", params={"group_by": group_by, "from": "2026-01"})
    assert response.status_code == 200, response.text


async def test_a_dimension_the_schema_does_not_name_is_refused_naming_the_parameter(stats: StatsApi) -> None:
    response = await stats.get("/v1/stats/totals", params={"group_by": "mode,colour"})
    assert (response.status_code, response.json()["errors"][0]["pointer"]) == (422, "/query/group_by")


async def test_a_period_in_another_form_is_refused_naming_the_parameter(stats: StatsApi) -> None:
    response = await stats.get("/v1/stats/totals", params={"to": "2026/03/01"})
    assert (response.status_code, response.json()["errors"][0]["pointer"]) == (422, "/query/to")
