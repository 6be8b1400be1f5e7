"""``GET /v1/customs/codes`` serves the code catalogue of docs/declaration-codes.md."""

from __future__ import annotations

from services.declaration.ceb.code_catalogue import catalogue_json
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE


async def test_the_code_catalogue_is_served_as_json(api: Api) -> None:
    response = await api.get("/v1/customs/codes", EVERYONE)
    assert (response.status_code, response.json()) == (200, catalogue_json())


async def test_the_code_catalogue_needs_the_gateway_identity(api: Api) -> None:
    response = await api.client.get("/v1/customs/codes")
    assert response.status_code == 401
