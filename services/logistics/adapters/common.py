"""Helpers every parser shares: JSON bodies, bounded batches, times and text."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from services.logistics.adapters.model import (
    BATCH_TOO_LARGE,
    EVENT_INVALID,
    MALFORMED_PUSH,
    TIME_WITHOUT_ZONE,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.times import TimeError

#: Longest raw text kept per event (carrier remarks).
MAX_TEXT = 500


def load_json(body: bytes) -> Any:
    """The body as JSON, or a 400 naming where it broke."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PushError(MALFORMED_PUSH, f"the body is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise PushError(
            MALFORMED_PUSH, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def check_size(count: int, limit: int) -> None:
    """413 when a push carries more events than one request may."""
    if count > limit:
        raise PushError(BATCH_TOO_LARGE, f"{count} events in one push; the limit is {limit}")


def text(value: Any, limit: int = 100) -> str | None:
    """A stripped string of at most ``limit`` characters, or None."""
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()[:limit]
    return None


def refuse_time(parsed: Parsed, index: int, pointer: str, exc: TimeError) -> None:
    """Record a per-event refusal for an unreadable or zone-less time."""
    kind = TIME_WITHOUT_ZONE if exc.zone else EVENT_INVALID
    parsed.refusals.append(Refusal(index, pointer, kind, str(exc)))


def refuse_validation(parsed: Parsed, index: int, base: str, exc: ValidationError) -> None:
    """Record a per-event refusal naming the first invalid field."""
    first = exc.errors()[0]
    where = "/".join(str(p) for p in first.get("loc", ()))
    parsed.refusals.append(
        Refusal(index, f"{base}/{where}" if where else base, EVENT_INVALID, first.get("msg", "invalid"))
    )


def each(items: list[Any], base: str, parsed: Parsed, read: Callable[[int, str, Any], None]) -> None:
    """Run ``read`` on every item; an unexpected error refuses that item alone, never the push."""
    for index, item in enumerate(items):
        pointer = f"{base}/{index}"
        try:
            read(index, pointer, item)
        except TimeError as exc:
            refuse_time(parsed, index, pointer, exc)
        except ValidationError as exc:
            refuse_validation(parsed, index, pointer, exc)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, f"unreadable event: {exc}"[:300]))


def utc(value: dt.datetime) -> dt.datetime:
    """The same instant in UTC."""
    return value.astimezone(dt.UTC)
