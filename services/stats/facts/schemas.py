"""Response models of the facts: one document as the statistics see it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FactChapterOut(BaseModel):
    """The document's value in one HS chapter."""

    chapter: str = Field(description="HS chapter, two digits")
    valueCny: str = Field(description="CNY, exact decimal string")
    lines: int


class FactOut(BaseModel):
    """An inventory's fact: whether it counts, in which period, its value and the rate used."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "documentId": "INV-3207-000123",
                    "party": "P-ENT-1",
                    "messageType": "CEB603",
                    "status": "released",
                    "counted": True,
                    "countedSince": "2026-11-02T03:15:00+00:00",
                    "businessDay": "2026-11-02",
                    "mode": "9610",
                    "direction": "export",
                    "country": "USA",
                    "district": "320703",
                    "park": None,
                    "currency": "USD",
                    "documents": 1,
                    "orders": 1,
                    "valueCny": "712.40",
                    "returnedCny": "0.00",
                    "valueInCurrency": "100.00",
                    "cnyRate": "7.1240",
                    "rateMonth": "2026-11",
                    "rateSource": "customs monthly rate",
                    "chapters": [{"chapter": "61", "valueCny": "712.40", "lines": 1}],
                }
            ]
        }
    )

    documentId: str
    party: str
    messageType: str
    status: str = Field(description="the document's lifecycle status (shared.events.statuses)")
    counted: bool = Field(description="whether it is in the statistics now")
    countedSince: str | None
    businessDay: str | None = Field(description="the Beijing day it counts on")
    mode: str | None
    direction: str
    country: str | None
    district: str | None
    park: str | None
    currency: str
    documents: int
    orders: int
    valueCny: str
    returnedCny: str
    valueInCurrency: str
    cnyRate: str | None
    rateMonth: str | None
    rateSource: str | None
    chapters: list[FactChapterOut]
