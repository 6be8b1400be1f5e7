"""A monthly warehouse report as CSV and XLSX, with Chinese and English labels.

CSV is UTF-8 with a byte-order mark (Excel reads Chinese correctly); text a spreadsheet
could take for a formula (``=``, ``+``, ``-``, ``@`` … at the start: names come from
outside) is prefixed with ``'`` in CSV and always stored as text in XLSX.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.logistics.decimals import decimal_text
from shared.events.warehousing import WarehouseMonthFigures

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LABELS: dict[str, tuple[str, str]] = {
    "inbound_asns": ("入库单数", "ASNs received"),
    "inbound_units": ("入库件数", "Units received"),
    "inbound_damaged_units": ("入库破损件数", "Units received damaged"),
    "inbound_short_units": ("短少件数", "Units short"),
    "inbound_over_units": ("溢收件数", "Units over"),
    "outbound_orders": ("出库单数", "Orders shipped"),
    "outbound_b2c_orders": ("一件代发单数", "B2C orders shipped"),
    "outbound_b2b_orders": ("B2B 调拨单数", "B2B transfers shipped"),
    "outbound_units": ("出库件数", "Units shipped"),
    "cancelled_orders": ("取消单数", "Orders cancelled"),
    "order_to_ship_hours_avg": ("平均订单处理时长(小时)", "Order to ship, average (h)"),
    "order_to_ship_hours_p90": ("订单处理时长 P90(小时)", "Order to ship, 90th percentile (h)"),
    "returns_received": ("退货入库单数", "Returns received"),
    "returned_units": ("退货入库件数", "Units returned"),
    "customers_served": ("服务客户数", "Customers served"),
    "skus_in_stock": ("在库 SKU 数", "SKUs in stock"),
    "units_on_hand": ("月末库存件数", "Units on hand at month end"),
    "stock_volume_m3": ("月末库存体积(m³)", "Stock volume at month end (m³)"),
    "average_age_days": ("平均库龄(天)", "Average stock age (days)"),
    "area_m2": ("仓库面积(m²)", "Warehouse area (m²)"),
    "area_used_m2": ("使用面积(m²，申报)", "Area used (m², declared)"),
}


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def rows(figures: WarehouseMonthFigures) -> list[tuple[str, str, Any]]:
    """(Chinese label, English label, value) for every figure, then the ageing buckets."""
    data = figures.model_dump()
    out: list[tuple[str, str, Any]] = [(zh, en, data[key]) for key, (zh, en) in LABELS.items()]
    for bucket, units in figures.ageing.items():
        out.append((f"库龄 {bucket} 天件数", f"Units aged {bucket} days", units))
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value, 1, 3)
    return "" if value is None else value


def to_csv(title: tuple[str, ...], figures: WarehouseMonthFigures) -> bytes:
    """The report as CSV bytes (with BOM): a title line, then 指标/measure/value rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text(t) for t in title])
    writer.writerow(["指标", "Measure", "值 Value"])
    for zh, en, value in rows(figures):
        writer.writerow([zh, en, _cell(value)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: tuple[str, ...], figures: WarehouseMonthFigures) -> bytes:
    """The report as an XLSX workbook (numbers as numbers, names as text)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "report"
    for i, part in enumerate(title, start=1):
        cell = sheet.cell(row=1, column=i, value=part)
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for i, head in enumerate(["指标", "Measure", "值 Value"], start=1):
        sheet.cell(row=2, column=i, value=head).font = Font(bold=True)
    for r, (zh, en, value) in enumerate(rows(figures), start=3):
        sheet.cell(row=r, column=1, value=zh)
        sheet.cell(row=r, column=2, value=en)
        cell = sheet.cell(row=r, column=3, value=value)
        if isinstance(value, Decimal):
            cell.number_format = "0.0##"
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 36
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
