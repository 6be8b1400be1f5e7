"""The quota-left lookup's request and answer, as the OpenAPI documents them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

QUOTA_LEFT_EXAMPLE: dict[str, Any] = {
    "year": 2026,
    "currency": "CNY",
    "limit": "26000.00",
    "used": "5130.50",
    "left": "20869.50",
    "buyerIdType": "1",
    "buyerIdNumber": "3207**********1234",
    "buyerName": "王**",
}


class QuotaLookupIn(BaseModel):
    """Whose quota: the buyer as the filer's inventories name them (a POST body, so the ID number
    never appears in a URL or an access log)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "buyerIdType": "1",
                    "buyerIdNumber": "320703199001011234",
                    "buyerName": "王小明",
                    "year": 2026,
                }
            ]
        },
    )

    buyerIdType: Literal["1"] = Field(
        description="1 = resident identity card (身份证), the only type the retail import quota is kept for"
    )
    buyerIdNumber: str = Field(min_length=1, max_length=60, pattern=r"\S", description="As in the inventory")
    buyerName: str = Field(min_length=1, max_length=60, pattern=r"\S", description="As in the inventory")
    year: int | None = Field(
        default=None, ge=2016, le=2100, description="Calendar year (Beijing time); defaults to this year"
    )


class QuotaLeftOut(BaseModel):
    """A buyer's annual retail import quota: the limit, what accepted inventories use, what is left.

    Amounts are CNY at fen, as decimal strings; the buyer's name and ID number come back masked.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [QUOTA_LEFT_EXAMPLE]})

    year: int
    currency: Literal["CNY"]
    limit: str = Field(examples=["26000.00"])
    used: str = Field(description="Held by accepted inventories of every filer, not yet given back")
    left: str = Field(description="limit − used, never below 0.00")
    buyerIdType: str
    buyerIdNumber: str = Field(description="Masked: first 4 and last 4 characters")
    buyerName: str = Field(description="Masked: first character")


__all__ = ["QUOTA_LEFT_EXAMPLE", "QuotaLeftOut", "QuotaLookupIn"]
