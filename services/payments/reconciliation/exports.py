"""Results of a run, and an enterprise's unmatched report, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

RESULT_COLUMNS = (
    "run_id",
    "proposal_id",
    "statement_id",
    "entry_seq",
    "items",
    "confidence",
    "rule",
    "residual",
    "decision",
    "state",
)
UNMATCHED_COLUMNS = (
    "kind",
    "statement_or_source",
    "entry_or_id",
    "direction",
    "currency",
    "amount",
    "open_amount",
    "date",
    "references",
    "state",
)


def _cell(value: Any) -> Any:
    # A text cell starting with = + - @ is a formula to a spreadsheet: keep it text (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheets read Chinese text right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet, a header row, the rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
