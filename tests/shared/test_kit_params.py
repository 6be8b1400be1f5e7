"""Date-time query parameters take an RFC 3339 date-time with its offset, as their schema says —
never a number read as a Unix timestamp (the fuzzer's ``until=0.5``)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shared.kit.params import IsoDateTime

ADAPTER = TypeAdapter(IsoDateTime)

# Fixed offsets in whole minutes: a zone's ambiguous local times (a DST fold) compare unequal
# across zones by Python's rules, which is not what this test is about.
_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
_aware = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2999, 12, 31), timezones=_offsets
)


@given(_aware)
def test_every_rfc3339_date_time_reads_as_the_same_instant(moment: dt.datetime) -> None:
    assert ADAPTER.validate_python(moment.isoformat()) == moment


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_a_number_is_not_a_date_time(number: float) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(str(number))


def test_a_date_time_without_its_offset_is_refused() -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python("2026-11-20T10:00:00")
