"""Keyset pagination with opaque cursors, and the one list envelope every list route answers.

A list route answers ``{"items": [...], "next_cursor": "…" | null}``. ``next_cursor`` is an
opaque token the server issued: the client passes it back as ``cursor`` to get the next
page, and never builds one. Inside, a cursor is the sort key of the last item of the page
(base64url of a JSON array), decoded against the types the route's :class:`Keyset` expects;
anything else — a token we did not issue, a number the database cannot hold — is a 422
naming the parameter, never a 500.

A page is read as ``LIMIT n + 1``: the extra row says whether there is a next page, so a
page is never cut short by filtering and a full last page does not promise one more.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import QueryableAttribute

from shared.problems import VALIDATION_FAILED, ProblemError

T = TypeVar("T")

#: The largest page any list route serves.
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
_MAX_CURSOR_CHARS = 512
_INT64 = (-(2**63), 2**63 - 1)

KeyType = Literal["int", "str", "datetime", "date"]


class Page(BaseModel, Generic[T]):
    """One page of a list: its items and the cursor of the next page (``null`` on the last)."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None,
        description="Opaque; pass it back as `cursor` for the next page. `null` on the last page.",
    )


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What the client asked for: where to start (a decoded cursor is done later) and how many."""

    cursor: str | None
    limit: int
    parameter: str = "cursor"


def page_request(
    cursor: Annotated[
        str | None,
        Query(
            max_length=_MAX_CURSOR_CHARS,
            description="The `next_cursor` of the previous page; leave out for the first page.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
) -> PageRequest:
    """FastAPI dependency: ``?cursor=&limit=``."""
    return PageRequest(cursor, limit)


#: Route parameter type for a paginated list.
PageParams = Annotated[PageRequest, Depends(page_request)]


def page_request_for(
    *, alias: str | None = None, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT
) -> Callable[..., Awaitable[PageRequest]]:
    """A ``?cursor=&limit=`` dependency with a list's own page sizes, and its old cursor name.

    For lists that had their own cursor parameter before the one envelope (``before``,
    ``after``): ``alias`` keeps the old name as a deprecated alias taking the same opaque
    cursor, so clients that only renamed the value keep working. Errors name the
    parameter used.
    """

    async def dependency(cursor: str | None, limit: int, old: str | None = None) -> PageRequest:
        if cursor is None and old is not None and alias is not None:
            return PageRequest(old, limit, alias)
        return PageRequest(cursor, limit)

    # The parameters are built here (their bounds and alias are arguments), so FastAPI reads
    # them from an explicit signature rather than from annotations it would resolve globally.
    query = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(
            "cursor",
            query,
            default=None,
            annotation=Annotated[
                str | None,
                Query(
                    max_length=_MAX_CURSOR_CHARS,
                    description="The `next_cursor` of the previous page; leave out for the first page.",
                ),
            ],
        ),
        inspect.Parameter(
            "limit",
            query,
            default=default_limit,
            annotation=Annotated[int, Query(ge=1, le=max_limit, description="Items per page.")],
        ),
    ]
    if alias is not None:
        parameters.append(
            inspect.Parameter(
                "old",
                query,
                default=None,
                annotation=Annotated[
                    str | None,
                    Query(
                        alias=alias,
                        max_length=_MAX_CURSOR_CHARS,
                        deprecated=True,
                        description="Deprecated name of `cursor` (takes the same opaque cursor).",
                    ),
                ],
            )
        )
    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters, return_annotation=PageRequest
    )
    dependency.__name__ = f"page_request_{alias or 'own'}"
    return dependency


def _invalid(parameter: str, why: str) -> ProblemError:
    return ProblemError(
        VALIDATION_FAILED,
        f"`{parameter}` is not a cursor this list issued ({why}); pass back a `next_cursor` unchanged.",
        errors=[{"pointer": f"/query/{parameter}", "detail": why, "type": "cursor_invalid"}],
    )


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode_value(kind: KeyType, raw: Any) -> Any:
    if kind == "int":
        if not isinstance(raw, int) or isinstance(raw, bool) or not _INT64[0] <= raw <= _INT64[1]:
            raise ValueError("an integer key out of range")
        return raw
    if kind == "str":
        if not isinstance(raw, str) or len(raw) > 256:
            raise ValueError("a text key of the wrong type")
        return raw
    if not isinstance(raw, str):
        raise ValueError("a time key of the wrong type")
    if kind == "date":
        return dt.date.fromisoformat(raw)
    parsed = dt.datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        raise ValueError("a time key without a zone")
    return parsed


@dataclass(frozen=True)
class Keyset:
    """The sort order of a list: columns, their key types, the direction.

    The columns together must be unique (end with the primary key), so every item has one
    place in the order.
    """

    columns: Sequence[ColumnElement[Any] | QueryableAttribute[Any]]  # table columns or mapped attributes
    types: Sequence[KeyType]
    descending: bool = True

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.types) or not self.columns:
            raise ValueError("a keyset needs one type per column")

    def encode(self, values: Sequence[Any]) -> str:
        """The cursor standing for an item with these key values."""
        raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()

    def decode(self, cursor: str, parameter: str = "cursor") -> tuple[Any, ...]:
        """The key values of a cursor, or a 422 problem naming ``parameter``."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, binascii.Error, UnicodeEncodeError):
            raise _invalid(parameter, "not a cursor") from None
        if not isinstance(values, list) or len(values) != len(self.types):
            raise _invalid(parameter, "not a cursor of this list")
        try:
            return tuple(_decode_value(kind, raw) for kind, raw in zip(self.types, values, strict=True))
        except ValueError as exc:
            raise _invalid(parameter, str(exc)) from None

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows strictly after ``values`` in this order (lexicographic, any direction)."""
        clauses = []
        for i, column in enumerate(self.columns):
            prefix = [self.columns[j] == values[j] for j in range(i)]
            beyond = column < values[i] if self.descending else column > values[i]
            clauses.append(and_(*prefix, beyond))
        return or_(*clauses)

    def order_by(self) -> list[Any]:
        """ORDER BY clauses of this order."""
        return [c.desc() if self.descending else c.asc() for c in self.columns]


def apply_page(stmt: Select[Any], keyset: Keyset, request: PageRequest) -> Select[Any]:
    """``stmt`` limited to the requested page (plus one row to see whether another follows)."""
    if request.cursor is not None:
        stmt = stmt.where(keyset.after(keyset.decode(request.cursor, request.parameter)))
    return stmt.order_by(*keyset.order_by()).limit(request.limit + 1)


def page_of(
    rows: Sequence[T], request: PageRequest, keyset: Keyset, key: Callable[[T], Sequence[Any]]
) -> tuple[list[T], str | None]:
    """Rows read with :func:`apply_page` → the page's rows and the next cursor."""
    items = list(rows[: request.limit])
    more = len(rows) > request.limit
    return items, (keyset.encode(key(items[-1])) if more and items else None)


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Keyset",
    "Page",
    "PageParams",
    "PageRequest",
    "apply_page",
    "page_of",
    "page_request",
    "page_request_for",
]
