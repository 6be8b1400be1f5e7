"""Exchange rates: the latest month not after the date, recorded with every conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared.fx import RateTable, UnknownRate

TABLE = RateTable.from_csv_text("502,2026-01,7.1000\n502,2026-03,7.2000\n300,2026-01,7.8\n")


def test_cny_converts_at_one() -> None:
    assert TABLE.convert(Decimal("10.005"), "142", dt.date(2026, 5, 1)).value_cny == Decimal("10.01")


def test_the_latest_month_not_after_the_date_applies() -> None:
    conversion = TABLE.convert(Decimal("100"), "502", dt.date(2026, 2, 28))
    assert (conversion.value_cny, conversion.rate, conversion.rate_month) == (
        Decimal("710.00"),
        Decimal("7.1000"),
        "2026-01",
    )


def test_a_new_month_rate_replaces_the_old_one() -> None:
    assert TABLE.convert(Decimal("100"), "502", dt.date(2026, 3, 1)).rate == Decimal("7.2000")


def test_a_date_before_any_rate_is_unknown() -> None:
    with pytest.raises(UnknownRate):
        TABLE.convert(Decimal("1"), "502", dt.date(2025, 12, 31))


def test_bad_rate_lines_are_reported_with_their_number() -> None:
    with pytest.raises(ValueError, match="line 2"):
        RateTable.from_csv_text("502,2026-01,7.1\n502,2026-13,7\n")


def test_the_shipped_table_loads() -> None:
    assert RateTable.default().rate("502", dt.date(2026, 11, 25))[0] > 0
