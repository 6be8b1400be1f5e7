"""The vertical slice: gateway → declaration (stored, event) → Kafka → stats → gateway.

A real CEB311 import order, filed as JSON through the gateway by an onboarded,
signing party, is accepted by the declaration service and counted by stats. (Trade
values in stats come from released inventories, which need customs' receipts; an
accepted order shows in the platform's operating figures, which regulators read.)
"""

from __future__ import annotations

import json
from pathlib import Path

from services.declaration.app import create_app as declaration_app
from services.declaration.settings import DeclarationSettings
from services.stats.app import create_app as stats_app
from services.stats.settings import StatsSettings
from tests.gateway.support import customs_code, gateway_settings, running_gateway
from tests.support.infra import Broker, wait_until
from tests.support.services import served, service_settings


def ceb311_order(code: str) -> dict[str, object]:
    """One import order (JSON form of CEB311) of 250.00 CNY, platform and merchant being the same party."""
    return {
        "head": {
            "guid": "5C1E0000-0000-4000-8000-000000000001",
            "appType": "1",
            "appTime": "20261125103000",
            "appStatus": "2",
            "orderType": "I",
            "orderNo": "SLICE-0001",
            "ebpCode": code,
            "ebpName": "Slice",
            "ebcCode": code,
            "ebcName": "Slice",
            "goodsValue": "250.00",
            "freight": "0",
            "discount": "0",
            "taxTotal": "0",
            "acturalPaid": "250.00",
            "currency": "142",
            "buyerRegNo": "U1",
            "buyerName": "王小明",
            "buyerTelephone": "13812345678",
            "buyerIdType": "1",
            "buyerIdNumber": "320703199001011234",
            "consignee": "王小明",
            "consigneeTelephone": "13812345678",
            "consigneeAddress": "江苏省连云港市海州区",
        },
        "lines": [
            {
                "gnum": 1,
                "itemNo": "SKU-1",
                "itemName": "保温杯",
                "gmodel": "500ml",
                "unit": "007",
                "qty": "1",
                "price": "250.00",
                "totalPrice": "250.00",
                "currency": "142",
                "country": "502",
            },
        ],
        "baseTransfer": {"copCode": code, "copName": "Slice", "dxpMode": "DXP", "dxpId": "DXPENT0000000001"},
    }


async def test_an_order_filed_through_the_gateway_shows_up_in_stats(
    tmp_path: Path, own_broker: Broker
) -> None:
    broker = own_broker  # the session's broker carries other tests' declaration events into "stats"
    declaration = declaration_app(
        service_settings(DeclarationSettings, f"sqlite+aiosqlite:///{tmp_path}/d.db", broker.bootstrap)
    )
    stats = stats_app(
        service_settings(StatsSettings, f"sqlite+aiosqlite:///{tmp_path}/s.db", broker.bootstrap)
    )
    async with served(declaration) as declaration_url, served(stats) as stats_url:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path}/g.db",
            broker.bootstrap,
            tmp_path,
            declaration_url=declaration_url,
            stats_url=stats_url,
        )
        async with running_gateway(settings) as gateway:
            code = customs_code()
            party = await gateway.onboard(
                "ecommerce_platform",
                "ecommerce_enterprise",
                codes=[(code, ["ebpCode", "ebcCode", "copCode"])],
            )
            regulator = await gateway.onboard("regulator")
            filed = await gateway.call(
                "POST", "/v1/customs/import/orders", party, json_body=ceb311_order(code)
            )

            async def counted() -> list[dict[str, object]] | None:
                figures = (await gateway.call("GET", "/v1/stats/platform", regulator)).json()
                rows = figures.get("rows", []) if isinstance(figures, dict) else []
                orders = [r for r in rows if r.get("figure") == "accepted_documents.order"]
                return orders if orders and str(orders[0].get("current")) == "1" else None

            orders = await wait_until(counted, timeout=90, message="stats counted the order")
    assert filed.status_code == 200, filed.text
    assert filed.json()["records"][0]["accepted"] is True
    assert orders == [{"figure": "accepted_documents.order", "current": "1"}], json.dumps(orders)
