"""The dashboard's page and static files pass the gateway without credentials (they hold
no data); the figures behind them still need a signed request or a bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.stats.app import create_app as stats_app
from services.stats.settings import StatsSettings
from tests.gateway.support import Gateway, gateway_settings, running_gateway
from tests.support.infra import Broker
from tests.support.services import served, service_settings


@pytest.fixture(scope="module")
async def gateway_before_stats(
    broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    var_dir = tmp_path_factory.mktemp("gw-public")
    stats_db = f"sqlite+aiosqlite:///{var_dir / 's.db'}"
    stats = stats_app(service_settings(StatsSettings, stats_db, broker.bootstrap))
    async with served(stats) as stats_url:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{Path(var_dir) / 'g.db'}", broker.bootstrap, var_dir, stats_url=stats_url
        )
        async with running_gateway(settings) as gw:
            yield gw


async def test_the_dashboard_page_needs_no_credentials(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/dashboard/", None)
    assert (response.status_code, response.headers["content-type"].split(";")[0]) == (200, "text/html")


async def test_the_dashboard_keeps_its_security_headers_through_the_gateway(
    gateway_before_stats: Gateway,
) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/dashboard/", None)
    assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_the_dashboard_figures_still_need_credentials(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("GET", "/v1/stats/totals", None)
    assert response.status_code == 401


async def test_a_write_under_the_dashboard_path_is_not_public(gateway_before_stats: Gateway) -> None:
    response = await gateway_before_stats.call("POST", "/v1/stats/dashboard/", None, json_body={})
    assert response.status_code == 401
