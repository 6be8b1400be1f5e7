"""Query parameters with the exact forms their OpenAPI schema states.

Pydantic's lax mode reads a query string ``until=0.5`` as a Unix timestamp — half a second
after 1970 — although the schema says ``format: date-time``: a typo or a wrong field
silently becomes a filter that matches everything or nothing. These types take only what
the schema states, and refuse the rest with 422 naming the parameter.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Path
from pydantic import AwareDatetime, BeforeValidator

#: RFC 3339 date-time as the schema's ``format: date-time`` means it (the ``T`` may be a space,
#: as ISO 8601 allows and many clients send; the offset is required).
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})$"
)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _DATE_TIME.match(value.strip()):
        raise ValueError("expected a date-time with its offset, e.g. 2026-11-20T10:00:00+08:00")
    return value


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
"""A timezone-aware instant given as an RFC 3339 date-time string (never a number)."""

RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a row id the server issued")]
"""A path id that is a database row's BIGINT key: a number the column cannot hold is a 422
naming the parameter, never a driver overflow (SQLite refuses ints past 64 bits with a 500)."""

__all__ = ["IsoDateTime", "RowId"]
