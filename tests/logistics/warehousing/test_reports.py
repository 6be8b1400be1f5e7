"""Monthly warehouse reports: figures from the warehouse's flows, filing (provisional while the
month runs, complete after), CSV and XLSX, the event statistics read, who may read them."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.calendar import business_day
from services.logistics.housekeeping import run_once
from services.logistics.inbound.models import InboundOrder, InboundReceipt
from services.logistics.outbound.models import OutboundOrder
from services.logistics.stock.models import StockLot, StockMovement
from shared.sqltypes import utcnow
from tests.logistics.warehousing.conftest import MERCHANT, OPERATOR, OTHER_OPERATOR, REGULATOR, LogisticsApi
from tests.logistics.warehousing.support import a_product, a_warehouse, asn_body, order_body

THIS_MONTH = f"{business_day(utcnow()):%Y-%m}"


async def _a_month_of_flows(api: LogisticsApi) -> str:
    """An ASN of 100 (2 damaged, 3 short), 4 orders of which 3 ship and 1 is cancelled."""
    warehouse = (await a_warehouse(api))["id"]
    await a_product(api)
    asn = await api.ok(
        "POST", "/v1/logistics/inbound", MERCHANT, 201, json=asn_body(warehouse, declarations=[])
    )
    today = business_day(utcnow()).isoformat()
    lines = [
        {"box_no": "BOX-1", "sku": "CRY-BR-001", "received": 55, "damaged": 2},
        {"box_no": "BOX-2", "sku": "CRY-BR-001", "received": 40},
    ]
    path = f"/v1/logistics/inbound/{asn['id']}"
    await api.ok(
        "POST",
        f"{path}/receipts",
        OPERATOR,
        json={"receipt_key": "R", "received_on": today, "final": True, "lines": lines},
    )
    putaway = {
        "putaway_key": "P",
        "lines": [
            {"sku": "CRY-BR-001", "quantity": 95},
            {"sku": "CRY-BR-001", "quantity": 2, "condition": "damaged"},
        ],
    }
    await api.ok("POST", f"{path}/putaways", OPERATOR, json=putaway)
    for i in range(4):
        order = await api.ok(
            "POST", "/v1/logistics/outbound", MERCHANT, 201, json=order_body(warehouse, f"SO-{i}", 2)
        )
        if i == 3:
            await api.ok("POST", f"/v1/logistics/outbound/{order['id']}/cancel", MERCHANT)
            continue
        await api.ok("POST", f"/v1/logistics/outbound/{order['id']}/pick", OPERATOR)
        ship = {"carrier_code": "DHL-DE", "tracking_number": f"JD01460000{i:04d}"}
        await api.ok("POST", f"/v1/logistics/outbound/{order['id']}/ship", OPERATOR, json=ship)
    return str(warehouse)


async def test_the_month_so_far_counts_what_came_in_and_went_out(api: LogisticsApi) -> None:
    warehouse = await _a_month_of_flows(api)
    report = await api.ok("GET", f"/v1/logistics/warehouses/{warehouse}/reports/{THIS_MONTH}", OPERATOR)
    f = report["figures"]
    assert report["complete"] is False and report["filing"] is None
    assert (f["inbound_asns"], f["inbound_units"], f["inbound_damaged_units"], f["inbound_short_units"]) == (
        1,
        97,
        2,
        3,
    )
    assert (f["outbound_orders"], f["outbound_b2c_orders"], f["outbound_units"], f["cancelled_orders"]) == (
        3,
        3,
        6,
        1,
    )
    assert (f["customers_served"], f["skus_in_stock"], f["units_on_hand"]) == (1, 1, 91)
    # 91 units × 120 × 80 × 30 mm = 0.026208 m³
    assert f["stock_volume_m3"] == "0.026" and f["area_m2"] == "12000.00"
    assert f["ageing"]["0-30"] == 91 and f["order_to_ship_hours_avg"] == "0.0"


async def test_filing_the_current_month_is_provisional_and_statistics_hear_it(api: LogisticsApi) -> None:
    warehouse = await _a_month_of_flows(api)
    path = f"/v1/logistics/warehouses/{warehouse}/reports/{THIS_MONTH}"
    filed = await api.ok("POST", path, OPERATOR, json={"area_used_m2": "8400"})
    assert filed["filing"]["complete"] is False and filed["figures"]["area_used_m2"] == "8400.00"
    again = await api.ok("POST", path, OPERATOR, json={})
    assert again["filing"]["revision"] == 1  # the same figures: nothing new
    [event] = await api.staged("ddt.logistics.warehouse.month_reported")
    assert event.data["complete"] is False and event.data["figures"]["outbound_orders"] == 3
    assert event.data["operator_party_id"] == OPERATOR.party_id and "party_id" not in event.data


async def test_the_platform_files_last_month_by_itself_from_the_ledger(api: LogisticsApi) -> None:
    warehouse = await _a_month_of_flows(api)
    # Move everything a month back: the report rebuilds last month's stock from the ledger.
    async with api.db.transaction() as session:
        await _shift_back(session)
    last_month = f"{(business_day(utcnow()).replace(day=1) - dt.timedelta(days=1)):%Y-%m}"
    done = await run_once(api.app.state.runtime)
    assert done["reports_filed"] == 1
    report = await api.ok("GET", f"/v1/logistics/warehouses/{warehouse}/reports/{last_month}", REGULATOR)
    assert report["filing"]["filed_by"] == "platform" and report["filing"]["complete"] is True
    assert report["figures"]["outbound_orders"] == 3 and report["figures"]["units_on_hand"] == 91
    assert (await run_once(api.app.state.runtime))["reports_filed"] == 0


async def _shift_back(session: AsyncSession) -> None:
    """Every time and day of the test's flows 35 days earlier."""
    back = dt.timedelta(days=35)
    for model, columns in [
        (StockMovement, ["occurred_at"]),
        (OutboundOrder, ["created_at", "shipped_at", "cancelled_at"]),
        (InboundOrder, ["received_at"]),
        (InboundReceipt, ["received_on"]),
        (StockLot, ["received_on"]),
    ]:
        for row in (await session.scalars(select(model))).all():
            for column in columns:
                if getattr(row, column) is not None:
                    setattr(row, column, getattr(row, column) - back)


async def test_a_report_as_csv_and_xlsx(api: LogisticsApi) -> None:
    warehouse = await _a_month_of_flows(api)
    base = f"/v1/logistics/warehouses/{warehouse}/reports/{THIS_MONTH}"
    raw = await api.get(f"{base}/export.csv", REGULATOR)
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    values = {r[1]: r[2] for r in rows[2:]}
    assert values["Orders shipped"] == "3" and values["Units aged 0-30 days"] == "91"
    book = load_workbook(io.BytesIO((await api.get(f"{base}/export.xlsx", OPERATOR)).content))
    sheet = book.active
    assert sheet is not None
    cells = {
        sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=3).value
        for r in range(3, sheet.max_row + 1)
    }
    assert cells["Units received"] == 97


async def test_reports_are_for_the_operator_and_regulators(api: LogisticsApi) -> None:
    warehouse = await _a_month_of_flows(api)
    path = f"/v1/logistics/warehouses/{warehouse}/reports/{THIS_MONTH}"
    assert (await api.get(path, MERCHANT)).status_code == 403
    assert (await api.get(path, OTHER_OPERATOR)).status_code == 403
    assert (await api.post(path, REGULATOR, json={})).status_code == 403
    future = await api.get(f"/v1/logistics/warehouses/{warehouse}/reports/2999-01", REGULATOR)
    assert future.status_code == 422 and future.json()["errors"][0]["pointer"] == "/path/month"
