"""Response models of the statistics queries (the JSON form of a :class:`~.results.ResultTable`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class LabelOut(BaseModel):
    """A text in both languages of the exports."""

    zh: str
    en: str


class ColumnOut(BaseModel):
    """A column of the answer: its key in every row, how its cells are written, its labels."""

    key: str
    kind: Literal["text", "int", "money", "rate", "number", "date"] = Field(
        description="money: CNY decimal string with two places; rate/number: decimal string; "
        "int: integer; date: ISO 8601; text: as is"
    )
    label: LabelOut


class ResultTableOut(BaseModel):
    """A query's answer: columns and rows (``?format=csv|xlsx`` gives the same table as a file).

    Some queries add keys of their own beside ``rows`` (e.g. the growth comparison's periods).
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "query": "totals",
                    "title": {"zh": "汇总", "en": "Totals"},
                    "filters": {"from": "2026-01-01", "to": "2026-11-30"},
                    "columns": [
                        {"key": "mode", "kind": "text", "label": {"zh": "模式", "en": "Mode"}},
                        {"key": "value", "kind": "money", "label": {"zh": "金额(元)", "en": "Value (CNY)"}},
                    ],
                    "rows": [{"mode": "9610", "value": "1250000.00"}],
                }
            ]
        },
    )

    query: str
    title: LabelOut
    filters: dict[str, Any]
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    next_cursor: str | None = Field(
        default=None,
        description="Tables read in pages (a run's amounts): pass it back as `cursor`; null on the last page",
    )


class ModeTotalOut(BaseModel):
    """All-time totals of one mode and direction."""

    mode: str | None = Field(description="9610, 9710, 9810, 1210 …; null if unknown")
    direction: str = Field(description="import or export")
    documents: int
    orders: int
    valueCny: str = Field(description="CNY, exact decimal string", examples=["1250000.00"])


class SummaryOut(BaseModel):
    """All-time totals at a glance: the caller's own, or the platform's for a regulator."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": "platform",
                    "documents": 120,
                    "orders": 118,
                    "valueCny": "1250000.00",
                    "byMode": [
                        {
                            "mode": "9610",
                            "direction": "export",
                            "documents": 120,
                            "orders": 118,
                            "valueCny": "1250000.00",
                        }
                    ],
                }
            ]
        }
    )

    scope: str = Field(description="the party id, or `platform`")
    documents: int
    orders: int
    valueCny: str = Field(description="CNY, exact decimal string")
    byMode: list[ModeTotalOut]
