"""Response models of the exchange-rate table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RateOut(BaseModel):
    """One customs monthly rate."""

    currency: str = Field(description="ISO 4217 letter code", examples=["USD"])
    month: str = Field(description="YYYY-MM; applies until a later month's rate", examples=["2026-11"])
    rate: str = Field(description="CNY per unit, exact decimal string", examples=["7.1240"])
    source: str
    loadedBy: str
    loadedAt: str


class RatesOut(BaseModel):
    """The rates in use, by currency and month."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rates": [
                        {
                            "currency": "USD",
                            "month": "2026-11",
                            "rate": "7.1240",
                            "source": "default table (shared/data/exchange_rates.csv)",
                            "loadedBy": "system",
                            "loadedAt": "2026-11-01T00:00:00+00:00",
                        }
                    ]
                }
            ]
        }
    )

    rates: list[RateOut]


class RatesLoadedOut(BaseModel):
    """What loading a rate table did."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"loaded": 2, "currencies": ["EUR", "USD"], "factsRevalued": 14}]}
    )

    loaded: int = Field(description="rates stored (inserted or replaced)")
    currencies: list[str]
    factsRevalued: int = Field(description="facts whose CNY value changed with the new rates")
