"""The dashboard's page and static files pass the gateway without credentials (they hold
no data); the figures behind them still need a signed request or a bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.gateway.support import Gateway, running_gateway_with_stats
from tests.support.infra import Broker


@pytest.fixture(scope="module")
async def gateway_before_stats(
    broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    async with running_gateway_with_stats(broker.bootstrap, tmp_path_factory.mktemp("gw-public")) as gw:
        yield gw


async def test_the_dashboard_page_needs_no_credentials(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/dashboard/", None)
    assert (response.status_code, response.headers["content-type"].split(";")[0]) == (200, "text/html")


async def test_the_dashboard_keeps_its_security_headers_through_the_gateway(
    gateway_before_stats: Gateway,
) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/dashboard/", None)
    assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_the_dashboard_favicon_is_served_without_credentials(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/dashboard/static/favicon.svg", None)
    assert (response.status_code, response.headers["content-type"]) == (200, "image/svg+xml")


async def test_the_dashboard_figures_still_need_credentials(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/totals", None)
    assert response.status_code == 401


async def test_a_write_under_the_dashboard_path_is_not_public(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("POST", "/v1/stats/dashboard/", None, json_body={})
    assert response.status_code == 401
