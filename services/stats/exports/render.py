"""CSV and XLSX renderings of a :class:`~services.stats.queries.results.ResultTable`.

* CSV is UTF-8 with a byte-order mark (Excel then reads Chinese correctly), a first
  line naming the query and its filters, then the header row in the chosen language.
* XLSX has the title and filters above the table; money cells are numbers with two
  decimals, written from the exact Decimal.
* Coded cells (district, park, partner country, direction, subject kind) carry the
  names the dashboard shows, in the chosen language (:mod:`services.stats.reference.names`);
  JSON keeps the ids and codes, for programs.
* Text that a spreadsheet could take for a formula (``=``, ``+``, ``-``, ``@``, tab,
  CR at the start — names come from outside) is prefixed with ``'`` in CSV and
  always stored as a string in XLSX.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from services.stats.queries.results import ResultTable, json_value
from services.stats.reference.names import Names

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters_line(table: ResultTable) -> str:
    return "; ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in table.filters.items())


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    text = str(json_value(value, kind))  # type: ignore[arg-type]
    if kind == "text" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _named(table: ResultTable, lang: str, names: Names | None) -> list[dict[str, Any]]:
    if names is None:
        return table.rows
    keys = [c.key for c in table.columns if c.kind == "text" and c.key in names.columns]
    if not keys:
        return table.rows
    return [row | {k: names.name(k, row.get(k), lang) for k in keys} for row in table.rows]


def to_csv(table: ResultTable, lang: str, names: Names | None = None) -> bytes:
    """The table as CSV bytes (with BOM); coded cells carry their ``names`` in ``lang``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(table.title(lang), "text"), _csv_cell(_filters_line(table), "text")])
    writer.writerow([c.label(lang) for c in table.columns])
    for row in _named(table, lang, names):
        writer.writerow([_csv_cell(row.get(c.key), c.kind) for c in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: ResultTable, lang: str, names: Names | None = None) -> bytes:
    """The table as an XLSX workbook; coded cells carry their ``names`` in ``lang``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.query[:31] or "query")
    bold = Font(bold=True)

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
        return cell

    title = text(table.title(lang))
    title.font = bold
    sheet.append([title])
    sheet.append([text(_filters_line(table))])
    header = []
    for column in table.columns:
        cell = text(column.label(lang))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _named(table, lang, names):
        cells: list[Any] = []
        for column in table.columns:
            value = json_value(row.get(column.key), column.kind)
            if value is None:
                cells.append(None)
            elif column.kind == "money":
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell.number_format = "#,##0.00"
                cells.append(cell)
            elif column.kind == "number":
                cells.append(Decimal(value))
            elif column.kind == "rate":
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell.number_format = "0.00%"
                cells.append(cell)
            elif column.kind == "int":
                cells.append(int(value))
            else:
                cells.append(text(str(value)))
        sheet.append(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
