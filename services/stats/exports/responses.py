"""Answering a query as JSON, CSV or XLSX (``?format=``), in Chinese or English (``?lang=``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Depends, Query
from fastapi.responses import JSONResponse, Response

from services.stats.exports.render import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from services.stats.queries.results import ResultTable
from services.stats.queries.schemas import ResultTableOut
from services.stats.reference.names import Names
from shared.service import RuntimeDep

Format = Literal["json", "csv", "xlsx"]
Lang = Literal["zh", "en"]

FormatParam = Annotated[Format, Query(alias="format", description="json (default), csv or xlsx")]
LangParam = Annotated[
    Lang, Query(description="labels and names (districts, parks, countries…) of exports: zh (default) or en")
]


#: ``responses=`` of a route answering with :func:`respond` (use with ``response_class=Response``):
#: the table as JSON (its model), CSV or XLSX.
TABLE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "model": ResultTableOut,
        "description": "The table: JSON (default), or with `?format=` a CSV (UTF-8, BOM) or XLSX file",
        "content": {
            CSV_TYPE: {"schema": {"type": "string"}, "example": "\ufeff模式,金额(元)\r\n9610,1250000.00\r\n"},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _filename(table: ResultTable, extension: str) -> str:
    period = f"{table.filters.get('from', '')}_{table.filters.get('to', '')}".strip("_")
    return f"ddt-{table.query}-{period}.{extension}" if period else f"ddt-{table.query}.{extension}"


def respond(
    table: ResultTable, fmt: Format = "json", lang: Lang = "zh", names: Names | None = None
) -> Response:
    """The query's answer in the requested format (files with the ``names`` of coded cells)."""
    if fmt == "json":
        return JSONResponse(table.to_json(), headers={"Cache-Control": "no-store"})
    body, media, extension = (
        (to_csv(table, lang, names), CSV_TYPE, "csv")
        if fmt == "csv"
        else (to_xlsx(table, lang, names), XLSX_TYPE, "xlsx")
    )
    name = _filename(table, extension)
    return Response(
        content=body,
        media_type=media,
        headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@dataclass(frozen=True)
class TableAnswer:
    """How the caller wants a table answered (``?format=`` and ``?lang=``)."""

    fmt: Format = "json"
    lang: Lang = "zh"
    names: Names | None = None

    def __call__(self, table: ResultTable) -> Response:
        """The table in the requested format."""
        return respond(table, self.fmt, self.lang, self.names)


async def table_answer(runtime: RuntimeDep, fmt: FormatParam = "json", lang: LangParam = "zh") -> TableAnswer:
    """FastAPI dependency: ``?format=&lang=`` of a table route, with the service's names."""
    return TableAnswer(fmt, lang, runtime.components.find(Names))


#: Route parameter of a table route: call it with the table to answer.
AnswerParam = Annotated[TableAnswer, Depends(table_answer)]
