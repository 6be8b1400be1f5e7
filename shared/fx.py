"""Exchange rates to CNY by customs currency code and month.

Customs converts foreign-currency values with a monthly rate; a rate applies from
its month until a later month's rate replaces it. Values are Decimal, and the rate
used is returned with every conversion so it can be recorded next to the figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

CNY = "142"
_FEN = Decimal("0.01")


class UnknownRate(LookupError):
    """No rate for the currency at or before the month asked for."""


@dataclass(frozen=True)
class Conversion:
    """A value converted to CNY, with the rate and the month it came from."""

    value_cny: Decimal
    rate: Decimal
    rate_month: str


class RateTable:
    """Monthly CNY rates; :meth:`convert` picks the latest month not after the date."""

    def __init__(self, rows: list[tuple[str, str, Decimal]]) -> None:
        self._months: dict[str, list[str]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for currency, month, rate in sorted(rows):
            self._months.setdefault(currency, []).append(month)
            self._rates.setdefault(currency, []).append(rate)

    @classmethod
    def from_csv_text(cls, text: str) -> RateTable:
        """Parse ``currency,month(YYYY-MM),cny_per_unit`` lines; ``#`` starts a comment."""
        rows: list[tuple[str, str, Decimal]] = []
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        for number, record in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1):
            if len(record) != 3:
                raise ValueError(f"rate line {number}: expected currency,month,rate")
            currency, month, raw = (f.strip() for f in record)
            if currency == "currency":
                continue
            try:
                dt.date.fromisoformat(f"{month}-01")
                rate = Decimal(raw)
            except (ValueError, InvalidOperation) as exc:
                raise ValueError(f"rate line {number}: {exc}") from exc
            if rate <= 0 or len(currency) != 3 or not currency.isdigit():
                raise ValueError(f"rate line {number}: bad currency or non-positive rate")
            rows.append((currency, month, rate))
        return cls(rows)

    @classmethod
    def from_file(cls, path: Path) -> RateTable:
        """Load a CSV file."""
        return cls.from_csv_text(path.read_text(encoding="utf-8"))

    @classmethod
    def default(cls) -> RateTable:
        """The table shipped with the platform (embedded mode and tests)."""
        return cls.from_csv_text(
            resources.files("shared.data").joinpath("exchange_rates.csv").read_text("utf-8")
        )

    def rate(self, currency: str, on: dt.date) -> tuple[Decimal, str]:
        """(CNY per unit, month of the rate) for ``currency`` on ``on``."""
        if currency == CNY:
            return Decimal(1), on.strftime("%Y-%m")
        months = self._months.get(currency)
        index = bisect_right(months, on.strftime("%Y-%m")) - 1 if months else -1
        if index < 0:
            raise UnknownRate(f"no CNY rate for currency {currency} on or before {on:%Y-%m}")
        return self._rates[currency][index], months[index]  # type: ignore[index]

    def convert(self, value: Decimal, currency: str, on: dt.date) -> Conversion:
        """``value`` in CNY rounded half-up to the fen, with the rate used."""
        rate, month = self.rate(currency, on)
        return Conversion((value * rate).quantize(_FEN, rounding=ROUND_HALF_UP), rate, month)
